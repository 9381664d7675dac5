/**
 * Fan-out of committed transactions to open listen streams. The source of truth is the
 * dataset's transaction log, not this process: CLI scripts write the same SQLite file from
 * other processes, so the hub polls `transactionsSince(cursor)` and every write — the API's own
 * or anyone else's — reaches the Studio the same way. Writes made here call `notify()` so their
 * events go out at once instead of at the next tick.
 *
 * What it costs is bounded, because streams are opened by anyone, without the token:
 * - Streams with the same filter (query, params, identity, visibility) form a group. A group
 *   asks a query worker once per change, not once per stream, and never runs GROQ on this
 *   thread (see filter.ts). It takes its transactions in log order, one batch at a time, so each
 *   stream gets its events in order; a batch whose filter fails (time limit: 400
 *   `queryTimeoutError`) closes every stream of the group with a `channelError` event, as
 *   Content Lake does for a filter it cannot run, rather than skipping changes silently.
 *   A busy or failed pool (429, 5xx) is retried twice first. Evaluations go through per-client
 *   lanes (lanes.ts).
 * - Each transaction's documents are read and serialized once; their bytes go to every stream
 *   that gets them, and each group builds its events once per distinct format (events.ts).
 * - A stream whose client does not read is dropped with a `disconnect` event (unread.ts).
 *   @sanity/client ends the subscription on `disconnect` instead of reconnecting into the same
 *   state; the reason says to listen again and refetch.
 * - Open streams are capped in total and per client (429, with Content Lake's "Max listener
 *   limit exceeded" message; @sanity/client retries a 429 after a second).
 * - The log is read ahead of the groups only while no group holds more than `maxBacklogBytes`
 *   of unsent transactions; a group that holds more for `maxLagMs` is dropped with `disconnect`.
 */
import {GroqQueryError} from '../../query/errors.ts'
import type {Dataset} from '../../store/dataset.ts'
import type {LoggedTransaction, StoredDocument} from '../../store/types.ts'
import {toHttpError} from '../errors.ts'
import {errorBody, HttpError} from '../http.ts'
import {
  documentsToMatch,
  resolveTransaction,
  takeBatch,
  verdictsOf,
  type Queued,
} from './batches.ts'
import {
  formatKey,
  sseEvent,
  sseMutationEvents,
  type ListenStream,
  type Pieces,
  type ResolvedTransaction,
  type Verdict,
} from './events.ts'
import {ClientLanes} from './lanes.ts'
import {UnreadBytes, type Drop} from './unread.ts'

/** A listen filter as the hub needs it; streams whose filters have equal keys share one group. */
export interface ListenFilter {
  key: string
  /** Who opened the stream (caps and turns are per client). */
  client: string
  /** The query, for log lines. */
  query: string
  /** Whether the stream may see this document at all (without the token: public ids only). */
  visible(id: string): boolean
  /** The filter's verdict on each document, decided off this thread under the time limit. */
  match(docs: readonly StoredDocument[]): Promise<boolean[]>
}

export interface ListenLimits {
  /** Open streams at most (default 1000: Content Lake's free-plan limit). */
  maxListeners?: number
  /** Open streams per client at most (default 500: a Studio tab opens about ten). */
  maxListenersPerClient?: number
  /** Unread bytes one stream may hold for longer than `maxPendingMs` (default 8 MiB). */
  maxPendingBytes?: number
  /** How long a stream may hold more than `maxPendingBytes` (default 5 s). */
  maxPendingMs?: number
  /** Unread bytes all streams may hold together (default 128 MiB)... */
  maxTotalPendingBytes?: number
  /** ...past which streams whose clients took nothing for this long are dropped (default 1 s). */
  idleMs?: number
  /** Unsent transactions (JSON bytes) a group may hold before reading pauses (default 32 MiB). */
  maxBacklogBytes?: number
  /** How long a group may hold more than that before it is dropped (default 30 s). */
  maxLagMs?: number
}

