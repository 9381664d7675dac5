import {evaluate, parse} from 'groq-js'
import {afterEach, describe, expect, it} from 'vitest'
import {createLocalSource, reverseIndex, runQuery, runQuerySync} from '../../scripts/query/local.ts'
import {GroqQueryError} from '../../scripts/query/errors.ts'
import {applyPerspective} from '../../scripts/query/perspective.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {testStore, type TestStore} from '../store/setup.ts'

const sys = {_rev: 'r', _createdAt: '2025-01-01T00:00:00Z', _updatedAt: '2025-01-01T00:00:00Z'}
const ref = (id: string, key = id) => ({_key: key, _type: 'reference', _ref: id})
const doc = (_id: string, _type: string, fields: Record<string, unknown> = {}): StoredDocument => ({
  _id,
  _type,
  ...sys,
  ...fields,
})

/** A small graph: benefits → concerns / skin types / serums, plus drafts and a release version. */
const DOCS: StoredDocument[] = [
  doc('benefit-collagen', 'benefit', {
    title: 'Collagen',
    order: 1,
    concerns: [ref('concern-wrinkles'), ref('concern-scars')],
    skinTypes: [ref('skin-dry')],
  }),
  doc('benefit-pores', 'benefit', {
    title: 'Pores',
    order: 2,
    concerns: [ref('concern-pores'), ref('concern-missing')],
    body: [
      {
        _key: 'b',
        _type: 'block',
        markDefs: [{_key: 'm', _type: 'internalLink', reference: ref('serum-hyaluronic')}],
        children: [],
      },
    ],
  }),
  doc('concern-pores', 'concern', {title: 'Large pores'}),
  doc('concern-scars', 'concern', {title: 'Acne scars'}),
  doc('concern-wrinkles', 'concern', {title: 'Wrinkles'}),
  doc('drafts.benefit-collagen', 'benefit', {
    title: 'Collagen (edited)',
    order: 1,
    concerns: [ref('concern-wrinkles')],
  }),
  doc('drafts.benefit-new', 'benefit', {title: 'Brand new', order: 3}),
  doc('drafts.concern-wrinkles', 'concern', {title: 'Fine lines & wrinkles'}),
  doc('serum-hyaluronic', 'serum', {title: 'Hyaluronic acid'}),
  doc('skin-dry', 'skinType', {title: 'Dry'}),
  doc('versions.r1.benefit-pores', 'benefit', {title: 'Pores (release)', order: 2}),
]

describe('perspectives', () => {
  const source = createLocalSource(DOCS)
  const ids = (p: 'published' | 'drafts' | 'raw') =>
    runQuerySync<string[]>(source, '*[]._id', {}, {perspective: p})

  it('published (the default) hides drafts and versions', async () => {
    expect(await runQuery(source, '*[]._id')).toEqual(ids('published'))
    expect(ids('published')).toEqual([
      'benefit-collagen',
      'benefit-pores',
      'concern-pores',
      'concern-scars',
      'concern-wrinkles',
      'serum-hyaluronic',
      'skin-dry',
    ])
  })

  it('raw shows every document', () => {
    expect(ids('raw')).toEqual(DOCS.map((d) => d._id))
  })

  it('drafts overlays drafts.X over X under the published id; every document has _originalId', async () => {
    expect(ids('drafts')).toEqual([
      'benefit-collagen',
      'benefit-new',
      'benefit-pores',
      'concern-pores',
      'concern-scars',
      'concern-wrinkles',
      'serum-hyaluronic',
      'skin-dry',
    ])
    const collagen = await runQuery(
      source,
      '*[_id == "benefit-collagen"][0]{_id, _originalId, title, "concerns": concerns[]->title}',
      {},
      {perspective: 'drafts'},
    )
    expect(collagen).toEqual({
      _id: 'benefit-collagen',
      _originalId: 'drafts.benefit-collagen',
      title: 'Collagen (edited)',
      concerns: ['Fine lines & wrinkles'],
    })
    const published = await runQuery(
      source,
      '*[_id == "benefit-pores"][0]{_id, _originalId}',
      {},
      {perspective: 'drafts'},
    )
    expect(published).toEqual({_id: 'benefit-pores', _originalId: 'benefit-pores'})
  })

  it('does not modify the input documents', () => {
    const copy = structuredClone(DOCS)
    applyPerspective(DOCS, 'drafts')
    expect(DOCS).toEqual(copy)
  })
})

