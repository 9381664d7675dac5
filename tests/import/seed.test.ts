/** The seed article end to end against a real dataset file: documents, links, idempotence, edits. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {sha256, stableKey} from '../../scripts/lib/hash.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {
  FIXTURES,
  SEED,
  SEED_FILE,
  SEED_TITLES,
  importText,
  refs,
  tempDataset,
  type TempDataset,
} from './helpers.ts'

const SEED_TEXT = SEED.toString('utf8')
const ARTICLE = 'article-microneedling-benefits'
const benefitId = (title: string) =>
  `benefit-microneedling-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
const withoutSystem = ({_rev, _createdAt, _updatedAt, ...rest}: StoredDocument) => rest

let t: TempDataset
beforeEach(() => {
  t = tempDataset()
})
afterEach(() => t.cleanup())

describe('the seed article', () => {
  it('becomes one article with the ten benefits as written, in order', async () => {
    const r = await importText(t.ds, SEED_FILE, SEED)
    expect(r.articleId).toBe(ARTICLE)
    expect(r.benefits.map((b) => b.title)).toEqual(SEED_TITLES)
    expect(r.benefits.map((b) => b.line)).toEqual([3, 7, 11, 15, 19, 23, 27, 31, 35, 39])
    const article = t.ds.get(ARTICLE)!
    expect(article).toMatchObject({
      _type: 'article',
      title: 'Microneedling Benefits',
      slug: {_type: 'slug', current: 'microneedling-benefits'},
      treatment: {_type: 'reference', _ref: 'treatment-microneedling'},
      summary: 'Microneedling has become one of the most popular skin treatments in recent years.',
      source: {
        fileName: 'microneedling-benefits.txt',
        checksum: `sha256:${sha256(`${SEED_TEXT.trimEnd()}\n`)}`,
        format: 'text',
      },
    })
    expect(refs(article, 'benefits')).toEqual(SEED_TITLES.map(benefitId))
    expect((article.intro as unknown[]).length).toBe(1)
    const erases = t.ds.get(benefitId('Erases Stretch Marks'))!
    expect(erases).toMatchObject({
      title: 'Erases Stretch Marks',
      slug: {current: 'microneedling-erases-stretch-marks'},
      summary: 'Many deal with unsightly stretch marks on the thighs, hips, breasts, and abdomen.',
      bodyAreas: ['breasts', 'abdomen', 'hips', 'thighs'],
    })
    expect(t.ds.get(benefitId('Minimizes Pores'))!.bodyAreas).toEqual(['nose', 'cheeks', 'chin'])
    expect(t.ds.get(benefitId('Improves Skin Thickness'))!.bodyAreas).toBeUndefined() // "adds back thickness" is not the back
  })

  it('links concerns, skin types and adjuncts from each benefit', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const get = (title: string) => t.ds.get(benefitId(title))
    expect(refs(get('Boosts Product Absorption'), 'serums')).toEqual([
      'serum-hyaluronic-acid',
      'serum-vitamin-c',
      'serum-retinol',
    ])
    expect(refs(get('Erases Stretch Marks'), 'concerns')).toEqual(['concern-stretch-marks'])
    expect(refs(get('Safe For All Skin Types'), 'skinTypes').sort()).toEqual([
      'skinType-acne-prone',
      'skinType-mature',
      'skinType-sensitive',
      'skinType-thin',
    ])
    expect(refs(get('Safe For All Skin Types'), 'concerns')).toEqual([]) // "risk of post-inflammatory hyperpigmentation" is not a benefit
    expect(refs(get('Fades Acne Scars'), 'serums')).toEqual(['serum-prp', 'serum-vitamin-c'])
    expect(refs(get('Fades Acne Scars'), 'concerns')).toEqual([
      'concern-acne-scars',
      'concern-hyperpigmentation',
    ])
    expect(refs(get('Minimizes Pores'), 'concerns')).toEqual(['concern-enlarged-pores'])
    expect(refs(get('Improves Skin Thickness'), 'concerns')).toEqual([
      'concern-thinning-skin',
      'concern-fine-lines-and-wrinkles',
      'concern-sagging-skin',
    ])
    expect(refs(get('Brightens Skin Tone'), 'concerns')).toContain('concern-hyperpigmentation')
    // Link keys are the target's stable key, so arrays are identical on every import.
    const serums = get('Boosts Product Absorption')!.serums as Array<{_key: string}>
    expect(new Set(serums.map((s) => s._key)).size).toBe(3)
    // Each positive link keeps the sentence it was read from; the seed cautions about nothing.
    expect(get('Erases Stretch Marks')!.concerns).toEqual([
      {
        _key: stableKey('concern-stretch-marks'),
        _type: 'link',
        target: {_type: 'reference', _ref: 'concern-stretch-marks'},
        source: 'Erases Stretch Marks',
      },
    ])
    expect(get('Safe For All Skin Types')!.skinTypes).toContainEqual(
      expect.objectContaining({
        target: {_type: 'reference', _ref: 'skinType-thin'},
        source:
          'Microneedling works safely on thin or sensitive skin that may not be an ideal candidate for harsher treatments.',
      }),
    )
    for (const b of t.ds.documents({types: ['benefit']})) expect(b.cautions, b._id).toBeUndefined()
    // Every reference resolves to a document of the right type.
    for (const b of t.ds.documents({types: ['benefit']})) {
      for (const [field, type] of [
        ['concerns', 'concern'],
        ['skinTypes', 'skinType'],
        ['serums', 'serum'],
      ] as const) {
        for (const id of refs(b, field))
          expect(t.ds.get(id)?._type, `${b._id}.${field} → ${id}`).toBe(type)
      }
    }
    expect(t.ds.get('serum-prp')).toMatchObject({kind: 'procedure', timing: ['during']})
    expect(t.ds.get('serum-hyaluronic-acid')).toMatchObject({kind: 'serum', timing: ['after']})
    expect(String(t.ds.get('serum-retinol')!.cautions)).toMatch(/irritat/i)
    expect(String(t.ds.get('serum-vitamin-c')!.cautions)).toMatch(/irritat/i)
  })

  it('reports what it linked, what it could not, and editorial warnings with lines', async () => {
    const r = await importText(t.ds, SEED_FILE, SEED)
    expect(r.links).toContainEqual({
      benefitId: benefitId('Erases Stretch Marks'),
      number: 8,
      targetId: 'concern-stretch-marks',
      targetType: 'concern',
      kind: 'suits',
      phrase: 'Stretch Marks',
      line: 31,
      sentence: 'Erases Stretch Marks',
    })
    expect(r.links).toContainEqual(
      expect.objectContaining({
        number: 10,
        targetId: 'skinType-thin',
        phrase: 'thin or sensitive skin',
        line: 41,
      }),
    )
    expect(r.unlinked).toContainEqual(
      expect.objectContaining({number: 9, reason: 'nothing-linked'}),
    )
    expect(r.flagged).toEqual([])
    expect(r.unlinked).toContainEqual(
      expect.objectContaining({
        number: 10,
        reason: 'negated',
        targetId: 'concern-hyperpigmentation',
      }),
    )
    expect(r.unlinked).toContainEqual(
      expect.objectContaining({
        number: 10,
        reason: 'universal',
        phrase: 'all skin types and tones',
      }),
    )
    const at = (rule: string) => r.warnings.filter((w) => w.rule === rule).map((w) => w.line)
    expect(at('claim:erases')).toEqual([31])
    expect(at('claim:flawless')).toEqual([9])
    expect(at('claim:all-skin-types')).toEqual([39, 41])
    expect(at('claim:no-risk')).toEqual([41])
    expect(at('claim:non-invasive')).toEqual([35, 37])
    expect(at('contradiction:invasive')).toEqual([35, 37])
    expect(r.warnings.find((w) => w.rule === 'contradiction:invasive')!.message).toContain('line 1')
    expect(at('heading-format')).toEqual([31])
    expect(r.warnings.filter((w) => w.rule === 'adjunct-caution').map((w) => w.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Retinol'),
        expect.stringContaining('Vitamin C'),
      ]),
    )
    for (const w of r.warnings) expect(w.file).toBe(SEED_FILE)
  })

  it('writes nothing the second time', async () => {
    const first = await importText(t.ds, SEED_FILE, SEED)
    // 1 article, 10 benefits and the 38 taxonomy entries of content/taxonomy.
    expect(first).toMatchObject({created: 49, updated: 0, deleted: 0})
    const exported = exportNdjson(t.ds)
    const seq = t.ds.lastSeq()
    t.reopen()
    const second = await importText(t.ds, SEED_FILE, SEED)
    expect(second).toMatchObject({created: 0, updated: 0, unchanged: 49, deleted: 0})
    expect(second.transactionId).toBeUndefined()
    expect(t.ds.lastSeq()).toBe(seq)
    expect(exportNdjson(t.ds)).toBe(exported)
  })

  it('composes identical documents in two fresh datasets (deterministic ids and keys)', async () => {
    const other = tempDataset()
    try {
      await importText(t.ds, SEED_FILE, SEED)
      await importText(other.ds, SEED_FILE, SEED)
      expect(other.ds.documents().map(withoutSystem)).toEqual(t.ds.documents().map(withoutSystem))
      for (const d of t.ds.documents()) expect(d._id).not.toContain('.')
    } finally {
      other.cleanup()
    }
  })

  it('imports in one transaction by "importer"', async () => {
    const r = await importText(t.ds, SEED_FILE, SEED)
    const tx = t.ds.transactionById(r.transactionId!)!
    expect(tx.author).toBe('importer')
    expect(tx.effects).toHaveLength(49)
    expect(t.ds.lastSeq()).toBe(1)
  })

  it('--dry-run reports the plan and writes nothing', async () => {
    const r = await importText(t.ds, SEED_FILE, SEED, {dryRun: true})
    expect(r).toMatchObject({dryRun: true, created: 49})
    expect(t.ds.count()).toBe(0)
    expect(t.ds.lastSeq()).toBe(0)
  })
})

describe('re-importing an edited source', () => {
  it('updates only the benefit whose paragraph changed', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const revs = new Map(t.ds.documents().map((d) => [d._id, d._rev]))
    const edited = SEED_TEXT.replace(
      'Even deeper wrinkles get mild improvements.',
      'Deeper wrinkles may improve a little.',
    )
    const r = await importText(t.ds, SEED_FILE, edited)
    const softens = benefitId('Softens Fine Lines')
    // The article's source checksum changes too: it records which text was imported.
    expect(r.ids.updated).toEqual([softens, ARTICLE])
    expect(r).toMatchObject({created: 0, deleted: 0})
    const tx = t.ds.transactionById(r.transactionId!)!
    expect(tx.mutations).toEqual([
      {
        patch: expect.objectContaining({
          id: softens,
          ifRevisionID: revs.get(softens),
          set: {body: expect.any(Array)},
        }),
      },
      {patch: expect.objectContaining({id: ARTICLE, set: {source: expect.any(Object)}})},
    ])
    for (const d of t.ds.documents())
      if (d._id !== softens && d._id !== ARTICLE) expect(d._rev, d._id).toBe(revs.get(d._id))
    expect(JSON.stringify(t.ds.get(softens)!.body)).toContain(
      'Deeper wrinkles may improve a little.',
    )
  })

  it('keeps fields editors added and taxonomy editors changed', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const pores = benefitId('Minimizes Pores')
    const dull = t.ds.get('concern-dullness')!
    t.ds.transaction(
      [
        {patch: {id: pores, set: {seo: {metaTitle: 'Microneedling for pores'}}}},
        {patch: {id: ARTICLE, set: {publishedAt: '2025-02-01T09:00:00Z'}}},
        // An editor teaches the taxonomy a phrase the seed uses.
        {
          patch: {
            id: 'concern-dullness',
            set: {synonyms: [...(dull.synonyms as string[]), 'radiant glow']},
          },
        },
      ],
      {author: 'editor'},
    )
    const r = await importText(t.ds, SEED_FILE, SEED)
    expect(t.ds.get(pores)!.seo).toEqual({metaTitle: 'Microneedling for pores'})
    expect(t.ds.get(ARTICLE)!.publishedAt).toBe('2025-02-01T09:00:00Z')
    expect(t.ds.get('concern-dullness')!.synonyms).toContain('radiant glow')
    expect(r.ids.kept).toEqual(['concern-dullness'])
    // The dataset's synonyms are the ones that link: benefit 5 now names dullness.
    expect(r.ids.updated).toEqual([benefitId('Brightens Skin Tone')])
    expect(refs(t.ds.get(benefitId('Brightens Skin Tone')), 'concerns')).toContain(
      'concern-dullness',
    )
  })

  it('deletes benefits that are gone from the source, and reports them', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const shorter = SEED_TEXT.slice(0, SEED_TEXT.indexOf('10. Safe For All Skin Types'))
    const r = await importText(t.ds, SEED_FILE, shorter)
    const gone = benefitId('Safe For All Skin Types')
    expect(r.ids.deleted).toEqual([gone])
    expect(r.deleted).toBe(1)
    expect(t.ds.get(gone)).toBeUndefined()
    expect(refs(t.ds.get(ARTICLE), 'benefits')).toHaveLength(9)
    expect(r.warnings).toContainEqual(
      expect.objectContaining({rule: 'benefit-deleted', documentId: gone}),
    )
  })

  it('keeps a removed benefit that another document still references', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const gone = benefitId('Safe For All Skin Types')
    t.ds.transaction([
      {
        create: {
          _id: 'article-roundup',
          _type: 'article',
          title: 'Roundup',
          benefits: [{_key: 'a', _type: 'reference', _ref: gone}],
        },
      },
    ])
    const r = await importText(t.ds, SEED_FILE, SEED_TEXT.slice(0, SEED_TEXT.indexOf('10. Safe')))
    expect(r.ids.deleted).toEqual([])
    expect(t.ds.get(gone)).toBeDefined()
    expect(r.warnings).toContainEqual(
      expect.objectContaining({rule: 'benefit-kept', documentId: gone}),
    )
  })

  it("warns when an editor's draft exists for an updated document", async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const id = benefitId('Fades Acne Scars')
    t.ds.transaction([
      {
        create: {
          ...withoutSystem(t.ds.get(id)!),
          _id: `drafts.${id}`,
          title: 'Fades Acne Scars (draft)',
        },
      },
    ])
    const r = await importText(t.ds, SEED_FILE, SEED)
    expect(r.warnings).toContainEqual(
      expect.objectContaining({rule: 'draft-exists', documentId: id}),
    )
    expect(t.ds.get(`drafts.${id}`)!.title).toBe('Fades Acne Scars (draft)')
  })
})

describe('several articles in one dataset', () => {
  it('a listicle on another treatment links to the same taxonomy without duplicating it', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const counts = () =>
      Object.fromEntries(
        ['treatment', 'concern', 'skinType', 'serum'].map((type) => [type, t.ds.count({type})]),
      )
    const before = counts()
    const peels = join(FIXTURES, 'chemical-peels', 'input.md')
    const r = await importText(t.ds, peels, readFileSync(peels))
    expect(counts()).toEqual(before)
    expect(r).toMatchObject({
      articleId: 'article-6-benefits-of-chemical-peels',
      created: 7,
      updated: 0,
      deleted: 0,
    })
    expect(r.treatment).toMatchObject({id: 'treatment-chemical-peel', foundIn: 'title'})
    expect(refs(t.ds.get('benefit-chemical-peel-smooths-rough-texture'), 'concerns')).toEqual([
      'concern-rough-texture',
    ])
    // The microneedling article is untouched.
    expect(refs(t.ds.get(ARTICLE), 'benefits')).toHaveLength(10)
    expect(t.ds.count({type: 'article'})).toBe(2)
  })

  it('gives a second article on the same treatment its own benefit ids', async () => {
    await importText(t.ds, SEED_FILE, SEED)
    const md = join(FIXTURES, 'seed-markdown', 'input.md')
    const r = await importText(t.ds, md, readFileSync(md))
    expect(r.articleId).toBe('article-10-benefits-of-microneedling')
    expect(r.benefits[0]!.id).toBe('benefit-10-benefits-of-microneedling-improves-skin-texture')
    expect(r.warnings).toContainEqual(expect.objectContaining({rule: 'benefit-id'}))
    expect(refs(t.ds.get(ARTICLE), 'benefits')[0]).toBe(benefitId('Improves Skin Texture'))
    // Stable on re-import.
    const again = await importText(t.ds, md, readFileSync(md))
    expect(again).toMatchObject({created: 0, updated: 0})
  })

  it('uses --title for the article title, slug and id', async () => {
    const r = await importText(t.ds, SEED_FILE, SEED, {title: '10 Benefits of Microneedling'})
    expect(r.articleId).toBe('article-10-benefits-of-microneedling')
    expect(t.ds.get(r.articleId)!.title).toBe('10 Benefits of Microneedling')
    expect(r.treatment).toMatchObject({id: 'treatment-microneedling', foundIn: 'title'})
  })
})