export interface HubOptions extends ListenLimits {
  pollMs?: number
  /** Transactions read per poll; the rest follow on the next one. */
  batch?: number
  log?: (message: string) => void
}

interface Group {
  filter: ListenFilter
  streams: Set<ListenStream>
  queue: Queued[]
  backlogBytes: number
  /** When the backlog went over `maxBacklogBytes` (undefined while under). */
  overSince: number | undefined
  draining: boolean
  closed: boolean
}

/** Longest stretch of writing to streams before the hub lets other work run. */
const SLICE_MS = 20
/** Waits before the retries of an evaluation that failed for the server's state (`transient`). */
const RETRY_DELAYS_MS = [250, 1000]

export class ListenHub {
  private readonly ds: Dataset
  private readonly groups = new Map<string, Group>()
  /** Each open stream's group, and the client it counts against. */
  private readonly streams = new Map<ListenStream, {group: Group; client: string}>()
  private readonly perClient = new Map<string, number>()
  private readonly unread: UnreadBytes
  private readonly lanes = new ClientLanes()
  private readonly limits: Required<ListenLimits>
  private readonly batch: number
  private readonly log: (message: string) => void
  private cursor: number
  private readonly timer: NodeJS.Timeout
  private pending: NodeJS.Immediate | undefined
  /** When delivering last let other work run (see yieldIfLong). */
  private sliceStart = performance.now()
  /** A group's backlog stopped the last poll: poll again when groups catch up. */
  private readPaused = false
  private closed = false

  constructor(ds: Dataset, opts: HubOptions = {}) {
    this.ds = ds
    this.batch = opts.batch ?? 200
    this.log = opts.log ?? (() => {})
    this.limits = {
      maxListeners: opts.maxListeners ?? 1000,
      maxListenersPerClient: opts.maxListenersPerClient ?? 500,
      maxPendingBytes: opts.maxPendingBytes ?? 8 * 1024 ** 2,
      maxPendingMs: opts.maxPendingMs ?? 5000,
      maxTotalPendingBytes: opts.maxTotalPendingBytes ?? 128 * 1024 ** 2,
      idleMs: opts.idleMs ?? 1000,
      maxBacklogBytes: opts.maxBacklogBytes ?? 32 * 1024 ** 2,
      maxLagMs: opts.maxLagMs ?? 30_000,
    }
    this.unread = new UnreadBytes(this.limits)
    this.cursor = ds.lastSeq()
    this.timer = setInterval(() => this.poll(), opts.pollMs ?? 250)
    this.timer.unref()
  }

  /** The log position a new subscriber starts after. */
  position(): number {
    return this.ds.lastSeq()
  }

  /** Add a stream; a 429 when the caps are reached. Returns its unsubscribe. */
  subscribe(filter: ListenFilter, stream: ListenStream): () => void {
    if (this.closed)
      throw new HttpError(503, 'The local API is shutting down', 'serviceUnavailable')
    const {maxListeners, maxListenersPerClient} = this.limits
    if (this.streams.size >= maxListeners)
      throw new HttpError(
        429,
        `Max listener limit exceeded at ${maxListeners}`,
        'listenerLimitExceeded',
      )
    const ofClient = this.perClient.get(filter.client) ?? 0
    if (ofClient >= maxListenersPerClient)
      throw new HttpError(
        429,
        `Max listener limit exceeded at ${maxListenersPerClient} for this client`,
        'listenerLimitExceeded',
      )
    let group = this.groups.get(filter.key)
    if (!group) {
      group = {
        filter,
        streams: new Set(),
        queue: [],
        backlogBytes: 0,
        overSince: undefined,
        draining: false,
        closed: false,
      }
      this.groups.set(filter.key, group)
    }
    group.streams.add(stream)
    this.streams.set(stream, {group, client: filter.client})
    this.perClient.set(filter.client, ofClient + 1)
    return () => this.remove(stream)
  }

  get size(): number {
    return this.streams.size
  }

