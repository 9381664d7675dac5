/** The importer's pure steps, on small inline inputs. */
import {describe, expect, it} from 'vitest'
import {bodyAreasIn} from '../../scripts/import/bodyAreas.ts'
import {parseMarkdown} from '../../scripts/import/markdown.ts'
import {parseNumberedTitle} from '../../scripts/import/numbering.ts'
import {outline} from '../../scripts/import/outline.ts'
import {toPortableText} from '../../scripts/import/portableText.ts'
import {prepareSource} from '../../scripts/import/prepare.ts'
import {decodeSource, firstInvalidUtf8} from '../../scripts/import/source.ts'
import {readMentions} from '../../scripts/import/linking.ts'
import {compileTerms, matchTerms} from '../../scripts/import/terms.ts'
import {firstSentence, slugify, titleFromFileName} from '../../scripts/import/text.ts'
import type {TaxonomyDoc} from '../../scripts/import/taxonomy.ts'
import {InputError} from '../../scripts/lib/errors.ts'
import {taxonomy} from './helpers.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const sections = (text: string) =>
  prepareSource(bytes(text), 'x.md').outline.sections.map((s) => [s.number, s.title])
const problemsOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    if (e instanceof InputError) return e.problems
    throw e
  }
  throw new Error('expected an InputError')
}

describe('decodeSource', () => {
  it('strips the BOM, normalises CRLF/CR and trailing spaces, ends with one newline', () => {
    const s = decodeSource(
      new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('a  \r\nb\rc\t\r\n\r\n\r\n')]),
      'f.txt',
    )
    expect(s.text).toBe('a\nb\nc\n')
    expect(s.lines).toEqual(['a', 'b', 'c'])
    expect(s.checksum).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(decodeSource(bytes('a\nb\nc'), 'g.md')).toMatchObject({
      checksum: s.checksum,
      format: 'markdown',
    })
  })

  it('refuses empty, binary, UTF-16 and invalid UTF-8 input with the line', () => {
    expect(problemsOf(() => decodeSource(bytes(' \n\t\n'), 'e.txt'))).toEqual([
      {file: 'e.txt', line: 1, level: 'error', message: expect.stringContaining('empty')},
    ])
    expect(problemsOf(() => decodeSource(bytes('ok\nok\nbin\u0000'), 'b.txt'))[0]).toMatchObject({
      line: 3,
      message: expect.stringContaining('binary'),
    })
    expect(
      problemsOf(() => decodeSource(new Uint8Array([0xff, 0xfe, 0x31, 0]), 'u.txt'))[0]!.message,
    ).toContain('UTF-16')
    expect(
      problemsOf(() => decodeSource(new Uint8Array([0x61, 0x0a, 0xc3, 0x28]), 'i.txt'))[0],
    ).toMatchObject({line: 2, message: expect.stringContaining('invalid UTF-8')})
  })

  it('validates UTF-8 strictly (overlongs, surrogates, truncation)', () => {
    expect(firstInvalidUtf8(bytes('héllo — ✓ 𝄞'))).toBe(-1)
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xc0, 0xaf]))).toBe(1) // overlong "/"
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0) // UTF-16 surrogate
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(1) // truncated
  })
})