describe('runQuery', () => {
  const source = createLocalSource(DOCS)
  const QUERIES = [
    '*[_type == "benefit"] | order(order asc){_id, title, "concerns": concerns[]->{_id, title}, "skin": skinTypes[]->title}',
    '*[_type == "benefit"]{"links": body[].markDefs[].reference->title}',
    '*[_type == "benefit"][0].concerns[0]->',
    'count(*[_type == "concern"])',
    '*[_type == "benefit" && "concern-scars" in concerns[]._ref]._id',
  ]

  it.each(QUERIES)(
    'dereference table gives the same result as groq-js’s own `->`: %s',
    async (query) => {
      for (const perspective of ['published', 'drafts', 'raw'] as const) {
        const dataset = applyPerspective(DOCS, perspective)
        const expected = await (await evaluate(parse(query), {dataset})).get()
        expect(await runQuery(source, query, {}, {perspective})).toEqual(expected)
        expect(runQuerySync(source, query, {}, {perspective})).toEqual(expected)
      }
    },
  )

  it('dereferences missing targets to null', async () => {
    expect(await runQuery(source, '*[_id == "benefit-pores"][0].concerns[]->title')).toEqual([
      'Large pores',
      null,
    ])
  })

  it('passes params', async () => {
    expect(
      await runQuery(source, '*[_type == $type && order > $min]._id', {type: 'benefit', min: 1}),
    ).toEqual(['benefit-pores'])
  })

  it('uses the injected now()', async () => {
    expect(await runQuery(source, 'now()', {}, {now: new Date('2025-03-04T05:06:07Z')})).toBe(
      '2025-03-04T05:06:07.000Z',
    )
  })

  it('returns DateTime values as strings', async () => {
    expect(await runQuery(source, 'dateTime("2025-01-01T00:00:00Z") + 60')).toBe(
      '2025-01-01T00:01:00Z',
    )
  })

  it('falls back to the async evaluator for async-only functions', async () => {
    expect(() => runQuerySync(source, 'diff::changedAny({"a": 1}, {"a": 2}, (a))')).toThrow(
      GroqQueryError,
    )
    expect(await runQuery(source, 'diff::changedAny({"a": 1}, {"a": 2}, (a))')).toBe(true)
  })

  it('reports syntax errors as GroqQueryError with position, line and column', async () => {
    const query = '*[_type == "benefit"]{\n  title,\n  "x": ]\n}'
    const e = await runQuery(source, query).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(GroqQueryError)
    expect(e).toMatchObject({
      name: 'GroqQueryError',
      code: 'GROQ',
      query,
      line: 3,
      column: 7,
      position: 38,
    })
    expect((e as Error).message).toContain('line 3, column 7')
  })

  it('rejects a $param that was not provided, like Content Lake', async () => {
    await expect(
      runQuery(source, '*[_type == $type && order > $min]', {type: 'benefit'}),
    ).rejects.toThrow('param $min referenced, but not provided')
  })

  it('rejects an unknown perspective', async () => {
    await expect(
      runQuery(source, '*', {}, {perspective: 'previewDrafts' as never}),
    ).rejects.toThrow(GroqQueryError)
  })
})

describe('reverseIndex', () => {
  it('maps each referenced id to the documents referencing it, at any depth', () => {
    const index = reverseIndex(applyPerspective(DOCS, 'published'))
    expect(index.get('concern-wrinkles')).toEqual(new Set(['benefit-collagen']))
    expect(index.get('concern-pores')).toEqual(new Set(['benefit-pores']))
    expect(index.get('serum-hyaluronic')).toEqual(new Set(['benefit-pores']))
    expect(index.get('concern-missing')).toEqual(new Set(['benefit-pores']))
    expect(index.has('benefit-collagen')).toBe(false)
  })

  it('agrees with GROQ references()', async () => {
    const docs = applyPerspective(DOCS, 'raw')
    const index = reverseIndex(docs)
    for (const target of ['concern-wrinkles', 'concern-scars', 'serum-hyaluronic', 'skin-dry']) {
      const expected = (await (
        await evaluate(parse('*[references($id)]._id'), {dataset: docs, params: {id: target}})
      ).get()) as string[]
      expect([...(index.get(target) ?? [])].sort()).toEqual(expected.sort())
    }
  })
})

describe('createLocalSource(Dataset)', () => {
  let store: TestStore | undefined
  afterEach(() => store?.cleanup())

  it('reads the dataset once', async () => {
    store = testStore('query-test-')
    const ds = store.open()
    ds.transaction([
      {create: {_id: 'concern-a', _type: 'concern', title: 'A'}},
      {create: {_id: 'benefit-a', _type: 'benefit', concerns: [ref('concern-a')]}},
    ])
    const source = createLocalSource(ds)
    ds.transaction([{create: {_id: 'later', _type: 'concern'}}])
    expect(await runQuery(source, '*[_type == "benefit"][0].concerns[0]->title')).toBe('A')
    expect(await runQuery(source, 'count(*)')).toBe(2)
  })
})
