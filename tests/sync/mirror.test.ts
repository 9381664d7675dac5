/** Dataset.mirror, the write path of sync: source system fields kept, meta committed with the documents. */
import {describe, expect, it} from 'vitest'
import {MutationError} from '../../scripts/lib/errors.ts'
import {Dataset} from '../../scripts/store/dataset.ts'

const doc = (id: string, rev: string, title: string) => ({
  _id: id,
  _type: 'concern',
  _rev: rev,
  _createdAt: '2024-01-01T00:00:00Z',
  _updatedAt: '2024-02-01T00:00:00Z',
  title,
})

describe('Dataset.mirror', () => {
  it('stores documents as the source does, once per source transaction, deletions included', () => {
    using ds = Dataset.open(':memory:')
    const first = ds.mirror(
      {put: [doc('a', 'r1', 'A'), doc('drafts.a', 'r1', 'A draft')]},
      {transactionId: 'r1', timestamp: '2024-02-01T00:00:00Z', meta: {sync: {n: 1}}},
    )
    expect(first).toMatchObject({written: 2, transaction: {transactionId: 'r1'}})
    expect(ds.get('a')).toEqual(doc('a', 'r1', 'A'))
    expect(ds.transactionById('r1')?.timestamp).toBe('2024-02-01T00:00:00Z')
    expect(ds.getMeta('sync')).toEqual({n: 1})

    // The same source transaction again: nothing, not even the meta.
    expect(
      ds.mirror({put: [doc('a', 'r1', 'A')]}, {transactionId: 'r1', meta: {sync: {n: 9}}}),
    ).toMatchObject({alreadyApplied: true, written: 0})
    expect(ds.getMeta('sync')).toEqual({n: 1})

    // The same documents in a copy batch: unchanged, no log entry, the meta moves.
    const seq = ds.lastSeq()
    expect(ds.mirror({put: [doc('a', 'r1', 'A')]}, {meta: {sync: {n: 2}}})).toMatchObject({
      unchanged: 1,
      written: 0,
    })
    expect(ds.lastSeq()).toBe(seq)
    expect(ds.getMeta('sync')).toEqual({n: 2})

    const del = ds.mirror(
      {put: [doc('a', 'r2', 'A2')], delete: ['drafts.a', 'missing']},
      {transactionId: 'r2'},
    )
    expect(del).toMatchObject({written: 1, deleted: 1})
    expect(ds.get('drafts.a')).toBeUndefined()
    expect(ds.transactionById('r2')?.mutations).toEqual([
      {createOrReplace: doc('a', 'r2', 'A2')},
      {delete: {id: 'drafts.a'}},
    ])
  })

  it('writes nothing, meta included, when a document lacks its system fields', () => {
    using ds = Dataset.open(':memory:')
    const bad = {_id: 'b', _type: 'concern'} as unknown as ReturnType<typeof doc>
    expect(() => ds.mirror({put: [doc('a', 'r1', 'A'), bad]}, {meta: {sync: 1}})).toThrow(
      MutationError,
    )
    expect(ds.count()).toBe(0)
    expect(ds.getMeta('sync')).toBeUndefined()
  })
})