  /** Distinct filters among the open streams. */
  get groupCount(): number {
    return this.groups.size
  }

  /** Poll soon (this process just committed, or a group caught up). */
  notify(): void {
    if (this.closed || this.pending) return
    this.pending = setImmediate(() => {
      this.pending = undefined
      this.poll()
    })
  }

  poll(): void {
    if (this.closed) return
    try {
      if (this.streams.size === 0) {
        this.cursor = this.ds.lastSeq()
        return
      }
      this.dropLaggards()
      this.drop(this.unread.sweep())
      let more = true
      while (more && !(this.readPaused = this.backlogFull())) {
        const txs = this.ds.transactionsSince(this.cursor, this.batch)
        for (const tx of txs) {
          this.dispatch(tx)
          this.cursor = tx.seq
          if (this.backlogFull()) break
        }
        more = txs.length === this.batch
      }
    } catch (e) {
      this.log(`listen: reading the transaction log failed: ${(e as Error).message}`)
    }
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    if (this.pending) clearImmediate(this.pending)
    for (const group of this.groups.values()) group.closed = true
    this.groups.clear()
    this.streams.clear()
    this.perClient.clear()
  }

  private backlogFull(): boolean {
    for (const group of this.groups.values())
      if (group.backlogBytes > this.limits.maxBacklogBytes) return true
    return false
  }

  private dropLaggards(): void {
    const now = Date.now()
    for (const group of [...this.groups.values()]) {
      if (group.backlogBytes <= this.limits.maxBacklogBytes) group.overSince = undefined
      else if (group.overSince === undefined) group.overSince = now
      else if (now - group.overSince > this.limits.maxLagMs) {
        this.log(
          `listen: dropping ${group.streams.size} stream(s) that fell behind: ${brief(group)}`,
        )
        this.closeGroup(
          group,
          sseEvent('disconnect', {
            reason: `The listener's filter fell more than ${this.limits.maxLagMs / 1000} s behind the changes; listen again and refetch`,
          }),
        )
      }
    }
  }

  /** Queue the transaction for every group with a stream that joined before it. */
  private dispatch(logged: LoggedTransaction): void {
    let resolved: Queued | undefined
    for (const group of this.groups.values()) {
      if (!wants(group, logged.seq)) continue
      resolved ??= resolveTransaction(this.ds, logged)
      group.queue.push(resolved)
      group.backlogBytes += resolved.bytes
      void this.drain(group)
    }
  }

  /** Send the group its queued transactions in order, a batch per evaluation. */
  private async drain(group: Group): Promise<void> {
    if (group.draining) return
    group.draining = true
    try {
      while (!group.closed && group.queue.length > 0) {
        const batch = takeBatch(group.queue)
        const verdicts = await this.decide(group, batch)
        if (group.closed) return
        for (const [i, queued] of batch.entries())
          await this.deliver(group, queued.tx, verdicts[i]!)
        if (group.closed) return
        group.queue.splice(0, batch.length)
        for (const queued of batch) group.backlogBytes -= queued.bytes
        this.drop(this.unread.sweep())
      }
      if (this.readPaused) this.notify()
    } catch (e) {
      this.failGroup(group, e)
    } finally {
      group.draining = false
    }
  }

  /** The filter's verdicts on each change of each transaction, in one worker evaluation. */
  private async decide(group: Group, batch: readonly Queued[]): Promise<Verdict[][]> {
    const {filter} = group
    const docs = documentsToMatch(batch, filter.visible)
    const matches =
      docs.length === 0
        ? []
        : await this.lanes.run(filter.client, () =>
            group.closed
              ? Promise.resolve(docs.map(() => false))
              : this.matchWithRetries(group, docs),
          )
    if (matches.length !== docs.length)
      throw new HttpError(
        500,
        'The filter evaluation answered for other documents',
        'internalError',
      )
    return verdictsOf(batch, filter.visible, matches)
  }

