/**
 * The relations corpus (tests/fixtures/import/relations.json): hand-written sentences about many
 * treatments, each with the relations it must give, run in a loop. A failure names the sentence,
 * what was expected and what was read. Then an article the importer has never seen, end to end.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {linkLeaves, type LinkResult} from '../../scripts/import/linking.ts'
import {compileTerms, type CompiledTerm} from '../../scripts/import/terms.ts'
import {stableKey} from '../../scripts/lib/hash.ts'
import {FIXTURES, importText, refs, taxonomy, tempDataset, type TempDataset} from './helpers.ts'

interface Case {
  case: string
  sentence: string
  expected: Array<{target: string; kind: string; advice?: string}>
  flagged?: boolean
}

const corpus = JSON.parse(readFileSync(join(FIXTURES, 'relations.json'), 'utf8')) as Case[]

let terms: CompiledTerm[]
beforeAll(async () => {
  terms = compileTerms((await taxonomy()).filter((t) => t._type !== 'treatment'))
})

const read = (sentence: string): LinkResult => linkLeaves([{line: 1, text: sentence}], terms)

describe('the relations corpus', () => {
  it('has at least 60 sentences', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60)
  })

  it.each(corpus.map((c) => [`${c.case}: ${c.sentence}`, c] as const))('%s', (_name, c) => {
    const r = read(c.sentence)
    const got = r.links.map((l) => `${l.kind} ${l.targetId}`).sort()
    const want = c.expected.map((e) => `${e.kind} ${e.target}`).sort()
    const summary = JSON.stringify({read: got, flagged: r.flagged.map((f) => f.reason)})
    expect(got, `relations of "${c.sentence}"; ${summary}`).toEqual(want)
    for (const e of c.expected.filter((x) => x.advice !== undefined)) {
      const link = r.links.find((l) => l.targetId === e.target && l.kind === e.kind)
      expect(link?.advice, `advice for ${e.target}`).toBe(e.advice)
    }
    expect(r.flagged.length > 0, `flagged? ${summary}`).toBe(Boolean(c.flagged))
    for (const l of r.links) expect(l.sentence).toBe(c.sentence.replace(/\s+/g, ' ').trim())
    // Whatever is flagged in a sentence is never linked positively from it.
    const flaggedIds = r.flagged.flatMap((f) => f.targetIds)
    for (const l of r.links) if (l.kind === 'suits') expect(flaggedIds).not.toContain(l.targetId)
  })
})

const PEEL_ARTICLE = `# What a Chemical Peel Can Do

A chemical peel lifts away the outer layers of skin with an acid solution. Superficial peels
suit most people; deeper peels need more care.

## 1. Evens Out Dark Spots

Glycolic and lactic peels fade sun spots and melasma over a series of sessions.

## 2. Not For Every Skin Type

Deeper peels are not suitable for very sensitive skin or darker skin tones. Pause retinol for
3 days before and after a peel, and postpone treatment if you have active acne.

## 3. Refreshes Oily Skin

Salicylic acid peels clear congested pores and suit oily skin.
`

describe('importing a text it has never seen', () => {
  let t: TempDataset
  beforeAll(() => {
    t = tempDataset()
  })
  afterAll(() => t.cleanup())

  it('turns "not suitable for" into contraindications, never positive links', async () => {
    const r = await importText(t.ds, 'clinic/peels.md', PEEL_ARTICLE)
    expect(r.treatment).toMatchObject({id: 'treatment-chemical-peel'})
    const notFor = t.ds.get('benefit-chemical-peel-not-for-every-skin-type')!
    const source = 'Deeper peels are not suitable for very sensitive skin or darker skin tones.'
    expect(notFor.skinTypes).toBeUndefined()
    expect(notFor.cautions).toEqual([
      {
        _key: stableKey('contraindicated:skinType-sensitive'),
        _type: 'caution',
        kind: 'contraindicated',
        target: {_type: 'reference', _ref: 'skinType-sensitive'},
        source,
      },
      {
        _key: stableKey('contraindicated:skinType-fitzpatrick-iv-vi'),
        _type: 'caution',
        kind: 'contraindicated',
        target: {_type: 'reference', _ref: 'skinType-fitzpatrick-iv-vi'},
        source,
      },
      expect.objectContaining({
        kind: 'caution',
        target: {_type: 'reference', _ref: 'serum-retinol'},
        advice: 'Pause retinol for 3 days before and after a peel',
      }),
      expect.objectContaining({
        kind: 'caution',
        target: {_type: 'reference', _ref: 'contraindication-active-acne'},
        advice: 'Postpone treatment if you have active acne',
      }),
    ])
    // No benefit of the article is presented as good for the skin types it warns about.
    for (const b of t.ds.documents({types: ['benefit']}))
      for (const id of ['skinType-sensitive', 'skinType-fitzpatrick-iv-vi'])
        expect(refs(b, 'skinTypes'), b._id).not.toContain(id)
    expect(refs(t.ds.get('benefit-chemical-peel-refreshes-oily-skin'), 'skinTypes')).toEqual([
      'skinType-oily',
    ])
    // The report says the same, with the sentence and its line.
    expect(r.links).toContainEqual(
      expect.objectContaining({
        number: 2,
        targetId: 'skinType-fitzpatrick-iv-vi',
        kind: 'contraindicated',
        sentence: source,
        line: 12,
      }),
    )
    expect(r.links.filter((l) => l.number === 2 && l.kind === 'suits')).toEqual([])
    expect(r.flagged).toEqual([])
  })

  it('imports contraindications as taxonomy, and treatments with their curated cautions', () => {
    expect(t.ds.get('contraindication-isotretinoin')).toMatchObject({
      _type: 'contraindication',
      synonyms: expect.arrayContaining(['Accutane']),
    })
    expect(t.ds.get('treatment-chemical-peel')!.cautions).toContainEqual({
      _key: stableKey('caution:skinType-fitzpatrick-iv-vi'),
      _type: 'caution',
      kind: 'caution',
      target: {_type: 'reference', _ref: 'skinType-fitzpatrick-iv-vi'},
      advice: expect.stringMatching(/hyperpigmentation/),
    })
  })
})
