/** The pure core of sync: listener events to mirror writes, export lines, the stored state. */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {
  defaultMirrorPath,
  documentFromExportLine,
  readDelivery,
  startState,
  SyncProtocolError,
  SyncSourceMismatchError,
  TransactionAssembler,
  writesFor,
  type MutationEventLike,
} from '../../scripts/sync/core.ts'

const event = (over: Partial<MutationEventLike>): MutationEventLike => ({
  eventId: `tx1#${over.documentId ?? 'a'}`,
  documentId: 'a',
  transactionId: 'tx1',
  transition: 'update',
  timestamp: '2025-01-02T00:00:00Z',
  transactionTotalEvents: 1,
  ...over,
})

describe('TransactionAssembler', () => {
  it('completes a transaction once all of its events are in, in any order', () => {
    const a = new TransactionAssembler()
    expect(a.add(event({documentId: 'b', transactionTotalEvents: 2}))).toBeUndefined()
    const tx = a.add(event({documentId: 'a', transactionTotalEvents: 2}))
    expect(tx?.events.map((e) => e.documentId)).toEqual(['b', 'a'])
    expect(tx?.lastEventId).toBe('tx1#a')
  })

  it('forgets unfinished transactions on clear (a reconnect replays or copies them)', () => {
    const a = new TransactionAssembler()
    a.add(event({documentId: 'b', transactionTotalEvents: 2}))
    a.clear()
    expect(a.add(event({documentId: 'a', transactionTotalEvents: 2}))).toBeUndefined()
  })
})

describe('writesFor', () => {
  it('puts results with the source revision, deletes what disappeared, refetches what has no result', () => {
    const tx = new TransactionAssembler().add(event({transactionTotalEvents: 1}))!
    tx.events = [
      event({documentId: 'a', resultRev: 'r2', result: {_id: 'a', _type: 't', title: 'A'}}),
      event({documentId: 'drafts.b', transition: 'disappear'}),
      event({documentId: 'c', transition: 'appear'}),
    ]
    const {batch, refetch} = writesFor(tx)
    expect(batch.put).toEqual([
      {
        _id: 'a',
        _type: 't',
        title: 'A',
        _rev: 'r2',
        _createdAt: '2025-01-02T00:00:00Z',
        _updatedAt: '2025-01-02T00:00:00Z',
      },
    ])
    expect(batch.delete).toEqual(['drafts.b'])
    expect(refetch).toEqual(['c'])
  })

  it('rejects a result that is not a document', () => {
    const tx = new TransactionAssembler().add(event({result: {_id: 'a'}}))!
    expect(() => writesFor(tx)).toThrow(SyncProtocolError)
  })
})

describe('documentFromExportLine', () => {
  it('keeps the system fields and names the line of a bad one', () => {
    const line = '{"_id":"a","_type":"t","_rev":"r","_createdAt":"x","_updatedAt":"y"}'
    expect(documentFromExportLine(line, 1)._rev).toBe('r')
    expect(() => documentFromExportLine('{"_id":"a","_type":"t"}', 7)).toThrow(/line 7: a: _rev/)
    expect(() => documentFromExportLine('nope', 3)).toThrow(/line 3: not JSON/)
  })
})

describe('startState', () => {
  const source = {projectId: 'p', dataset: 'production'}
  it('starts fresh, continues the same source (any host), refuses another', () => {
    expect(startState(undefined, source, 'm')).toEqual({source, copied: false})
    const stored = {source: {...source, apiHost: 'http://127.0.0.1:1'}, copied: true, eventId: 'e'}
    expect(startState(stored, source, 'm')).toEqual({source, copied: true, eventId: 'e'})
    expect(() => startState(stored, {projectId: 'p', dataset: 'staging'}, 'm')).toThrow(
      SyncSourceMismatchError,
    )
  })

  it('refuses a file with documents that were not mirrored (the sweep would delete them)', () => {
    expect(() => startState(undefined, source, '.data/dataset.sqlite', true)).toThrow(
      '.data/dataset.sqlite holds documents that were not mirrored from p/production',
    )
    const stored = {source, copied: false}
    expect(startState(stored, source, 'm', false)).toEqual(stored)
  })
})

describe('defaultMirrorPath', () => {
  it('is one file per source under .data/mirrors, never the embedded dataset', () => {
    expect(defaultMirrorPath({projectId: 'abc123', dataset: 'production'})).toBe(
      join(ROOT, '.data', 'mirrors', 'abc123.production.sqlite'),
    )
    expect(defaultMirrorPath({projectId: '../x', dataset: 'a/b'}, '/d')).toBe(
      '/d/mirrors/___x.a_b.sqlite',
    )
  })
})

describe('readDelivery', () => {
  const source = {projectId: 'p', dataset: 'production'}
  const sent = {
    'sanity-project-id': 'p',
    'sanity-dataset': 'production',
    'sanity-document-id': 'concern-a',
    'sanity-operation': 'update',
    'sanity-transaction-time': '2026-01-02T03:04:05.678Z',
  }

  it("names the body's _id and the sanity-document-id header, with the operation and commit time", () => {
    expect(readDelivery({_id: 'concern-a', title: 'A'}, sent, source)).toEqual({
      kind: 'change',
      ids: ['concern-a'],
      operation: 'update',
      committedAt: Date.parse('2026-01-02T03:04:05.678Z'),
    })
    // A projection without _id: the header names it; a body _id without headers does too.
    expect(readDelivery({title: 'A'}, {'sanity-document-id': 'drafts.a'}, source)).toEqual({
      kind: 'change',
      ids: ['drafts.a'],
    })
    expect(readDelivery({_id: 'b'}, {'sanity-operation': 'explode'}, source)).toEqual({
      kind: 'change',
      ids: ['b'],
    })
    expect(readDelivery({_id: 'b'}, sent, source)).toMatchObject({ids: ['b', 'concern-a']})
  })

  it('ignores deliveries for another project or dataset', () => {
    expect(readDelivery({_id: 'a'}, {...sent, 'sanity-dataset': 'staging'}, source)).toEqual({
      kind: 'ignored',
      reason: 'a delivery for dataset staging, not production',
    })
    expect(readDelivery({_id: 'a'}, {...sent, 'sanity-project-id': 'q'}, source)).toMatchObject({
      kind: 'ignored',
    })
  })

  it('finds a delivery that names no document, or a bad id, invalid', () => {
    for (const body of [undefined, null, 'text', 3, [{_id: 'a'}], {id: 'a'}])
      expect(readDelivery(body, {}, source)).toMatchObject({kind: 'invalid'})
    expect(readDelivery({_id: '../etc'}, {}, source)).toEqual({
      kind: 'invalid',
      problem: '_id may only contain a-z, A-Z, 0-9, ".", "_" and "-"',
    })
    expect(readDelivery({_id: 7}, {}, source)).toMatchObject({kind: 'invalid'})
    expect(readDelivery({}, {'sanity-document-id': ['a', 'b']}, source)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/^sanity-document-id /),
    })
  })
})