  private async matchWithRetries(group: Group, docs: StoredDocument[]): Promise<boolean[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await group.filter.match(docs)
      } catch (e) {
        const err = asHttpError(e, group.filter.query)
        const delay = RETRY_DELAYS_MS[attempt]
        if (!transient(err) || delay === undefined || group.closed) throw err
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  /**
   * Write the transaction's events to the group's streams. A socket with room takes the bytes
   * at once, so the first events to 200 streams copy 4 MB each into the kernel; and the workers'
   * answers for many groups are handled in one go. So this yields to other requests whenever
   * delivering has held the thread for SLICE_MS.
   */
  private async deliver(
    group: Group,
    tx: ResolvedTransaction,
    verdicts: readonly Verdict[],
  ): Promise<void> {
    if (!verdicts.some((v) => v.was || v.is)) return
    const texts = new Map<string, Pieces>()
    for (const stream of [...group.streams]) {
      await this.yieldIfLong()
      // Gone while this loop yielded, or joined after the transaction.
      if (this.streams.get(stream)?.group !== group || tx.seq <= stream.fromSeq) continue
      const key = formatKey(stream.format)
      let pieces = texts.get(key)
      if (pieces === undefined)
        texts.set(key, (pieces = sseMutationEvents(tx, verdicts, stream.format)))
      const reason = this.unread.check(stream)
      if (reason) {
        this.drop([{stream, reason}])
        continue
      }
      stream.write(pieces)
      // Watched from now on; judged before its next write and at every sweep.
      this.unread.check(stream)
    }
  }

  /** Let other work run if delivering has gone on for SLICE_MS since it last did. */
  private async yieldIfLong(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return
    await new Promise((resolve) => setImmediate(resolve))
    this.sliceStart = performance.now()
  }

  private drop(drops: readonly Drop[]): void {
    for (const {stream, reason} of drops) {
      this.remove(stream)
      stream.close(sseEvent('disconnect', {reason}))
    }
  }

  private failGroup(group: Group, e: unknown): void {
    if (group.closed) return
    const err = asHttpError(e, group.filter.query)
    this.log(
      `listen: closing ${group.streams.size} stream(s), their filter failed (${err.type}: ${err.message}): ${brief(group)}`,
    )
    this.closeGroup(
      group,
      sseEvent('channelError', errorBody(err.statusCode, err.message, err.type, err.details)),
    )
  }

  private closeGroup(group: Group, lastEvent: string): void {
    for (const stream of [...group.streams]) {
      this.remove(stream)
      stream.close(lastEvent)
    }
  }

  private remove(stream: ListenStream): void {
    const entry = this.streams.get(stream)
    if (!entry) return
    const {group, client} = entry
    this.streams.delete(stream)
    this.unread.forget(stream)
    group.streams.delete(stream)
    const left = (this.perClient.get(client) ?? 1) - 1
    if (left > 0) this.perClient.set(client, left)
    else this.perClient.delete(client)
    if (group.streams.size === 0) {
      // Its queue goes with it: nothing allocated for a stream outlives the last one.
      group.closed = true
      group.queue = []
      group.backlogBytes = 0
      this.groups.delete(group.filter.key)
      if (this.readPaused) this.notify()
    }
  }
}

/** Whether a stream of the group joined before this transaction. */
function wants(group: Group, seq: number): boolean {
  for (const stream of group.streams) if (seq > stream.fromSeq) return true
  return false
}

/** A busy or restarting pool (429 queue full, 5xx), not the filter's fault: worth a retry. */
const transient = (e: HttpError) => e.statusCode === 429 || e.statusCode >= 500

/** A failed evaluation as the error a client is told: a GROQ error is the filter's fault (400). */
function asHttpError(e: unknown, query: string): HttpError {
  if (e instanceof GroqQueryError) return new HttpError(400, e.message, 'queryParseError', {query})
  return toHttpError(e)
}

/** The group's query for a log line (an attacker's may be 16 kB). */
function brief(group: Group): string {
  const {query} = group.filter
  return query.length > 200 ? `${query.slice(0, 200)}…` : query
}
