/**
 * The compiled GROQ fast path (scripts/query/compile.ts) returns what groq-js returns, on a
 * generated dataset, in every perspective; queries outside its subset are left to groq-js.
 */
import {evaluate, parse} from 'groq-js'
import {describe, expect, it} from 'vitest'
import {compileGroq} from '../../scripts/query/compile.ts'
import {createLocalSource, runQuery, runQuerySync} from '../../scripts/query/local.ts'
import {applyPerspective} from '../../scripts/query/perspective.ts'
import * as QUERIES from '../../scripts/query/queries.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {generateDataset} from '../../scripts/synthetic/generate.ts'

const base = generateDataset({size: 300, seed: 3})
const docs: StoredDocument[] = [
  ...base,
  // Drafts, a release version, odd values: what a real dataset holds besides clean documents.
  {
    ...base.find((d) => d._type === 'benefit')!,
    _id: `drafts.${base.find((d) => d._type === 'benefit')!._id}`,
    title: 'Draft title',
    order: 3,
  },
  {...base.find((d) => d._type === 'concern')!, _id: 'versions.r1.concern-x', title: 'Release'},
  {
    _id: 'odd-1',
    _type: 'benefit',
    _rev: 'r',
    _createdAt: '2024-01-01T00:00:00Z',
    _updatedAt: '2024-01-01T00:00:00Z',
    title: 7,
    slug: {current: ['a']},
    concerns: 'nope',
    order: true,
  },
  {
    _id: 'odd-2',
    _type: 'benefit',
    _rev: 'r',
    _createdAt: '2024-01-01T00:00:00Z',
    _updatedAt: '2024-01-01T00:00:00Z',
    slug: {current: 'zz'},
    order: null,
    concerns: [{_ref: 'concern-missing'}, {_ref: 7}, null],
  },
].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))

const CASES: Array<[string, Record<string, unknown>]> = [
  ...Object.values(QUERIES).map((q): [string, Record<string, unknown>] => [q as string, {}]),
  [
    '*[_type == "benefit" && slug.current == $slug][0]{_id, title, "concerns": concerns[]->{title, "slug": slug.current}}',
    {
      slug:
        base.find((d) => d._type === 'benefit')!.slug &&
        (base.find((d) => d._type === 'benefit')!.slug as {current: string}).current,
    },
  ],
  ['*[_type == "concern"] | order(title desc, _id asc)[2...9]{_id, title}', {}],
  ['*[_type == $t && defined(review.lastReviewed)]._id', {t: 'benefit'}],
  ['count(*[_type == "benefit" && count(concerns) > 3])', {}],
  ['*[_id == $id][0]', {id: 'concern-000003'}],
  [
    '*[_id in $ids]{_id, "c": coalesce(summary, title, "none")}',
    {ids: ['benefit-000001', 'concern-000002', 'nope']},
  ],
  ['*[_type == "benefit" && !(_id in path("drafts.**"))][0..3]._id', {}],
  [
    '*[_type == "benefit" && ("concern-000001" in concerns[]._ref || order > 1)]{_id, order, "n": count(serums), "a": serums[0]->title}',
    {},
  ],
  ['*[_type == "benefit"] | order(order asc, slug.current desc){_id, order}', {}],
  ['*[title < "M" && _type != "benefit"]{_id, "x": [title, ...synonyms, 1]}', {}],
  [
    '*[_type == "article"]{..., "benefits": benefits[]->{_id, title}, "first": benefits[0]->slug.current}',
    {},
  ],
  ['*[_type == "benefit"][0].body[].children[].text', {}],
  ['{"n": count(*), "types": *[_id == "concern-000001"]._type, "nothing": *[false]}', {}],
]

/** Cases the compiler leaves to groq-js (path() is outside its subset); every other one must compile. */
const GROQ_JS_ONLY = new Set(['*[_type == "benefit" && !(_id in path("drafts.**"))][0..3]._id'])

describe('compiled GROQ', () => {
  const source = createLocalSource(docs)
  it.each(CASES)('matches groq-js: %s', async (query, params) => {
    // Otherwise a compiler that gave up on everything would pass: groq-js would answer each case.
    expect(typeof compileGroq(parse(query))).toBe(
      GROQ_JS_ONLY.has(query) ? 'undefined' : 'function',
    )
    for (const perspective of ['published', 'drafts', 'raw'] as const) {
      const dataset = applyPerspective(docs, perspective)
      const expected = await (await evaluate(parse(query, {params}), {dataset, params})).get()
      expect(await runQuery(source, query, params, {perspective}), perspective).toEqual(expected)
      expect(runQuerySync(source, query, params, {perspective}), perspective).toEqual(expected)
    }
  })

  it('compiles the pipeline queries and leaves functions it does not know to groq-js', () => {
    for (const q of Object.values(QUERIES))
      expect(compileGroq(parse(q as string)), q as string).toEqual(expect.any(Function))
    expect(compileGroq(parse('*[_type == "benefit"]{"at": now()}'))).toBeUndefined()
    expect(compileGroq(parse('*[_type == "benefit"]{"p": ^._id}'))).toBeUndefined()
    expect(compileGroq(parse('*[title match "Improves*"]'))).toBeUndefined()
  })
})
