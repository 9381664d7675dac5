/** Evidence: citation formats (schemas/rules/citations.ts) and the uncited-claims lint (claims.ts). */
import {describe, expect, it} from 'vitest'
import {claimText, uncitedClaims} from '../../schemas/rules/claims.ts'
import {
  identifierCountProblem,
  identifierProblem,
  IDENTIFIER_RULES,
  isValidCitation,
} from '../../schemas/rules/citations.ts'

const block = (text: string) => ({
  _type: 'block',
  _key: 'b',
  children: [{_type: 'span', _key: 's', text, marks: []}],
})

describe('citation identifiers', () => {
  it('accepts DOIs in the DOI syntax: "10.", a registrant code, "/", any printable suffix', () => {
    for (const doi of [
      '10.1000/182',
      '10.1016/j.jaad.2019.01.001',
      '10.1002/(SICI)1097-4636(199706)35:3<337::AID-JBM8>3.0.CO;2-E',
      '10.1000.10/abc',
      '10.12345/übersicht',
    ])
      expect(identifierProblem('doi', doi), doi).toBeUndefined()
  })

  it('refuses resolver links, prefixes and malformed DOIs, stating the format', () => {
    for (const doi of [
      'https://doi.org/10.1000/182',
      'doi:10.1000/182',
      '10.100/182',
      '10.1000',
      '10.1000/',
      '11.1000/182',
      '10.1000/has space',
      ' 10.1000/182',
    ])
      expect(identifierProblem('doi', doi), doi).toBe(IDENTIFIER_RULES.doi)
    expect(IDENTIFIER_RULES.doi).toMatch(/^DOI must be "10\.", a registrant code/)
  })

  it('accepts a PMID as digits only', () => {
    expect(identifierProblem('pmid', '12345678')).toBeUndefined()
    expect(identifierProblem('pmid', '1')).toBeUndefined()
    for (const pmid of ['PMID:12345678', 'PMID 12345678', '012345', '1234567890', '12a', '-4'])
      expect(identifierProblem('pmid', pmid), pmid).toBe(IDENTIFIER_RULES.pmid)
  })

  it('accepts only absolute https URLs, refusing script schemes through the shared link rule', () => {
    expect(identifierProblem('url', 'https://pubmed.ncbi.nlm.nih.gov/12345678/')).toBeUndefined()
    for (const url of [
      'http://example.org/study',
      'mailto:editor@example.org',
      '/studies/1',
      'javascript:alert(1)',
      'java\tscript:alert(1)',
      'https://',
      'https://exa mple.org',
      'ftp://example.org/a.pdf',
    ])
      expect(identifierProblem('url', url), url).toBe(IDENTIFIER_RULES.url)
  })

  it('leaves an empty identifier to the one-identifier rule', () => {
    expect(identifierProblem('doi', undefined)).toBeUndefined()
    expect(identifierProblem('url', '')).toBeUndefined()
    expect(identifierProblem('pmid', 12345678)).toBe(IDENTIFIER_RULES.pmid)
  })

  it('asks for exactly one identifier', () => {
    expect(identifierCountProblem({title: 'T', doi: '10.1000/182'})).toBeUndefined()
    expect(identifierCountProblem({title: 'T'})).toBe(
      'A citation needs one identifier: a DOI, a PubMed id or an https URL',
    )
    expect(identifierCountProblem({title: 'T', doi: '  '})).toMatch(/needs one identifier/)
    expect(identifierCountProblem({doi: '10.1000/182', url: 'https://example.org'})).toBe(
      'A citation must have exactly one identifier; this one has 2 (DOI, URL): keep the one a reader should follow',
    )
  })

  it('counts as a citation only with a title and exactly one well-formed identifier', () => {
    expect(isValidCitation({title: 'A study', doi: '10.1000/182'})).toBe(true)
    expect(isValidCitation({title: 'A study', pmid: '12345678'})).toBe(true)
    expect(isValidCitation({title: 'A study', url: 'https://example.org/s'})).toBe(true)
    expect(isValidCitation({doi: '10.1000/182'})).toBe(false)
    expect(isValidCitation({title: ' ', doi: '10.1000/182'})).toBe(false)
    expect(isValidCitation({title: 'A study', doi: 'doi:10.1000/182'})).toBe(false)
    expect(isValidCitation({title: 'A study', doi: '10.1000/182', pmid: '1'})).toBe(false)
    expect(isValidCitation({title: 'A study'})).toBe(false)
    expect(isValidCitation(null)).toBe(false)
    expect(isValidCitation('10.1000/182')).toBe(false)
  })
})

describe('uncitedClaims', () => {
  const text = 'Erases Stretch Marks\n\nSafe for all skin types, with minimal risk.'

  it('lists the absolute claims, as written, when nothing cites them', () => {
    expect(uncitedClaims(text, undefined)).toEqual([
      'Erases',
      'Safe for all skin types',
      'minimal risk',
    ])
    expect(uncitedClaims(text, null)).toHaveLength(3)
    expect(uncitedClaims(text, [])).toHaveLength(3)
  })

  it('is empty when a complete citation backs the text', () => {
    expect(uncitedClaims(text, [{title: 'A trial', pmid: '12345678'}])).toEqual([])
    expect(
      uncitedClaims(text, [{title: 'Half done'}, {title: 'A review', doi: '10.1000/182'}]),
    ).toEqual([])
  })

  it('does not count incomplete or malformed citations', () => {
    expect(uncitedClaims(text, [{title: 'No identifier'}])).toHaveLength(3)
    expect(uncitedClaims(text, [{doi: '10.1000/182'}])).toHaveLength(3)
    expect(uncitedClaims(text, [{title: 'T', url: 'http://example.org'}])).toHaveLength(3)
  })

  it('is empty for text without absolute claims, cited or not', () => {
    expect(uncitedClaims('Can reduce the appearance of stretch marks.', undefined)).toEqual([])
  })
})

describe('claimText', () => {
  it('is the title, summary and body text a reader sees', () => {
    expect(
      claimText({
        title: 'Fades Scars',
        summary: 'Guaranteed results.',
        body: [block('Erases marks.'), block('Second.')],
      }),
    ).toBe('Fades Scars\n\nGuaranteed results.\n\nErases marks.\n\nSecond.')
    expect(claimText({title: 'Only a title', summary: 42, body: 'not blocks'})).toBe('Only a title')
  })
})
