/**
 * Document limits in the store: array indexes within the array (plus one, to append), a maximum
 * document size on every write path (mutations, NDJSON import), and the JSON size count behind it.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {InputError, MutationError} from '../../scripts/lib/errors.ts'
import {mulberry32, type Rng} from '../../scripts/reliability/random.ts'
import type {Dataset} from '../../scripts/store/dataset.ts'
import {jsonLargerThan, MAX_DOCUMENT_BYTES, MAX_PATH_LENGTH} from '../../scripts/store/limits.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {indexProblem} from '../../scripts/store/pathIndexes.ts'
import type {Mutation} from '../../scripts/store/types.ts'
import {fixedOptions, testStore, type TestStore} from './setup.ts'

let store: TestStore
let ds: Dataset

beforeEach(() => {
  store = testStore()
  ds = store.open(fixedOptions())
  ds.transaction([{create: {_id: 'a', _type: 'note', arr: [1, 2], body: [], title: 'A'}}])
})
afterEach(() => store.cleanup())

/** The MutationError a transaction throws; fails the test when it commits. */
function refused(...mutations: Mutation[]): MutationError {
  const seq = ds.lastSeq()
  try {
    ds.transaction(mutations)
  } catch (e) {
    expect(e).toBeInstanceOf(MutationError)
    expect(ds.lastSeq()).toBe(seq)
    return e as MutationError
  }
  throw new Error('expected the transaction to be refused')
}

const patch = (ops: Record<string, unknown>): Mutation => ({patch: {id: 'a', ...ops}})

describe('array indexes in patch paths', () => {
  it('refuse an index past the end: the 70-byte request that made a 100 MB document', () => {
    const e = refused(patch({set: {'arr[19999999]': 1}}))
    expect(e.statusCode).toBe(400)
    expect(e.documentId).toBe('a')
    expect(e.message).toContain('mutations[0].patch.set["arr[19999999]"] (a)')
    expect(e.message).toContain('outside the array (length 2)')
    expect(ds.get('a')!.arr).toEqual([1, 2])
  })

  it('allow every index within the array and the one just past it (an append)', () => {
    ds.transaction([patch({set: {'arr[0]': 10, 'arr[-1]': 20}})])
    ds.transaction([patch({set: {'arr[2]': 30}})])
    expect(ds.get('a')!.arr).toEqual([10, 20, 30])
    expect(refused(patch({set: {'arr[4]': 1}})).message).toContain('array index 4')
    expect(refused(patch({set: {'arr[-5]': 1}})).message).toContain('array index -5')
  })

  it('check each operation against the document the ones before it left', () => {
    // set appends at 2 first (mutator order: setIfMissing, set, unset, …, insert), then insert
    // addresses the new last item.
    ds.transaction([
      patch({insert: {after: 'arr[2]', items: [4]}, set: {'arr[2]': 3}, setIfMissing: {tags: []}}),
    ])
    expect(ds.get('a')).toMatchObject({arr: [1, 2, 3, 4], tags: []})
  })

  it('allow what the Studio sends: insert after [-1] of an empty array, keyed paths', () => {
    ds.transaction([
      patch({insert: {after: 'body[-1]', items: [{_key: 'k1', text: 'one'}]}}),
      patch({insert: {before: 'body[0]', items: [{_key: 'k0', text: 'zero'}]}}),
      patch({set: {'body[_key=="k1"].text': 'ONE'}, unset: ['body[_key=="k0"]']}),
    ])
    expect(ds.get('a')!.body).toEqual([{_key: 'k1', text: 'ONE'}])
  })

  it('refuse slices and unions reaching past the array before they are expanded', () => {
    for (const ops of [
      {set: {'arr[0:2000000000]': 1}},
      {unset: ['arr[0:2000000000]']},
      {set: {'arr[0,1,99]': 1}},
      {set: {'missing[0:2000000000]': 1}},
      {set: {'[0:2000000000]': 1}},
      {insert: {after: 'arr[0:2000000000]', items: [1]}},
    ]) {
      expect(refused(patch(ops)).message, JSON.stringify(ops)).toMatch(
        /array index 20+|array index 99/,
      )
    }
    expect(ds.get('a')!.arr).toEqual([1, 2])
  })

  it('refuse fractional indexes and indexes inside bracketed sub-paths', () => {
    expect(refused(patch({set: {'arr[1.5]': 1}})).message).toContain('not an integer')
    expect(refused(patch({set: {'arr[x[5]]': 1}})).message).toContain('sub-path')
  })

  it(`refuse paths longer than ${MAX_PATH_LENGTH} characters before reading them`, () => {
    const e = refused(patch({set: {[`arr${'[0]'.repeat(1_000_000)}`]: 1}}))
    expect(e.message).toContain(`path longer than ${MAX_PATH_LENGTH} characters`)
    ds.transaction([patch({set: {[`deep.${'k'.repeat(MAX_PATH_LENGTH - 5)}`]: 1}})])
    expect(Object.keys(ds.get('a')!.deep as object)).toHaveLength(1)
  })

  it('leave numbers in comparisons alone', () => {
    ds.transaction([patch({set: {'body[n > 100000000]': 1, 'arr[@ == 19999999]': 3}})])
    expect(ds.get('a')!.arr).toEqual([1, 2])
  })

  it('indexProblem: numbers in index positions, against every array the prefix reaches', () => {
    const doc = {a: [{b: [1]}, {b: [1, 2, 3]}], s: 'x'}
    expect(indexProblem('a[1].b[3]', doc)).toBeUndefined()
    expect(indexProblem('a[0].b[2]', doc)).toContain('length 1')
    expect(indexProblem('a[2:0]', doc)).toBeUndefined()
    expect(indexProblem('a[-3]', doc)).toBeUndefined()
    expect(indexProblem('a[-4]', doc)).toContain('array index -4')
    expect(indexProblem('s[1]', doc)).toContain('length 0')
    // What a path reaches nothing with counts as empty: a set would create it there.
    expect(indexProblem('a[_key == "x"].b[0]', doc)).toBeUndefined()
    expect(indexProblem('a[_key == "x"].b[1]', doc)).toContain('length 0')
    // Brackets inside quoted names are not indexes.
    expect(indexProblem("a['x[99]']", doc)).toBeUndefined()
    expect(indexProblem("a['q[9]'][1]", doc)).toMatch(/^array index 1 is outside/)
    // Unreadable paths are left to the mutator, which refuses them.
    expect(indexProblem('a[0', doc)).toBeUndefined()
    expect(indexProblem('a["unterminated', doc)).toBeUndefined()
  })
})