describe('numbered section headings', () => {
  it('parses the markers editors type, keeping the title as written', () => {
    expect(parseNumberedTitle('8.. Erases Stretch Marks')).toEqual({
      number: 8,
      title: 'Erases Stretch Marks',
      marker: '..',
      wellFormed: false,
    })
    expect(parseNumberedTitle('1) Improves Skin Texture')).toMatchObject({
      number: 1,
      title: 'Improves Skin Texture',
      wellFormed: true,
    })
    expect(parseNumberedTitle('10. Safe For All Skin Types ')).toMatchObject({
      number: 10,
      title: 'Safe For All Skin Types',
    })
    expect(parseNumberedTitle('3.5 million people tried it')).toBeUndefined()
    expect(parseNumberedTitle('2024. A year')).toBeUndefined()
    expect(parseNumberedTitle('10.5x faster healing')).toBeUndefined()
    expect(parseNumberedTitle('3. 24-Hour Hydration')).toMatchObject({
      number: 3,
      title: '24-Hour Hydration',
    })
  })

  it('finds sections however they are written', () => {
    const expected = [
      [1, 'One Thing'],
      [2, 'Two Things'],
    ]
    expect(sections('1. One Thing\n\nBody.\n\n2. Two Things\n\nBody.')).toEqual(expected)
    expect(sections('## 1. One Thing\n\nBody.\n\n## 2. Two Things\n\nBody.')).toEqual(expected)
    expect(sections('**1. One Thing**\n\nBody.\n\n**2. Two Things**\n\nBody.')).toEqual(expected)
    expect(sections('1) One Thing\nBody.\n2) Two Things\nBody.')).toEqual(expected)
    expect(sections('1. One Thing\n\n   Body.\n\n2. Two Things\n\n   Body.')).toEqual(expected)
    expect(sections('Intro.\n\n1. One Thing\nBody glued on.\n2. Two Things\nMore.')).toEqual(
      expected,
    )
    expect(sections('1.One Thing\n\nBody.\n\n2: Two Things\n\nBody.')).toEqual(expected)
  })

  it('keeps a numbered list inside a body as content', () => {
    const text =
      '1. One Thing\n\nSteps:\n\n1. Cleanse\n2. Numb\n3. Needle\n\n2. Two Things\n\nBody.'
    expect(sections(text)).toEqual([
      [1, 'One Thing'],
      [2, 'Two Things'],
    ])
    const body = prepareSource(bytes(text), 'x.md').outline.sections[0]!.body
    expect(body).toContain('1. Cleanse')
  })

  it('does not look for headings in code blocks or quotes, but does inside unclosed raw HTML', () => {
    expect(
      sections(
        '1. One Thing\n\n```\n2. Not A Heading\n```\n\n> 2. Nor This\n\n2. Two Things\n\nBody.',
      ),
    ).toEqual([
      [1, 'One Thing'],
      [2, 'Two Things'],
    ])
    expect(sections('1. One Thing\n\n<pre>\nnever closed\n\n2. Two Things\n\nBody.')).toEqual([
      [1, 'One Thing'],
      [2, 'Two Things'],
    ])
  })

  it('takes "# Title" as the article title and the text before section 1 as the intro', () => {
    const p = prepareSource(
      bytes('Lead.\n\n# The Title\n\nMore intro.\n\n1. One Thing\n\nBody.'),
      'x.md',
    )
    expect(p.outline.title).toEqual({text: 'The Title', line: 3})
    expect(p.outline.intro).toBe('Lead.\n\n\n\nMore intro.\n')
  })

  it('reports every structural problem at once, with lines', () => {
    const source = decodeSource(bytes('1. A\n\nx\n\n3. C\n\n3. D\n\nx\n\n4. E\n'), 'p.txt')
    const problems = problemsOf(() => outline(source, parseMarkdown(source.text)))
    expect(problems.map((p) => [p.line, p.message.split(':')[0]])).toEqual([
      [5, 'section 2 is missing'],
      [7, 'section number 3 is used twice ("D"; first at line 5)'],
      [5, 'section 3 "C" has no body text'],
      [11, 'section 4 "E" has no body text'],
    ])
  })

  it('warns about an unnumbered heading after the sections', () => {
    const p = prepareSource(bytes('## 1. One\n\nBody.\n\n## Conclusion\n\nEnd.'), 'x.md')
    expect(p.outline.warnings).toEqual([
      expect.objectContaining({line: 5, rule: 'unnumbered-heading'}),
    ])
    expect(p.outline.sections[0]!.body).toContain('## Conclusion')
  })
})

