import {afterEach, describe, expect, it, vi} from 'vitest'
import {
  sseMutationEvents,
  type EventFormat,
  type MutationEvent,
  type Pieces,
  type ResolvedTransaction,
  type ListenStream,
  type Verdict,
} from '../../scripts/api/listen/events.ts'
import {assertListenQuery} from '../../scripts/api/listen/filter.ts'
import {ListenHub, type HubOptions, type ListenFilter} from '../../scripts/api/listen/hub.ts'
import {ClientLanes} from '../../scripts/api/listen/lanes.ts'
import {UnreadBytes} from '../../scripts/api/listen/unread.ts'
import {HttpError} from '../../scripts/api/http.ts'
import {GroqQueryError} from '../../scripts/query/errors.ts'
import {isPublicId} from '../../scripts/store/ids.ts'
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

/** Server-Sent Events text as events (comment lines skipped). */
function parseSse(text: string): Array<{event: string; id?: string; data: any}> {
  return text
    .split('\n\n')
    .filter((block) => block !== '' && !block.startsWith(':'))
    .map((block) => {
      const id = /^id: (.*)$/m.exec(block)?.[1]
      return {
        event: /^event: (.*)$/m.exec(block)![1]!,
        ...(id === undefined ? {} : {id}),
        data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!),
      }
    })
}

const joined = (pieces: Pieces) => pieces.map(String).join('')

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

const format = (extra: Partial<EventFormat> = {}): EventFormat => ({
  includeResult: true,
  includePreviousRevision: false,
  includeMutations: true,
  ...extra,
})

const both: Verdict = {was: true, is: true}
const none: Verdict = {was: false, is: false}

const events = (verdicts: Verdict[], extra: Partial<EventFormat> = {}): MutationEvent[] =>
  parseSse(joined(sseMutationEvents(publish, verdicts, format(extra)))).map((e) => {
    expect(e.event).toBe('mutation')
    expect(e.id).toBe(e.data.eventId)
    return e.data as MutationEvent
  })

