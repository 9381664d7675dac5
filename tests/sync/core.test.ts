/** The pure core of sync: listener events to mirror writes, export lines, the stored state. */
import {describe, expect, it} from 'vitest'
import {
  documentFromExportLine,
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
})
