import {afterEach, describe, expect, it} from 'vitest'
import {
  eventsForStream,
  type ResolvedTransaction,
  type StreamOptions,
} from '../../scripts/api/listen/events.ts'
import {compileListenFilter} from '../../scripts/api/listen/filter.ts'
import {ListenHub} from '../../scripts/api/listen/hub.ts'
import {HttpError} from '../../scripts/api/http.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

const doc = (id: string, rev: string, fields: Record<string, unknown> = {}): StoredDocument => ({
  _id: id,
  _type: 'benefit',
  _rev: rev,
  _createdAt: '2025-01-01T00:00:00.000Z',
  _updatedAt: '2025-01-01T00:00:00.000Z',
  ...fields,
})

/** A publish: the draft's content becomes the published document, the draft is deleted. */
const publish: ResolvedTransaction = {
  transactionId: 'tx2',
  timestamp: '2025-01-02T00:00:00.000Z',
  seq: 2,
  author: 'p-local-editor',
  changes: [
    {id: 'b1', before: doc('b1', 'r0', {title: 'Old'}), after: doc('b1', 'tx2', {title: 'New'})},
    {id: 'drafts.b1', before: doc('drafts.b1', 'r1', {title: 'New'})},
  ],
}

const options = (query: string, extra: Partial<StreamOptions> = {}): StreamOptions => ({
  matches: compileListenFilter(query, {id: 'b1', draft: 'drafts.b1'}, 'p-local-editor'),
  includeResult: true,
  includePreviousRevision: false,
  includeMutations: true,
  ...extra,
})

describe('listen events (shape the Studio needs)', () => {
  it('a pair listener gets both events of a publish, counted for this stream', () => {
    const events = eventsForStream(
      publish,
      options('*[_id in [$id, $draft]]', {effectFormat: 'mendoza'}),
    )
    expect(events).toHaveLength(2)
    expect(events[0]).toMatchObject({
      eventId: 'tx2#b1',
      documentId: 'b1',
      transactionId: 'tx2',
      transition: 'update',
      identity: 'p-local-editor',
      previousRev: 'r0',
      resultRev: 'tx2',
      visibility: 'query',
      transactionTotalEvents: 2,
      transactionCurrentEvent: 1,
      mutations: [{createOrReplace: publish.changes[0]!.after}],
      result: publish.changes[0]!.after,
    })
    expect(events[1]).toMatchObject({
      documentId: 'drafts.b1',
      transition: 'disappear',
      previousRev: 'r1',
      resultRev: 'tx2',
      transactionCurrentEvent: 2,
      mutations: [{delete: {id: 'drafts.b1'}}],
    })
    expect(events[1]).not.toHaveProperty('result')
  })

  it('mendoza effects replace the whole document both ways, without _rev', () => {
    const [event] = eventsForStream(publish, options('*[_id == $id]', {effectFormat: 'mendoza'}))
    const {_rev: _a, ...after} = publish.changes[0]!.after!
    const {_rev: _b, ...before} = publish.changes[0]!.before!
    expect(event!.effects).toEqual({apply: [0, after], revert: [0, before]})
    const [deleted] = eventsForStream(
      publish,
      options('*[_id == $draft]', {effectFormat: 'mendoza'}),
    )
    expect(deleted!.effects!.apply).toEqual([0, null])
  })

  it('a stream that sees one document of a two-document transaction is told the total is 1', () => {
    const events = eventsForStream(publish, options('*[_id == $id]'))
    expect(
      events.map((e) => [e.documentId, e.transactionTotalEvents, e.transactionCurrentEvent]),
    ).toEqual([['b1', 1, 1]])
  })

  it('transitions follow the filter: a change that stops matching is a disappear', () => {
    const events = eventsForStream(publish, options('*[title == "Old"]'))
    expect(events.map((e) => [e.documentId, e.transition])).toEqual([['b1', 'disappear']])
    expect(
      eventsForStream(publish, options('*[title == "New" && !(_id in path("drafts.**"))]')).map(
        (e) => e.transition,
      ),
    ).toEqual(['appear'])
    expect(eventsForStream(publish, options('*[_type == "concern"]'))).toEqual([])
  })

  it('options: previous revision on request, no result or mutations when turned off', () => {
    const [event] = eventsForStream(
      publish,
      options('*[_id == $id]', {
        includeResult: false,
        includeMutations: false,
        includePreviousRevision: true,
      }),
    )
    expect(event).not.toHaveProperty('result')
    expect(event).not.toHaveProperty('mutations')
    expect(event!.previous).toEqual(publish.changes[0]!.before)
  })

  it('an unparsable listen query is a 400', () => {
    expect(() => compileListenFilter('*[', {}, 'u')).toThrow(HttpError)
  })
})

describe('listen hub (the transaction log as the source of events)', () => {
  let ds: Dataset | undefined
  let hub: ListenHub | undefined
  afterEach(() => {
    hub?.close()
    ds?.close()
  })

  it('delivers each logged transaction once, with both document versions, after the subscriber joined', () => {
    ds = Dataset.open(':memory:')
    ds.transaction([{create: {_id: 'c1', _type: 'concern', title: 'Before the listener'}}])
    hub = new ListenHub(ds, {pollMs: 60_000})
    const got: ResolvedTransaction[] = []
    hub.subscribe({fromSeq: hub.position(), deliver: (tx) => got.push(tx)})
    const tx = ds.transaction(
      [{patch: {id: 'c1', set: {title: 'After'}}}, {create: {_id: 'c2', _type: 'concern'}}],
      {author: 'cli'},
    )
    hub.poll()
    hub.poll()
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({transactionId: tx.transactionId, author: 'cli'})
    const [c1, c2] = got[0]!.changes
    expect(c1!.before!.title).toBe('Before the listener')
    expect(c1!.after!.title).toBe('After')
    expect(c2!.before).toBeUndefined()
    expect(c2!.after!._rev).toBe(tx.transactionId)
  })
})