describe('listen events (shape the Studio needs)', () => {
  it('a pair listener gets both events of a publish, counted for this stream', () => {
    const got = events([both, {was: true, is: false}], {effectFormat: 'mendoza'})
    expect(got).toHaveLength(2)
    expect(got[0]).toMatchObject({
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
    expect(got[1]).toMatchObject({
      documentId: 'drafts.b1',
      transition: 'disappear',
      previousRev: 'r1',
      resultRev: 'tx2',
      transactionCurrentEvent: 2,
      mutations: [{delete: {id: 'drafts.b1'}}],
    })
    expect(got[1]).not.toHaveProperty('result')
  })

  it('mendoza effects replace the whole document both ways, without _rev', () => {
    const [event, deleted] = events([both, {was: true, is: false}], {effectFormat: 'mendoza'})
    const {_rev: _a, ...after} = publish.changes[0]!.after!
    const {_rev: _b, ...before} = publish.changes[0]!.before!
    expect(event!.effects).toEqual({apply: [0, after], revert: [0, before]})
    expect(deleted!.effects!.apply).toEqual([0, null])
  })

  it('a stream that sees one document of a two-document transaction is told the total is 1', () => {
    expect(
      events([both, none]).map((e) => [
        e.documentId,
        e.transactionTotalEvents,
        e.transactionCurrentEvent,
      ]),
    ).toEqual([['b1', 1, 1]])
  })

  it('transitions follow the verdicts before and after; no verdict, no event', () => {
    expect(events([{was: true, is: false}, none]).map((e) => e.transition)).toEqual(['disappear'])
    expect(events([{was: false, is: true}, none]).map((e) => e.transition)).toEqual(['appear'])
    expect(sseMutationEvents(publish, [none, none], format())).toEqual([])
  })

  it('options: previous revision on request, no result or mutations when turned off', () => {
    const [event] = events([both, none], {
      includeResult: false,
      includeMutations: false,
      includePreviousRevision: true,
    })
    expect(event).not.toHaveProperty('result')
    expect(event).not.toHaveProperty('mutations')
    expect(event).not.toHaveProperty('effects')
    expect(event!.previous).toEqual(publish.changes[0]!.before)
  })
})

describe('listen filter', () => {
  it('an unparsable listen query is a 400 queryParseError; a valid one passes', () => {
    const refused = (() => {
      try {
        assertListenQuery('*[', {})
      } catch (e) {
        return e
      }
    })()
    expect(refused).toBeInstanceOf(HttpError)
    expect(refused).toMatchObject({statusCode: 400, type: 'queryParseError'})
    expect(() => assertListenQuery('*[_id == $id]', {id: 'x'})).not.toThrow()
  })
})

/** A connection as the hub sees it: what was written, and what the client has not read. */
class FakeStream implements ListenStream {
  readonly fromSeq: number
  readonly format: EventFormat
  text = ''
  lastEvent: string | undefined
  /** A client that reads takes everything at once; one that does not leaves it all pending. */
  reading = true
  constructor(fromSeq: number, extra: Partial<EventFormat> = {}) {
    this.fromSeq = fromSeq
    this.format = format(extra)
  }
  write(pieces: Pieces): void {
    this.text += joined(pieces)
  }
  pendingBytes(): number {
    return this.reading ? 0 : this.text.length
  }
  takenBytes(): number {
    return this.reading ? this.text.length : 0
  }
  close(lastEvent: string): void {
    this.lastEvent = lastEvent
  }
  mutations(): string[] {
    return parseSse(this.text).map((e) => `${e.data.transactionId}:${e.data.documentId}`)
  }
  last(): {event: string; data: any} | undefined {
    return this.lastEvent === undefined ? undefined : parseSse(this.lastEvent)[0]
  }
}

/** A filter whose verdicts come from `test` (or from `match`), counting evaluations. */
function fakeFilter(
  key: string,
  opts: {
    client?: string
    visible?: (id: string) => boolean
    test?: (doc: StoredDocument) => boolean
    match?: (docs: readonly StoredDocument[]) => Promise<boolean[]>
  } = {},
): ListenFilter & {calls: string[][]} {
  const calls: string[][] = []
  const test = opts.test ?? ((d: StoredDocument) => d._type === 'concern')
  return {
    key,
    client: opts.client ?? 'token',
    query: `*[${key}]`,
    visible: opts.visible ?? (() => true),
    calls,
    match(docs) {
      calls.push(docs.map((d) => d._id))
      return opts.match ? opts.match(docs) : Promise.resolve(docs.map(test))
    },
  }
}

describe('listen hub', () => {
  let ds: Dataset
  let hub: ListenHub
  const open = (opts: HubOptions = {}) => {
    ds = Dataset.open(':memory:')
    ds.transaction([{create: {_id: 'c1', _type: 'concern', title: 'Before the listener'}}])
    hub = new ListenHub(ds, {pollMs: 60_000, ...opts})
  }
  afterEach(() => {
    hub.close()
    ds.close()
  })
  const concern = (id: string, title = id) => ({
    createOrReplace: {_id: id, _type: 'concern', title},
  })

  it('delivers each logged transaction once, with both document versions, after the stream joined', async () => {
    open()
    const filter = fakeFilter('concerns')
    const stream = new FakeStream(hub.position())
    hub.subscribe(filter, stream)
    const tx = ds.transaction(
      [{patch: {id: 'c1', set: {title: 'After'}}}, {create: {_id: 'c2', _type: 'concern'}}],
      {author: 'cli'},
    )
    hub.poll()
    hub.poll()
    await vi.waitFor(() => expect(stream.mutations()).toHaveLength(2))
    expect(filter.calls).toEqual([['c1', 'c1', 'c2']])
    const [c1, c2] = parseSse(stream.text).map((e) => e.data)
    expect(c1).toMatchObject({transactionId: tx.transactionId, identity: 'cli'})
    expect(c1.previousRev).not.toBe(c1.resultRev)
    expect(c1.result.title).toBe('After')
    expect(c2).toMatchObject({transition: 'appear', resultRev: tx.transactionId})
  })

  it('asks once per change for each distinct filter, however many streams share it', async () => {
    open()
    const shared = fakeFilter('shared')
    const other = fakeFilter('other', {test: () => true})
    const streams = [
      new FakeStream(hub.position()),
      new FakeStream(hub.position()),
      new FakeStream(hub.position(), {effectFormat: 'mendoza'}),
    ]
    for (const s of streams) hub.subscribe(shared, s)
    const others = [new FakeStream(hub.position()), new FakeStream(hub.position())]
    for (const s of others) hub.subscribe(other, s)
    expect(hub.size).toBe(5)
    expect(hub.groupCount).toBe(2)
    const tx = ds.transaction([concern('c3')])
    hub.poll()
    await vi.waitFor(() => expect(others[1]!.mutations()).toHaveLength(1))
    await vi.waitFor(() => expect(streams[2]!.mutations()).toHaveLength(1))
    expect(shared.calls).toEqual([['c3']])
    expect(other.calls).toEqual([['c3']])
    expect(streams[0]!.text).toBe(streams[1]!.text)
    expect(streams[0]!.mutations()).toEqual([`${tx.transactionId}:c3`])
    expect(parseSse(streams[2]!.text)[0]!.data.effects.apply[1].title).toBe('c3')
  })

  it('keeps each stream in log order while its filter is slower than the writes', async () => {
    open()
    const answers: Array<() => void> = []
    const filter = fakeFilter('slow', {
      match: (docs) => new Promise((resolve) => answers.push(() => resolve(docs.map(() => true)))),
    })
    const stream = new FakeStream(hub.position())
    hub.subscribe(filter, stream)
    const first = ds.transaction([concern('c4')])
    hub.poll()
    await vi.waitFor(() => expect(answers).toHaveLength(1))
    const second = ds.transaction([concern('c5')])
    const third = ds.transaction([concern('c6')])
    hub.poll()
    answers[0]!()
    // The two transactions that waited are decided together, after the first.
    await vi.waitFor(() => expect(answers).toHaveLength(2))
    expect(filter.calls).toEqual([['c4'], ['c5', 'c6']])
    expect(stream.mutations()).toEqual([`${first.transactionId}:c4`])
    answers[1]!()
    await vi.waitFor(() => expect(stream.mutations()).toHaveLength(3))
    expect(stream.mutations()).toEqual([
      `${first.transactionId}:c4`,
      `${second.transactionId}:c5`,
      `${third.transactionId}:c6`,
    ])
  })

  it('a filter that times out closes its streams with a channelError; other filters go on', async () => {
    open()
    const timedOut = fakeFilter('pathological', {
      match: () =>
        Promise.reject(
          new HttpError(400, 'Query ran longer than the limit', 'queryTimeoutError', {
            query: '*[pathological]',
          }),
        ),
    })
    const victims = [new FakeStream(hub.position()), new FakeStream(hub.position())]
    for (const s of victims) hub.subscribe(timedOut, s)
    const fine = new FakeStream(hub.position())
    hub.subscribe(fakeFilter('fine'), fine)
    const tx = ds.transaction([concern('c7')])
    hub.poll()
    await vi.waitFor(() => expect(victims[1]!.lastEvent).toBeDefined())
    for (const victim of victims) {
      expect(victim.text).toBe('')
      expect(victim.last()).toEqual({
        event: 'channelError',
        data: {
          statusCode: 400,
          error: {
            description: 'Query ran longer than the limit',
            type: 'queryTimeoutError',
            query: '*[pathological]',
          },
          message: 'Query ran longer than the limit',
        },
      })
    }
    await vi.waitFor(() => expect(fine.mutations()).toEqual([`${tx.transactionId}:c7`]))
    expect(timedOut.calls).toHaveLength(1)
    expect(hub.size).toBe(1)
    expect(hub.groupCount).toBe(1)
    expect(fine.lastEvent).toBeUndefined()
  })

  it('a GROQ error is the filter’s fault: channelError 400 queryParseError, no retry', async () => {
    open()
    const broken = fakeFilter('broken', {
      match: () => Promise.reject(new GroqQueryError('Invalid listen query: nope', '*[broken]')),
    })
    const stream = new FakeStream(hub.position())
    hub.subscribe(broken, stream)
    ds.transaction([concern('c8')])
    hub.poll()
    await vi.waitFor(() => expect(stream.lastEvent).toBeDefined())
    expect(stream.last()).toMatchObject({
      event: 'channelError',
      data: {statusCode: 400, error: {type: 'queryParseError', query: '*[broken]'}},
    })
    expect(broken.calls).toHaveLength(1)
  })

  it('a busy or failed pool is retried twice, then the streams get its error', async () => {
    open()
    let failures = 1
    const flaky = fakeFilter('flaky', {
      match: (docs) =>
        failures-- > 0
          ? Promise.reject(new HttpError(429, 'Too many queries waiting', 'queryQueueFull'))
          : Promise.resolve(docs.map(() => true)),
    })
    const recovered = new FakeStream(hub.position())
    hub.subscribe(flaky, recovered)
    const down = fakeFilter('down', {
      match: () => Promise.reject(new HttpError(503, 'Query worker failed', 'queryWorkerError')),
    })
    const lost = new FakeStream(hub.position())
    hub.subscribe(down, lost)
    const tx = ds.transaction([concern('c9')])
    hub.poll()
    await vi.waitFor(() => expect(recovered.mutations()).toEqual([`${tx.transactionId}:c9`]))
    expect(flaky.calls).toHaveLength(2)
    await vi.waitFor(() => expect(lost.lastEvent).toBeDefined(), {timeout: 3000})
    expect(down.calls).toHaveLength(3)
    expect(lost.last()).toMatchObject({
      event: 'channelError',
      data: {statusCode: 503, error: {type: 'queryWorkerError'}},
    })
  })

  it('without the token, documents with private ids are never evaluated or sent', async () => {
    open()
    const anonymous = fakeFilter('all', {client: 'anon:127.0.0.1', visible: isPublicId})
    const stream = new FakeStream(hub.position())
    hub.subscribe(anonymous, stream)
    const tx = ds.transaction([
      concern('_.migrations.m1'),
      concern('secret.c10'),
      concern('drafts.c10'),
      concern('versions.r1.c10'),
      concern('c10'),
    ])
    hub.poll()
    await vi.waitFor(() => expect(stream.mutations()).toHaveLength(1))
    expect(anonymous.calls).toEqual([['c10']])
    expect(stream.mutations()).toEqual([`${tx.transactionId}:c10`])
    expect(parseSse(stream.text)[0]!.data.transactionTotalEvents).toBe(1)
  })

  it('drops a stream that does not read once its unread bytes pass the limit', async () => {
    open({maxPendingBytes: 100, maxPendingMs: 0})
    const stuck = new FakeStream(hub.position())
    stuck.reading = false
    const reader = new FakeStream(hub.position())
    hub.subscribe(fakeFilter('concerns'), stuck)
    hub.subscribe(fakeFilter('concerns'), reader)
    const first = ds.transaction([concern('c11')])
    hub.poll()
    // The first event goes out whatever its size: the limit is on what is still unread.
    await vi.waitFor(() => expect(stuck.mutations()).toEqual([`${first.transactionId}:c11`]))
    const second = ds.transaction([concern('c12')])
    hub.poll()
    await vi.waitFor(() => expect(stuck.lastEvent).toBeDefined())
    expect(stuck.mutations()).toEqual([`${first.transactionId}:c11`])
    // How long it was behind depends on the scheduler: any duration, the bytes exactly.
    expect(stuck.last()).toEqual({
      event: 'disconnect',
      data: {
        reason: expect.stringMatching(
          new RegExp(
            `^The listener fell behind: ${stuck.text.length} bytes unread for [0-9.]+ s \\(limit 100 bytes for 0 s\\); listen again and refetch$`,
          ),
        ),
      },
    })
    await vi.waitFor(() =>
      expect(reader.mutations()).toEqual([
        `${first.transactionId}:c11`,
        `${second.transactionId}:c12`,
      ]),
    )
    expect(hub.size).toBe(1)
  })

  it('over the total budget, drops the streams holding the most unread bytes', async () => {
    // One event: about 900 bytes with the document three times, 400 without it.
    open({maxTotalPendingBytes: 1000, idleMs: 0})
    const big = new FakeStream(hub.position(), {includePreviousRevision: true})
    const small = new FakeStream(hub.position(), {includeResult: false, includeMutations: false})
    const reader = new FakeStream(hub.position())
    big.reading = false
    small.reading = false
    for (const s of [big, small, reader]) hub.subscribe(fakeFilter('concerns'), s)
    ds.transaction([{patch: {id: 'c1', set: {title: 'Changed'}}}])
    hub.poll()
    await vi.waitFor(() => expect(big.lastEvent).toBeDefined())
    const total = big.text.length + small.text.length
    expect(total).toBeGreaterThan(1000)
    expect(small.text.length).toBeLessThan(1000)
    expect(big.last()).toEqual({
      event: 'disconnect',
      data: {
        reason: `The listener fell behind: ${big.text.length} bytes unread, nothing taken for 0 s, while all listeners held ${total} (limit 1000 bytes in all); listen again and refetch`,
      },
    })
    expect(small.lastEvent).toBeUndefined()
    expect(small.mutations()).toHaveLength(1)
    expect(reader.mutations()).toHaveLength(1)
    expect(hub.size).toBe(2)
  })

  it('caps streams in total and per client with a 429; a closed stream frees its place', () => {
    open({maxListeners: 3, maxListenersPerClient: 2})
    const a = fakeFilter('f', {client: 'anon:a'})
    const b = fakeFilter('f', {client: 'token'})
    const refusal = (filter: ListenFilter) => {
      try {
        hub.subscribe(filter, new FakeStream(hub.position()))
      } catch (e) {
        return {status: (e as HttpError).statusCode, message: (e as HttpError).message}
      }
    }
    const first = hub.subscribe(a, new FakeStream(hub.position()))
    expect(refusal(a)).toBeUndefined()
    expect(refusal(a)).toEqual({
      status: 429,
      message: 'Max listener limit exceeded at 2 for this client',
    })
    expect(refusal(b)).toBeUndefined()
    expect(refusal(b)).toEqual({status: 429, message: 'Max listener limit exceeded at 3'})
    first()
    expect(refusal(b)).toBeUndefined()
    expect(hub.size).toBe(3)
    expect(hub.groupCount).toBe(1)
  })

  it('a filter that holds the log back too long is dropped with a disconnect; its queue goes', async () => {
    open({maxBacklogBytes: 1, maxLagMs: 20})
    const stalled = fakeFilter('stalled', {match: () => new Promise(() => {})})
    const stream = new FakeStream(hub.position())
    hub.subscribe(stalled, stream)
    ds.transaction([concern('c13')])
    ds.transaction([concern('c14')])
    hub.poll()
    await vi.waitFor(() => expect(stalled.calls).toEqual([['c13']]))
    hub.poll()
    await new Promise((r) => setTimeout(r, 40))
    hub.poll()
    expect(stream.last()).toEqual({
      event: 'disconnect',
      data: {
        reason:
          "The listener's filter fell more than 0.02 s behind the changes; listen again and refetch",
      },
    })
    expect(hub.size).toBe(0)
    expect(hub.groupCount).toBe(0)
  })
})

describe('unread bytes', () => {
  /** A connection whose unread and taken bytes the test sets. */
  const conn = (): ListenStream & {unread: number; taken: number} => ({
    fromSeq: 0,
    format: format(),
    unread: 0,
    taken: 0,
    write() {},
    pendingBytes() {
      return this.unread
    },
    takenBytes() {
      return this.taken
    },
    close() {},
  })
  const limits = {maxPendingBytes: 100, maxPendingMs: 5000, maxTotalPendingBytes: 250, idleMs: 1000}

  it('over its own limit for maxPendingMs, a stream goes; back under it, the clock restarts', () => {
    const unread = new UnreadBytes(limits)
    const s = conn()
    s.unread = 150
    expect(unread.check(s, 0)).toBeUndefined()
    expect(unread.check(s, 4999)).toBeUndefined()
    s.unread = 50
    expect(unread.check(s, 5000)).toBeUndefined()
    s.unread = 150
    expect(unread.check(s, 6000)).toBeUndefined()
    expect(unread.check(s, 11_000)).toBe(
      'The listener fell behind: 150 bytes unread for 5 s (limit 100 bytes for 5 s); listen again and refetch',
    )
  })

  it('over the total budget, idle clients go largest first; one still taking bytes stays', () => {
    const unread = new UnreadBytes(limits)
    const [reader, small, large] = [conn(), conn(), conn()]
    reader.unread = 90
    small.unread = 80
    large.unread = 90
    for (const s of [reader, small, large]) unread.check(s, 0)
    // 260 > 250, but within idleMs nobody counts as idle yet: nothing goes.
    expect(unread.sweep(500)).toEqual([])
    reader.taken = 1000
    reader.unread = 95
    small.unread = 70
    // 255 > 250: the reader took bytes, so the largest idle one goes, and that is enough.
    expect(unread.sweep(1500)).toEqual([
      {
        stream: large,
        reason:
          'The listener fell behind: 90 bytes unread, nothing taken for 1 s, while all listeners held 255 (limit 250 bytes in all); listen again and refetch',
      },
    ])
    expect(unread.sweep(1600)).toEqual([])
  })
})

describe('client lanes', () => {
  it('runs one client’s tasks one at a time in order, other clients’ beside them', async () => {
    const lanes = new ClientLanes()
    const log: string[] = []
    const gates = new Map<string, () => void>()
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`)
        gates.set(name, () => resolve(name))
      })
    const a1 = lanes.run('anon:1', task('a1'))
    const a2 = lanes.run('anon:1', () => Promise.reject(new Error('a2 failed')))
    const a3 = lanes.run('anon:1', task('a3'))
    const t1 = lanes.run('token', task('t1'))
    await vi.waitFor(() => expect(log).toEqual(['start a1', 'start t1']))
    gates.get('t1')!()
    expect(await t1).toBe('t1')
    gates.get('a1')!()
    expect(await a1).toBe('a1')
    await expect(a2).rejects.toThrow('a2 failed')
    await vi.waitFor(() => expect(log).toEqual(['start a1', 'start t1', 'start a3']))
    gates.get('a3')!()
    expect(await a3).toBe('a3')
  })
})