describe('maximum document size', () => {
  const big = 'x'.repeat(MAX_DOCUMENT_BYTES)

  it('refuses creates and replacements larger than 32 MB', () => {
    for (const m of [
      {create: {_id: 'big', _type: 'note', text: big}},
      {createOrReplace: {_id: 'a', _type: 'note', text: big}},
      {createIfNotExists: {_id: 'big', _type: 'note', text: big}},
    ] as Mutation[]) {
      const e = refused(m)
      expect(e.statusCode).toBe(400)
      expect(e.message).toContain('larger than 32 MB')
    }
    expect(ds.get('big')).toBeUndefined()
  })

  it('refuses a patch that grows a document past it, without stringifying the result', () => {
    ds.transaction([patch({set: {slots: new Array(1000).fill(0)}})])
    // One 1 MB string in 1,000 slots: 1 GB of JSON if it were written out (stringifying it
    // would throw "Invalid string length" instead of this error).
    const e = refused(patch({set: {'slots[0:1000]': 'y'.repeat(1_000_000)}}))
    expect(e.message).toContain('mutations[0].patch: document "a" would be larger than 32 MB')
    expect(ds.get('a')!.slots).toHaveLength(1000)
  })

  it('accepts a document just under the limit', () => {
    const text = 'z'.repeat(MAX_DOCUMENT_BYTES - 200)
    ds.transaction([{create: {_id: 'edge', _type: 'note', text}}])
    expect(Buffer.byteLength(JSON.stringify(ds.get('edge')))).toBeLessThanOrEqual(
      MAX_DOCUMENT_BYTES,
    )
  })

  it('refuses a bulk import (migration previews, rehearsals) of a document larger than 32 MB', () => {
    let error: unknown
    try {
      ds.importDocuments([
        {_id: 'fine', _type: 'note'},
        {_id: 'huge', _type: 'note', text: big},
      ])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MutationError)
    expect((error as MutationError).message).toBe(
      'documents: "huge" is larger than 32 MB, the maximum document size',
    )
    expect(ds.get('fine')).toBeUndefined()
  })

  it('refuses an NDJSON line larger than 32 MB, naming its line', () => {
    const lines = [
      JSON.stringify({_id: 'ok', _type: 'note'}),
      JSON.stringify({_id: 'huge', _type: 'note', text: big}),
    ].join('\n')
    let error: unknown
    try {
      importNdjson(ds, lines, {file: 'big.ndjson'})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).problems).toEqual([
      expect.objectContaining({
        line: 2,
        documentId: 'huge',
        message: expect.stringContaining('32 MB'),
      }),
    ])
    expect(ds.get('ok')).toBeUndefined()
  })
})

describe('jsonLargerThan', () => {
  /** JSON-ish values, with what JSON.stringify drops or turns into null. */
  function value(rng: Rng, depth: number): unknown {
    if (depth > 4 || rng.chance(0.35)) {
      return rng.pick<() => unknown>([
        () => null,
        () => rng.next() * 1e6 - 5e5,
        () => rng.int(-10, 10) * 10 ** rng.int(0, 25),
        () => rng.chance(0.5),
        () => Number.NaN,
        () => String.fromCharCode(...Array.from({length: rng.int(0, 8)}, () => rng.int(0, 0xffff))),
        () => '"\\\n\u0001é😀',
      ])()
    }
    if (rng.chance(0.5)) {
      const arr = Array.from({length: rng.int(0, 4)}, () => value(rng, depth + 1))
      if (rng.chance(0.2)) arr[arr.length + 1] = 1 // a hole
      if (rng.chance(0.2)) arr.push(undefined)
      return arr
    }
    const obj: Record<string, unknown> = {}
    for (let i = rng.int(0, 4); i > 0; i--) obj[`k"${i}é`] = value(rng, depth + 1)
    if (rng.chance(0.2)) obj.dropped = undefined
    return obj
  }

  it('agrees with the length of JSON.stringify (UTF-8 bytes), seeded', () => {
    const rng = mulberry32(0x6a50)
    for (let i = 0; i < 2000; i++) {
      const v = value(rng, 0)
      const bytes = Buffer.byteLength(JSON.stringify(v))
      expect(jsonLargerThan(v, bytes), JSON.stringify(v)).toBe(false)
      expect(jsonLargerThan(v, bytes - 1), JSON.stringify(v)).toBe(true)
    }
  })

  it('stops early on a sparse array and on shared strings', () => {
    const sparse: number[] = []
    sparse[19_999_999] = 1
    const shared = new Array(10_000).fill('s'.repeat(1_000_000))
    // Walked through, these would be 20 million items and 10 GB of strings: the test's timeout.
    expect(jsonLargerThan({sparse})).toBe(true)
    expect(jsonLargerThan({shared})).toBe(true)
  })
})
