import {existsSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {MutationError, RevisionConflictError} from '../../scripts/lib/errors.ts'
import type {Dataset} from '../../scripts/store/dataset.ts'
import {fixedOptions, testStore, type TestStore} from './setup.ts'

let store: TestStore
let ds: Dataset

beforeEach(() => {
  store = testStore()
  ds = store.open(fixedOptions())
})
afterEach(() => store.cleanup())

const benefit = (id: string, extra: Record<string, unknown> = {}) => ({
  _id: id,
  _type: 'benefit',
  title: `Benefit ${id}`,
  ...extra,
})

/** The error `fn` throws (fails the test if it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

describe('Dataset.open', () => {
  it('creates the file and its parent directories', () => {
    expect(existsSync(store.path)).toBe(true)
    expect(ds.path).toBe(store.path)
    expect(ds.count()).toBe(0)
    expect(ds.lastSeq()).toBe(0)
  })

  it('works in memory', async () => {
    const {Dataset} = await import('../../scripts/store/dataset.ts')
    const mem = Dataset.open(':memory:')
    mem.transaction([{create: benefit('a')}])
    expect(mem.count()).toBe(1)
    mem.close()
  })
})

describe('create', () => {
  it('sets system fields from the transaction', () => {
    const r = ds.transaction([{create: benefit('a')}], {author: 'tester'})
    expect(r).toMatchObject({
      transactionId: 'rev1',
      timestamp: '2025-01-01T00:00:00.000Z',
      seq: 1,
      author: 'tester',
    })
    expect(ds.get('a')).toEqual({
      _id: 'a',
      _type: 'benefit',
      _rev: 'rev1',
      _createdAt: '2025-01-01T00:00:00.000Z',
      _updatedAt: '2025-01-01T00:00:00.000Z',
      title: 'Benefit a',
    })
    expect(r.effects).toEqual([
      {id: 'a', operation: 'create', resultRev: 'rev1', after: ds.get('a')},
    ])
  })

  it('ignores caller-supplied system fields', () => {
    ds.transaction([
      {
        create: {
          ...benefit('a'),
          _rev: 'mine',
          _createdAt: '1999-01-01T00:00:00Z',
          _updatedAt: 'x',
        },
      },
    ])
    expect(ds.get('a')).toMatchObject({
      _rev: 'rev1',
      _createdAt: '2025-01-01T00:00:00.000Z',
      _updatedAt: '2025-01-01T00:00:00.000Z',
    })
  })

  it('fails with 409 when the id exists', () => {
    ds.transaction([{create: benefit('a')}])
    const e = thrown(() => ds.transaction([{create: benefit('a', {title: 'other'})}]))
    expect(e).toBeInstanceOf(MutationError)
    expect(e).toMatchObject({statusCode: 409, documentId: 'a'})
    expect(e.message).toContain('mutations[0].create')
    expect(ds.get('a')?.title).toBe('Benefit a')
  })

  it('generates an id when missing, and appends one to a prefix ending in "."', () => {
    const r = ds.transaction([
      {create: {_type: 'benefit'}},
      {create: {_id: 'drafts.', _type: 'benefit'}},
    ])
    expect(r.effects.map((e) => e.id)).toEqual(['generated1', 'drafts.generated2'])
    expect(r.mutations[0]).toEqual({create: {_type: 'benefit', _id: 'generated1'}})
  })

  it('validates ids and requires _type, naming the mutation and field', () => {
    const cases: Array<[unknown, string]> = [
      [{_id: 'has space', _type: 'x'}, 'mutations[0].create._id'],
      [{_id: '-lead', _type: 'x'}, 'mutations[0].create._id'],
      [{_id: 'a'.repeat(129), _type: 'x'}, 'mutations[0].create._id'],
      [{_id: 'ok'}, 'mutations[0].create._type'],
      [{_id: 'ok', _type: ''}, 'mutations[0].create._type'],
    ]
    for (const [doc, where] of cases) {
      const e = thrown(() => ds.transaction([{create: doc as never}]))
      expect(e).toBeInstanceOf(MutationError)
      expect(e.message).toContain(where)
    }
    expect(
      thrown(() =>
        ds.transaction([
          {createOrReplace: {_id: 'ok', _type: 'x'}},
          {createOrReplace: {_id: 'é', _type: 'x'}},
        ]),
      ).message,
    ).toContain('mutations[1].createOrReplace._id')
    expect(ds.count()).toBe(0)
  })

  it('rejects unknown mutation kinds', () => {
    expect(thrown(() => ds.transaction([{upsert: {}} as never])).message).toContain('mutations[0]')
    expect(
      thrown(() => ds.transaction([{create: benefit('a'), delete: {id: 'a'}} as never])).message,
    ).toContain('exactly one')
  })
})

describe('createOrReplace / createIfNotExists', () => {
  it('createOrReplace replaces content and keeps _createdAt', () => {
    ds.transaction([{create: benefit('a', {extra: 1})}])
    const r = ds.transaction([{createOrReplace: benefit('a', {title: 'New'})}])
    expect(ds.get('a')).toEqual({
      _id: 'a',
      _type: 'benefit',
      _rev: 'rev2',
      _createdAt: '2025-01-01T00:00:00.000Z',
      _updatedAt: '2025-01-01T00:00:01.000Z',
      title: 'New',
    })
    expect(r.effects[0]).toMatchObject({
      id: 'a',
      operation: 'update',
      previousRev: 'rev1',
      resultRev: 'rev2',
    })
    expect(r.effects[0]?.before?.extra).toBe(1)
  })

  it('createIfNotExists leaves an existing document alone', () => {
    ds.transaction([{create: benefit('a')}])
    const r = ds.transaction([
      {createIfNotExists: benefit('a', {title: 'ignored'})},
      {createIfNotExists: benefit('b')},
    ])
    expect(ds.get('a')?.title).toBe('Benefit a')
    expect(ds.get('b')?._rev).toBe('rev2')
    expect(r.effects.map((e) => [e.id, e.operation])).toEqual([['b', 'create']])
  })
})

describe('delete', () => {
  it('deletes by id; deleting a missing id is a no-op', () => {
    ds.transaction([{create: benefit('a')}])
    const r = ds.transaction([{delete: {id: 'a'}}, {delete: {id: 'missing'}}])
    expect(ds.get('a')).toBeUndefined()
    expect(r.effects).toEqual([
      {
        id: 'a',
        operation: 'delete',
        previousRev: 'rev1',
        before: expect.objectContaining({_id: 'a'}),
      },
    ])
  })

  it('deletes by GROQ query with params', () => {
    ds.transaction([
      {create: benefit('a', {n: 1})},
      {create: benefit('b', {n: 2})},
      {create: {_id: 'c', _type: 'concern', n: 2}},
    ])
    ds.transaction([
      {delete: {query: '*[_type == $t && n >= $min]', params: {t: 'benefit', min: 2}}},
    ])
    expect(ds.documents().map((d) => d._id)).toEqual(['a', 'c'])
  })

  it('reports a GROQ syntax error in a query mutation as a MutationError', () => {
    const e = thrown(() => ds.transaction([{delete: {query: '*[_type == ]'}}]))
    expect(e).toBeInstanceOf(MutationError)
    expect(e.message).toContain('mutations[0].delete.query')
  })
})

describe('patch', () => {
  beforeEach(() => {
    ds.transaction([
      {
        create: benefit('a', {
          count: 5,
          nested: {deep: 'x'},
          body: [
            {_key: 'k1', _type: 'block', text: 'one'},
            {_key: 'k2', _type: 'block', text: 'two'},
          ],
          text: 'hello world',
        }),
      },
    ])
  })

  it('set / setIfMissing / unset', () => {
    ds.transaction([
      {
        patch: {
          id: 'a',
          set: {title: 'T', 'nested.deep': 'y', 'body[_key=="k2"].text': 'TWO', 'new.path': 1},
        },
      },
      {patch: {id: 'a', setIfMissing: {title: 'ignored', tags: []}}},
      {patch: {id: 'a', unset: ['count', 'body[_key=="k1"]']}},
    ])
    const a = ds.get('a')!
    expect(a.title).toBe('T')
    expect(a.nested).toEqual({deep: 'y'})
    expect(a.new).toEqual({path: 1})
    expect(a.tags).toEqual([])
    expect(a.count).toBeUndefined()
    expect(a.body).toEqual([{_key: 'k2', _type: 'block', text: 'TWO'}])
  })

  it('inc / dec', () => {
    ds.transaction([{patch: {id: 'a', inc: {count: 3}}}, {patch: {id: 'a', dec: {count: 1}}}])
    expect(ds.get('a')?.count).toBe(7)
  })

  it('insert before / after / replace', () => {
    const item = (k: string) => ({_key: k, _type: 'block', text: k})
    ds.transaction([
      {patch: {id: 'a', insert: {before: 'body[0]', items: [item('first')]}}},
      {patch: {id: 'a', insert: {after: 'body[-1]', items: [item('last')]}}},
      {patch: {id: 'a', insert: {replace: 'body[_key=="k1"]', items: [item('r1'), item('r2')]}}},
    ])
    expect((ds.get('a')!.body as Array<{_key: string}>).map((b) => b._key)).toEqual([
      'first',
      'r1',
      'r2',
      'k2',
      'last',
    ])
  })

  it('diffMatchPatch', () => {
    ds.transaction([
      {patch: {id: 'a', diffMatchPatch: {text: '@@ -1,11 +1,11 @@\n-hello\n+HELLO\n  world\n'}}},
    ])
    expect(ds.get('a')?.text).toBe('HELLO world')
  })

  it('patches by query', () => {
    ds.transaction([
      {create: benefit('b', {count: 1})},
      {create: {_id: 'c', _type: 'concern', count: 1}},
    ])
    const r = ds.transaction([{patch: {query: '*[_type == "benefit"]', inc: {count: 10}}}])
    expect(ds.getMany(['a', 'b', 'c']).map((d) => d?.count)).toEqual([15, 11, 1])
    expect(r.effects.map((e) => e.id).sort()).toEqual(['a', 'b'])
  })

  it('several mutations on one document apply in order and give one effect', () => {
    const r = ds.transaction([
      {patch: {id: 'a', set: {count: 1}}},
      {patch: {id: 'a', inc: {count: 1}}},
      {patch: {id: 'a', set: {title: `n=2`}}},
    ])
    expect(ds.get('a')).toMatchObject({count: 2, title: 'n=2', _rev: 'rev2'})
    expect(r.effects).toHaveLength(1)
    expect(r.effects[0]).toMatchObject({
      operation: 'update',
      previousRev: 'rev1',
      resultRev: 'rev2',
    })
  })

  it('query mutations see earlier mutations of the same transaction', () => {
    ds.transaction([
      {create: benefit('b', {flag: true})},
      {patch: {query: '*[flag == true]', set: {seen: true}}},
    ])
    expect(ds.get('b')?.seen).toBe(true)
  })

  it('fails with 404 on a missing document', () => {
    const e = thrown(() => ds.transaction([{patch: {id: 'missing', set: {x: 1}}}]))
    expect(e).toMatchObject({statusCode: 404, documentId: 'missing'})
  })

  it('cannot change _id, drop _type, or set system fields', () => {
    expect(thrown(() => ds.transaction([{patch: {id: 'a', set: {_id: 'b'}}}])).message).toContain(
      '_id cannot be changed',
    )
    expect(thrown(() => ds.transaction([{patch: {id: 'a', unset: ['_type']}}])).message).toContain(
      '_type',
    )
    ds.transaction([
      {patch: {id: 'a', set: {_rev: 'forged', _createdAt: '1999-01-01T00:00:00Z', title: 'x'}}},
    ])
    expect(ds.get('a')).toMatchObject({
      _rev: 'rev4',
      _createdAt: '2025-01-01T00:00:00.000Z',
      title: 'x',
    })
  })

  it('ifRevisionID: matching revision applies', () => {
    ds.transaction([{patch: {id: 'a', ifRevisionID: 'rev1', set: {title: 'ok'}}}])
    expect(ds.get('a')?.title).toBe('ok')
  })

  it('ifRevisionID: a stale revision throws RevisionConflictError and changes nothing', () => {
    ds.transaction([{patch: {id: 'a', set: {title: 'second'}}}])
    const before = ds.get('a')
    const seq = ds.lastSeq()
    const e = thrown(() =>
      ds.transaction([
        {create: benefit('other')},
        {patch: {id: 'a', ifRevisionID: 'rev1', set: {title: 'lost update'}}},
      ]),
    )
    expect(e).toBeInstanceOf(RevisionConflictError)
    expect(e).toMatchObject({
      documentId: 'a',
      expectedRev: 'rev1',
      actualRev: 'rev2',
      statusCode: 409,
    })
    expect(ds.get('a')).toEqual(before)
    expect(ds.get('other')).toBeUndefined()
    expect(ds.lastSeq()).toBe(seq)
  })

  it('TransactionOptions.ifRevisionIDs guards the whole transaction', () => {
    expect(() => ds.transaction([{create: benefit('b')}], {ifRevisionIDs: {a: 'nope'}})).toThrow(
      RevisionConflictError,
    )
    expect(ds.get('b')).toBeUndefined()
    ds.transaction([{create: benefit('b')}], {ifRevisionIDs: {a: 'rev1'}})
    expect(ds.get('b')).toBeDefined()
  })
})

describe('transactions', () => {
  it('a failing transaction is atomic: earlier mutations are rolled back', () => {
    ds.transaction([{create: benefit('a')}])
    const docsBefore = ds.documents()
    const e = thrown(() =>
      ds.transaction([
        {create: benefit('b')},
        {patch: {id: 'a', set: {title: 'changed'}}},
        {delete: {id: 'a'}},
        {patch: {id: 'nope', set: {x: 1}}},
      ]),
    )
    expect(e).toBeInstanceOf(MutationError)
    expect(e.message).toContain('mutations[3]')
    expect(ds.documents()).toEqual(docsBefore)
    expect(ds.lastSeq()).toBe(1)
    expect(ds.transactionsSince(0)).toHaveLength(1)
  })

  it('a transaction that changes nothing writes nothing and reports no effects', () => {
    ds.transaction([{create: benefit('a', {n: 1})}])
    const r = ds.transaction([
      {createOrReplace: benefit('a', {n: 1})},
      {patch: {id: 'a', set: {n: 1}}},
      {createIfNotExists: benefit('a')},
      {create: benefit('tmp')},
      {delete: {id: 'tmp'}},
    ])
    expect(r.effects).toEqual([])
    expect(r.seq).toBe(1)
    expect(ds.lastSeq()).toBe(1)
    expect(ds.get('a')?._rev).toBe('rev1')
    expect(ds.transactionById(r.transactionId)).toBeUndefined()
  })

  it('key order alone is not a change', () => {
    ds.transaction([{create: {_id: 'a', _type: 'x', p: 1, q: {r: 1, s: 2}}}])
    expect(
      ds.transaction([{createOrReplace: {q: {s: 2, r: 1}, p: 1, _type: 'x', _id: 'a'}}]).effects,
    ).toEqual([])
  })

  it('uses a caller-chosen transaction id as _rev and refuses to reuse it', () => {
    ds.transaction([{create: benefit('a')}], {transactionId: 'my-tx'})
    expect(ds.get('a')?._rev).toBe('my-tx')
    expect(() => ds.transaction([{create: benefit('b')}], {transactionId: 'my-tx'})).toThrow(
      /already used/,
    )
    expect(ds.get('b')).toBeUndefined()
  })

  it('logs transactions with increasing seq', () => {
    const r1 = ds.transaction([{create: benefit('a')}, {create: benefit('b')}], {
      author: 'importer',
    })
    const r2 = ds.transaction([{patch: {id: 'a', set: {x: 1}}}])
    const r3 = ds.transaction([{delete: {id: 'b'}}])
    expect([r1.seq, r2.seq, r3.seq]).toEqual([1, 2, 3])
    expect(ds.lastSeq()).toBe(3)
    const log = ds.transactionsSince(1)
    expect(log.map((t) => t.seq)).toEqual([2, 3])
    expect(log[1]).toEqual({
      transactionId: 'rev3',
      timestamp: '2025-01-01T00:00:02.000Z',
      seq: 3,
      mutations: [{delete: {id: 'b'}}],
      effects: [{id: 'b', operation: 'delete', previousRev: 'rev1'}],
    })
    expect(ds.transactionsSince(0, 1).map((t) => t.seq)).toEqual([1])
    expect(ds.transactionById('rev1')).toMatchObject({
      seq: 1,
      author: 'importer',
      effects: [
        {id: 'a', operation: 'create', resultRev: 'rev1'},
        {id: 'b', operation: 'create', resultRev: 'rev1'},
      ],
    })
  })

  it('does not share objects with the caller', () => {
    const list = [1]
    const doc = benefit('a', {list})
    const r = ds.transaction([{create: doc}])
    list.push(2)
    expect(ds.get('a')?.list).toEqual([1])
    expect(r.mutations[0]).not.toBe(doc)
    expect(doc).not.toHaveProperty('_createdAt')
  })
})

describe('drafts', () => {
  it('stores drafts.<id> next to the published document', () => {
    ds.transaction([
      {create: benefit('a')},
      {create: benefit('drafts.a', {title: 'Draft'})},
      {create: benefit('versions.r1.a')},
    ])
    expect(ds.documents().map((d) => d._id)).toEqual(['a', 'drafts.a', 'versions.r1.a'])
    expect(ds.get('drafts.a')?.title).toBe('Draft')
    // Publish: the draft's content replaces the published document, the draft goes away.
    const {_id, _rev, _createdAt, _updatedAt, ...content} = ds.get('drafts.a')!
    ds.transaction([{createOrReplace: {...content, _id: 'a'}}, {delete: {id: 'drafts.a'}}])
    expect(ds.get('a')?.title).toBe('Draft')
    expect(ds.get('drafts.a')).toBeUndefined()
  })
})

describe('reads', () => {
  it('getMany keeps order and marks missing ids', () => {
    ds.transaction([{create: benefit('a')}, {create: benefit('b')}])
    expect(ds.getMany(['b', 'missing', 'a']).map((d) => d?._id)).toEqual(['b', undefined, 'a'])
    expect(ds.getMany([])).toEqual([])
  })

  it('count and documents filter by type; documents are sorted by _id', () => {
    ds.transaction([
      {create: benefit('b')},
      {create: benefit('a')},
      {create: {_id: 'c', _type: 'concern'}},
      {create: {_id: 'A', _type: 'serum'}},
    ])
    expect(ds.count()).toBe(4)
    expect(ds.count({type: 'benefit'})).toBe(2)
    expect(ds.documents().map((d) => d._id)).toEqual(['A', 'a', 'b', 'c'])
    expect(ds.documents({types: ['concern', 'serum']}).map((d) => d._id)).toEqual(['A', 'c'])
    expect(ds.documents({types: []})).toEqual([])
  })

  it('meta values round-trip', () => {
    expect(ds.getMeta('x')).toBeUndefined()
    ds.setMeta('x', {a: [1, 2]})
    expect(ds.getMeta<{a: number[]}>('x')).toEqual({a: [1, 2]})
    ds.setMeta('x', 3)
    expect(ds.getMeta('x')).toBe(3)
  })
})

describe('history', () => {
  it('lists every revision and can show a document at each', () => {
    ds.transaction([{create: benefit('a', {v: 1})}], {author: 'alice'})
    ds.transaction([{patch: {id: 'a', set: {v: 2}}}])
    ds.transaction([{patch: {id: 'a', set: {v: 3}}}], {author: 'bob'})
    expect(ds.history('a')).toEqual([
      {rev: 'rev1', transactionId: 'rev1', timestamp: '2025-01-01T00:00:00.000Z', author: 'alice'},
      {rev: 'rev2', transactionId: 'rev2', timestamp: '2025-01-01T00:00:01.000Z'},
      {rev: 'rev3', transactionId: 'rev3', timestamp: '2025-01-01T00:00:02.000Z', author: 'bob'},
    ])
    expect(['rev1', 'rev2', 'rev3'].map((r) => ds.documentAtRevision('a', r)?.v)).toEqual([1, 2, 3])
    expect(ds.documentAtRevision('a', 'rev2')).toMatchObject({
      _rev: 'rev2',
      _updatedAt: '2025-01-01T00:00:01.000Z',
    })
    expect(ds.documentAtRevision('a', 'unknown')).toBeUndefined()
    expect(ds.history('missing')).toEqual([])
  })

  it('records deletion and keeps the last version readable', () => {
    ds.transaction([{create: benefit('a', {v: 1})}])
    ds.transaction([{delete: {id: 'a'}}])
    expect(ds.history('a').map((h) => [h.rev, h.deleted ?? false])).toEqual([
      ['rev1', false],
      ['rev2', true],
    ])
    expect(ds.documentAtRevision('a', 'rev1')?.v).toBe(1)
    ds.transaction([{create: benefit('a', {v: 'again'})}])
    expect(ds.get('a')).toMatchObject({v: 'again', _rev: 'rev3'})
    expect(ds.documentAtRevision('a', 'rev1')?.v).toBe(1)
  })
})

describe('two connections to one file', () => {
  it('see each other’s commits', () => {
    const other = store.open(fixedOptions('2025-06-01T00:00:00.000Z'))
    ds.transaction([{create: benefit('a')}])
    expect(other.get('a')?._rev).toBe('rev1')
    expect(other.lastSeq()).toBe(1)
    other.transaction([{patch: {id: 'a', ifRevisionID: 'rev1', set: {title: 'from other'}}}], {
      transactionId: 'other-1',
    })
    expect(ds.get('a')).toMatchObject({title: 'from other', _rev: 'other-1'})
    expect(ds.transactionsSince(1).map((t) => t.transactionId)).toEqual(['other-1'])
    // The first connection's view is stale now: its optimistic lock fails.
    expect(() =>
      ds.transaction([{patch: {id: 'a', ifRevisionID: 'rev1', set: {title: 'stale'}}}]),
    ).toThrow(RevisionConflictError)
  })
})