describe('Portable Text', () => {
  const pt = (md: string) =>
    toPortableText(parseMarkdown(md), {
      docId: 'benefit-x',
      file: 'x.md',
      lineOffset: 10,
      definitions: new Map(),
    })

  it('maps paragraphs, headings, lists, marks and safe links', () => {
    const {blocks, leaves} = pt(
      'Hello **bold *both*** and [a link](https://example.com).\n\n### Sub\n\n- one\n  - nested\n\n1. first\n\n> quoted',
    )
    expect(blocks.map((b) => [b.style, b.listItem, b.level])).toEqual([
      ['normal', undefined, undefined],
      ['h3', undefined, undefined],
      ['normal', 'bullet', 1],
      ['normal', 'bullet', 2],
      ['normal', 'number', 1],
      ['blockquote', undefined, undefined],
    ])
    const first = blocks[0]!
    expect(first.children.map((c) => [c.text, c.marks])).toEqual([
      ['Hello ', []],
      ['bold ', ['strong']],
      ['both', ['strong', 'em']],
      [' and ', []],
      ['a link', [first.markDefs[0]!._key]],
      ['.', []],
    ])
    expect(first.markDefs).toEqual([
      {_type: 'link', _key: expect.any(String), href: 'https://example.com'},
    ])
    expect(leaves.map((l) => l.line)).toEqual([11, 13, 15, 16, 18, 20])
  })

  it('keeps raw HTML and unsafe links as text only', () => {
    const {blocks, warnings} = pt(
      '<script>alert(1)</script>\n\nA <b onclick="x()">tag</b>, [x](javascript:alert(1)) and [y]( data:text/html,hi ).',
    )
    expect(blocks.flatMap((b) => b.markDefs)).toEqual([])
    expect(blocks[0]!.children).toEqual([
      expect.objectContaining({text: '<script>alert(1)</script>', marks: []}),
    ])
    expect(blocks[1]!.children.map((c) => c.text).join('')).toBe(
      'A <b onclick="x()">tag</b>, x and y.',
    )
    expect(warnings.map((w) => [w.rule, w.line])).toEqual([
      ['raw-html', 11],
      ['raw-html', 13],
      ['raw-html', 13],
      ['unsafe-link', 13],
      ['unsafe-link', 13],
    ])
  })

  it('derives keys from the document id and positions only', () => {
    expect(pt('Same text.').blocks).toEqual(pt('Same text.').blocks)
    const other = toPortableText(parseMarkdown('Same text.'), {
      docId: 'benefit-y',
      file: 'x.md',
      lineOffset: 0,
      definitions: new Map(),
    })
    expect(other.blocks[0]!._key).not.toBe(pt('Same text.').blocks[0]!._key)
  })
})

describe('linking phrases', () => {
  const doc = (
    id: string,
    type: TaxonomyDoc['_type'],
    title: string,
    synonyms: string[] = [],
  ): TaxonomyDoc => ({_id: id, _type: type, title, slug: {_type: 'slug', current: id}, synonyms})
  const terms = compileTerms([
    doc('concern-acne-scars', 'concern', 'Acne scars', ['acne scarring']),
    doc('concern-scars', 'concern', 'Scars', ['scarring']),
    doc('concern-pores', 'concern', 'Enlarged pores', ['large pores', 'congested pores', 'pores']),
    doc('concern-hyper', 'concern', 'Hyperpigmentation', [
      'post-inflammatory hyperpigmentation',
      'dark marks',
    ]),
    doc('concern-stretch', 'concern', 'Stretch marks'),
    doc('skinType-thin', 'skinType', 'Thin skin'),
    doc('skinType-sensitive', 'skinType', 'Sensitive skin'),
    doc('skinType-acne-prone', 'skinType', 'Acne-prone skin', ['acne-prone']),
    doc('serum-retinol', 'serum', 'Retinol'),
    doc('serum-vitamin-c', 'serum', 'Vitamin C'),
  ])
  // `!id`: named, but not as something the text suits or addresses.
  const found = (text: string) =>
    readMentions(text, terms).map(({match, reading}) =>
      reading.kind === 'suits' ? match.targetId : `!${match.targetId}`,
    )

  it('matches whole words, any case, hyphen/space variants and plurals', () => {
    expect(found('ACNE PRONE and Acne-Prone')).toEqual([
      'skinType-acne-prone',
      'skinType-acne-prone',
    ])
    expect(found('a stretch mark; stretch-marks')).toEqual(['concern-stretch', 'concern-stretch'])
    expect(found('vitamin c, Vitamin C.')).toEqual(['serum-vitamin-c', 'serum-vitamin-c'])
    expect(found('retinols and retinoland')).toEqual(['serum-retinol'])
    expect(found('scar tissue')).toEqual([]) // "scars" does not match "scar"
    expect(found('thinning, thinner skin')).toEqual([])
  })

  it('lets the longest phrase win', () => {
    expect(found('acne scars and scars from surgery')).toEqual([
      'concern-acne-scars',
      'concern-scars',
    ])
    expect(found('acne scarring')).toEqual(['concern-acne-scars'])
    expect(found('large, congested pores')).toEqual(['concern-pores', 'concern-pores'])
  })

  it('shares a head noun across coordinated adjectives', () => {
    expect(found('works on thin or sensitive skin')).toEqual([
      'skinType-thin',
      'skinType-sensitive',
    ])
    expect(matchTerms('thin or sensitive skin', terms)[0]!.phrase).toBe('thin or sensitive skin')
    expect(found('thin hair and sensitive skin')).toEqual(['skinType-sensitive'])
  })

  it('does not link risks and things to avoid', () => {
    expect(found('There is minimal risk of post-inflammatory hyperpigmentation.')).toEqual([
      '!concern-hyper',
    ])
    expect(found('Avoid retinol for a few days. Retinol helps later.')).toEqual([
      '!serum-retinol',
      'serum-retinol',
    ])
    expect(found('It fades dark marks.')).toEqual(['concern-hyper'])
  })
})

describe('linking with the real taxonomy', () => {
  let compiled: ReturnType<typeof compileTerms> | undefined
  const found = async (text: string) =>
    readMentions(text, (compiled ??= compileTerms(await taxonomy())))
      .filter((m) => m.reading.kind === 'suits')
      .map((m) => m.match.targetId)

  it('knows the phrases skincare copy uses, and not their look-alikes', async () => {
    expect(await found('Suits Fitzpatrick IV-VI and darker skin tones')).toEqual([
      'skinType-fitzpatrick-iv-vi',
      'skinType-fitzpatrick-iv-vi',
    ])
    expect(await found('evens out uneven skin tone')).toEqual(['concern-hyperpigmentation'])
    expect(await found('to brighten and even skin tone')).toEqual([])
    expect(await found('crow’s feet and skin laxity')).toEqual([
      'concern-fine-lines-and-wrinkles',
      'concern-sagging-skin',
    ])
    expect(await found('safe for all skin types and tones')).toEqual([])
    expect(await found('a retinal scan')).toEqual([])
    expect(await found('platelet-rich plasma (PRP)')).toEqual(['serum-prp']) // the title "Platelet-rich plasma (PRP)" covers both
  })
})

describe('text helpers', () => {
  it('slugs, titles and sentences', () => {
    expect(slugify('Safe For All Skin Types')).toBe('safe-for-all-skin-types')
    expect(slugify('Crème & Café — “Quotes”')).toBe('creme-and-cafe-quotes')
    expect(slugify('Crow’s Feet')).toBe('crows-feet')
    expect(titleFromFileName('content/sources/microneedling-benefits.txt')).toBe(
      'Microneedling Benefits',
    )
    expect(titleFromFileName('6-benefits-of-chemical-peels.md')).toBe(
      '6 Benefits of Chemical Peels',
    )
    expect(firstSentence('One sentence.  Two\nsentences.')).toBe('One sentence.')
    expect(firstSentence('Use e.g. this. Next')).toBe('Use e.g. this.')
    expect(firstSentence('No full stop')).toBe('No full stop')
    expect(firstSentence(`${'word '.repeat(100)}end.`).length).toBeLessThanOrEqual(300)
  })

  it('finds body areas, but not the adverb "back"', () => {
    expect(bodyAreasIn('adds back thickness')).toEqual([])
    expect(bodyAreasIn('on the back and arms')).toEqual(['back', 'arms'])
    expect(bodyAreasIn('thighs, back, and hips')).toEqual(['back', 'hips', 'thighs'])
  })
})

describe('the taxonomy content', () => {
  it('is valid, with ids that are safe to publish', async () => {
    const docs = await taxonomy()
    for (const d of docs)
      expect(d._id).toMatch(/^(treatment|concern|skinType|serum|contraindication)-[a-z0-9-]+$/)
    const byId = new Map(docs.map((d) => [d._id, d]))
    expect(byId.get('serum-prp')).toMatchObject({kind: 'procedure', timing: ['during']})
    for (const id of ['serum-retinol', 'serum-vitamin-c'])
      expect(String(byId.get(id)!.cautions)).toMatch(/irritat/)
    expect(byId.get('serum-hyaluronic-acid')).toMatchObject({kind: 'serum', timing: ['after']})
    expect(byId.get('skinType-acne-prone')).toMatchObject({kind: 'condition'})
    expect(byId.get('skinType-fitzpatrick-iv-vi')).toMatchObject({
      kind: 'tone',
      fitzpatrick: 'IV–VI',
    })
    // "All skin types" is a claim, not a skin type.
    for (const d of docs.filter((x) => x._type === 'skinType')) {
      for (const term of [d.title, ...(d.synonyms ?? [])])
        expect(term.toLowerCase()).not.toMatch(/\ball\b/)
    }
    for (const id of [
      'concern-hyperpigmentation',
      'concern-fine-lines-and-wrinkles',
      'concern-enlarged-pores',
      'concern-acne-scars',
      'concern-stretch-marks',
      'treatment-microneedling',
    ]) {
      expect(byId.has(id), id).toBe(true)
    }
  })
})
