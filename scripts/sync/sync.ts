/**
 * The I/O shell of `npm run sync`: mirrors a Sanity API dataset (hosted, or the local API) into
 * the embedded dataset.
 *
 * One connection at a time: the listener is opened first and its events queue up; when the server
 * cannot resume (`welcome`, or `reset`), the mirror is caught up by a copy through the export
 * endpoint while events keep queueing, and the queued events are applied after it. Applying an
 * event after a copy that already saw its result only writes the same bytes again (nothing), so
 * nothing is lost between the two. A resumed connection (`welcomeback`) replays what came after
 * the stored position and needs no copy.
 *
 * Every write is one SQLite transaction together with the position it reaches (Dataset.mirror), so
 * a kill -9 anywhere leaves a mirror that the next run continues from.
 */
import {
  ChannelError,
  createClient,
  MessageError,
  MessageParseError,
  type ListenEvent,
  type SanityClient,
} from '@sanity/client'
import {PipelineError} from '../lib/errors.ts'
import type {RemoteTarget} from '../lib/env.ts'
import {HttpStatusError, withRetry, type RetryPolicy} from '../lib/retry.ts'
import {remoteClientConfig} from '../query/remote.ts'
import {Dataset, type MirrorBatch} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {
  checkedDocument,
  documentFromExportLine,
  idsToSweep,
  sourceOf,
  startState,
  SYNC_META_KEY,
  TransactionAssembler,
  writesFor,
  type MutationEventLike,
  type SyncState,
} from './core.ts'

/**
 * One applied batch (a copy's page, a sweep, a source transaction, or the documents webhook
 * deliveries named), as `--json` prints it.
 */
export interface SyncReport {
  phase: 'copy' | 'sweep' | 'listen' | 'webhook'
  /** Documents in the batch. */
  documents: number
  written: number
  deleted: number
  /** The mirror's transaction (the source's id while listening); null when nothing changed. */
  transactionId: string | null
  ms: number
}

export interface SyncSummary {
  /** Copies run (the first, and one per connection the server could not resume). */
  copies: number
  /** Source transactions applied from the listener (or rounds of webhook deliveries applied). */
  transactions: number
  /** Documents in the mirror at the end. */
  documents: number
  position: {eventId?: string; transactionId?: string; timestamp?: string}
}

export interface SyncOptions {
  target: RemoteTarget
  datasetPath: string
  /** Copy and catch up, then return (otherwise follow until `signal` aborts). */
  once: boolean
  /** Documents per copy batch (one SQLite transaction each). */
  batchSize: number
  signal: AbortSignal
  report: (r: SyncReport) => void
  progress: (message: string) => void
  retry?: RetryPolicy
  /** Called once, when the mirror first holds a whole copy (after the first copy, or resumed). */
  onReady?: () => void
  /**
   * Once ready, retry dropped connections and failed reads without limit (backoff up to
   * `retry.maxDelayMs`), so a long-running follower (the publisher) outlives an outage of the
   * source. Until then the policy's retries apply: a wrong host fails at start, not never.
   */
  persistent?: boolean
}

/** Largest copy batch in bytes of JSON: a batch of large documents is cut early. */
const MAX_BATCH_BYTES = 8_000_000
/** Ids read per page when looking for documents a copy did not see. */
const SWEEP_PAGE = 1000
/** Ids per `/data/doc` request at most, and their length together: URLs stay short. */
const DOC_IDS_PER_REQUEST = 100
const DOC_IDS_CHARS = 4000

/** Wait `ms`, or less when `signal` aborts (a backoff never delays a stop). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })
}

/**
 * The listener dropped (a network error, the server closing the stream): reconnected with backoff.
 * `code` makes scripts/lib/retry.ts classify it as the dropped connection it is.
 */
export class ListenDroppedError extends Error {
  readonly code = 'ECONNRESET'
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ListenDroppedError'
  }
}

/** The source refused us for good (401, 403, 404, a channel error): retrying cannot help. */
export class SyncConnectionError extends PipelineError {
  override readonly code = 'SYNC_CONNECTION'
}

type Item = ListenEvent | {type: 'end'; error?: unknown}

/** Listener events, in order, for one consumer that may be busy (a copy) while they arrive. */
class EventQueue {
  private readonly items: Item[] = []
  private waiter: ((item: Item) => void) | undefined

  push(item: Item): void {
    if (this.waiter) {
      const w = this.waiter
      this.waiter = undefined
      w(item)
    } else this.items.push(item)
  }

  next(): Promise<Item> {
    const item = this.items.shift()
    return item ? Promise.resolve(item) : new Promise((resolve) => (this.waiter = resolve))
  }

  /** Queued items without waiting for more (undefined when none). */
  take(): Item | undefined {
    return this.items.shift()
  }
}

/** `@sanity/client` config for sync: every document as stored (drafts and versions too). */
function syncClient(target: RemoteTarget): SanityClient {
  return createClient({...remoteClientConfig(target), perspective: 'raw', maxRetries: 0})
}

/** Mirror `opts.target` into `opts.datasetPath`; returns when done (--once) or stopped. */
export async function runSync(opts: SyncOptions): Promise<SyncSummary> {
  const ds = Dataset.open(opts.datasetPath)
  try {
    return await new Mirror(ds, opts).run()
  } finally {
    ds.close()
  }
}

/**
 * One mirror file and its source. `run` is `npm run sync` (copy, then the listener); the webhook
 * mode (webhook.ts) calls `copy`, `markReady` and `refresh` itself.
 */
export class Mirror {
  private readonly ds: Dataset
  private readonly opts: SyncOptions
  private readonly client: SanityClient
  private readonly assembler = new TransactionAssembler()
  private state: SyncState
  private copies = 0
  private transactions = 0
  private ready = false

  constructor(ds: Dataset, opts: SyncOptions) {
    this.ds = ds
    this.opts = opts
    this.client = syncClient(opts.target)
    const stored = ds.getMeta<SyncState>(SYNC_META_KEY)
    this.state = startState(
      stored,
      sourceOf(opts.target),
      opts.datasetPath,
      !stored && ds.count() > 0,
    )
    if (!opts.target.token)
      opts.progress('no token: drafts and other private documents are not mirrored')
  }

  /** The retry policy now: abortable waits, and no limit once ready when `persistent`. */
  private retryPolicy(): RetryPolicy {
    const base = this.opts.retry ?? {}
    return {
      ...base,
      ...(this.opts.persistent && this.ready ? {retries: Number.POSITIVE_INFINITY} : {}),
      sleep: base.sleep ?? ((ms) => sleep(ms, this.opts.signal)),
      onRetry: (info) => {
        this.opts.progress(`reconnecting in ${info.delayMs} ms (${info.failure.message})`)
        base.onRetry?.(info)
      },
    }
  }

  /** The mirror holds a whole copy: tell `onReady` (once). */
  markReady(): void {
    if (this.ready) return
    this.ready = true
    this.opts.onReady?.()
  }

  async run(): Promise<SyncSummary> {
    await this.guard(async () => {
      // A connection that was welcomed and later dropped starts a new round of attempts.
      while (!this.opts.signal.aborted) {
        const outcome = await withRetry(() => this.connection(), this.retryPolicy())
        if (outcome === 'done') break
      }
    })
    return this.summary()
  }

  /** Run `work`; a failure after the signal aborted is the stop, not an error. */
  async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (e) {
      if (!this.opts.signal.aborted) throw toPipelineError(e)
    }
  }

  summary(): SyncSummary {
    const {eventId, transactionId, timestamp} = this.state
    return {
      copies: this.copies,
      transactions: this.transactions,
      documents: this.ds.count(),
      position: {
        ...(eventId ? {eventId} : {}),
        ...(transactionId ? {transactionId} : {}),
        ...(timestamp ? {timestamp} : {}),
      },
    }
  }

  /**
   * One listener connection, until it drops ('dropped' once welcomed, else ListenDroppedError for
   * a backoff), the copy of `--once` is done, or the signal aborts ('done').
   */
  private async connection(): Promise<'done' | 'dropped'> {
    const {signal, once} = this.opts
    if (signal.aborted) return 'done'
    // Resuming is only worth asking for when the mirror is complete up to that event.
    const resumeFrom = !once && this.state.copied ? this.state.eventId : undefined
    const client = resumeFrom
      ? this.client.withConfig({headers: {'Last-Event-ID': resumeFrom}})
      : this.client
    const queue = new EventQueue()
    const subscription = client
      .listen(
        '*',
        {},
        {
          includeResult: true,
          includePreviousRevision: false,
          includeMutations: false,
          includeAllVersions: true,
          visibility: 'transaction',
          enableResume: true,
          events: ['welcome', 'welcomeback', 'reset', 'mutation', 'reconnect'],
          tag: 'sync',
        },
      )
      .subscribe({
        next: (event) => queue.push(event),
        error: (error: unknown) => queue.push({type: 'end', error}),
        complete: () => queue.push({type: 'end'}),
      })
    const onAbort = () => queue.push({type: 'end'})
    signal.addEventListener('abort', onAbort)
    this.assembler.clear()
    let welcomed = false
    try {
      for (;;) {
        const event = await queue.next()
        if (signal.aborted) return 'done'
        switch (event.type) {
          case 'welcome':
          case 'reset':
            // The server could not resume (or was not asked to): what was missed is unknown.
            welcomed = true
            await this.copy()
            if (signal.aborted) return 'done'
            this.markReady()
            if (once) {
              for (let item = queue.take(); item; item = queue.take())
                if (item.type === 'mutation') await this.applyEvent(item)
              return 'done'
            }
            this.opts.progress('following changes')
            break
          case 'welcomeback':
            welcomed = true
            this.markReady()
            this.opts.progress(`resumed after event ${resumeFrom}; following changes`)
            break
          case 'mutation':
            if (welcomed) await this.applyEvent(event)
            break
          case 'reconnect':
            if (!welcomed) throw new ListenDroppedError('listener connection failed')
            this.opts.progress('listener dropped; reconnecting')
            return 'dropped'
          case 'end': {
            if (signal.aborted) return 'done'
            const error = listenerError(event.error)
            if (!welcomed || !(error instanceof ListenDroppedError)) throw error
            this.opts.progress(`${error.message}; reconnecting`)
            return 'dropped'
          }
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
      subscription.unsubscribe()
    }
  }

  /** Apply one event; a transaction is written once all of its events are in. */
  private async applyEvent(event: MutationEventLike): Promise<void> {
    const tx = this.assembler.add(event)
    if (!tx) return
    const started = performance.now()
    const {batch, refetch} = writesFor(tx)
    if (refetch.length > 0) batch.put = [...(batch.put ?? []), ...(await this.read(refetch))]
    this.state = {
      ...this.state,
      eventId: tx.lastEventId,
      transactionId: tx.transactionId,
      timestamp: tx.timestamp,
    }
    const result = this.ds.mirror(batch, {
      transactionId: tx.transactionId,
      timestamp: tx.timestamp,
      author: 'sync',
      meta: {[SYNC_META_KEY]: this.state},
    })
    this.transactions++
    this.opts.report({
      phase: 'listen',
      documents: tx.events.length,
      written: result.written,
      deleted: result.deleted,
      transactionId: tx.transactionId,
      ms: Math.round(performance.now() - started),
    })
  }

  /** Documents by id as the source stores them now (one deleted meanwhile is left out). */
  private async read(ids: string[]): Promise<StoredDocument[]> {
    return withRetry(
      () => this.client.fetch<StoredDocument[]>('*[_id in $ids]', {ids}, {tag: 'sync'}),
      this.retryPolicy(),
    )
  }

  /**
   * Read `ids` from the source's doc endpoint (`/data/doc/<dataset>/<ids>`) and store them as
   * they are now, in one SQLite transaction: a document the source no longer has (omitted, or
   * not visible to the token) is deleted. Reading the current version makes the order of
   * deliveries irrelevant (Sanity does not promise one) and a repeated delivery writes nothing.
   * `committedAt` (the oldest source commit behind these ids, when known) is the log's time.
   */
  async refresh(ids: readonly string[], committedAt?: number): Promise<void> {
    const started = performance.now()
    const wanted = new Set(ids)
    const found = new Map<string, StoredDocument>()
    for (const chunk of idChunks([...wanted])) {
      if (this.opts.signal.aborted) return
      const docs = await withRetry(
        () => this.client.getDocuments<Record<string, unknown>>(chunk, {tag: 'sync'}),
        this.retryPolicy(),
      )
      for (const doc of docs) {
        if (doc === null) continue
        const checked = checkedDocument(doc, `/data/doc ${String(doc._id)}`)
        if (wanted.has(checked._id)) found.set(checked._id, checked)
      }
    }
    const now = Date.now()
    const time = committedAt !== undefined && committedAt < now ? committedAt : now
    const result = this.ds.mirror(
      {put: [...found.values()], delete: [...wanted].filter((id) => !found.has(id))},
      {timestamp: new Date(time).toISOString(), author: 'sync'},
    )
    this.transactions++
    this.opts.report({
      phase: 'webhook',
      documents: wanted.size,
      written: result.written,
      deleted: result.deleted,
      transactionId: result.transaction?.transactionId ?? null,
      ms: Math.round(performance.now() - started),
    })
  }

  /**
   * Copy the whole source through the export endpoint, streamed and written in batches, then
   * delete what the mirror has and the export did not: the mirror equals the source as the export
   * saw it. Idempotent, so a copy that fails half-way is simply run again (with backoff).
   */
  async copy(): Promise<void> {
    await withRetry(() => this.copyOnce(), this.retryPolicy())
    // A copy cut short by the signal left `copied: false`: it does not count.
    if (!this.opts.signal.aborted) this.copies++
  }

  private async copyOnce(): Promise<void> {
    const {signal, batchSize} = this.opts
    // Until the sweep is done the mirror is not a copy of the source; the old position is spent.
    this.state = {source: this.state.source, copied: false}
    this.ds.mirror({}, {meta: {[SYNC_META_KEY]: this.state}})
    const url = this.client.getUrl(this.client.getDataUrl('export'))
    const {token} = this.opts.target
    const res = await fetch(url, {
      headers: token ? {authorization: `Bearer ${token}`} : {},
      signal,
    })
    if (!res.ok || !res.body)
      throw new HttpStatusError(
        `export failed: HTTP ${res.status} ${await res.text()}`,
        res.status,
        res.headers.get('retry-after'),
      )
    const seen = new Set<string>()
    let batch: StoredDocument[] = []
    let bytes = 0
    let started = performance.now()
    const flush = (phase: 'copy' | 'sweep', writes: MirrorBatch, documents: number) => {
      const result = this.ds.mirror(writes, {author: 'sync'})
      this.opts.report({
        phase,
        documents,
        written: result.written,
        deleted: result.deleted,
        transactionId: result.transaction?.transactionId ?? null,
        ms: Math.round(performance.now() - started),
      })
      batch = []
      bytes = 0
      started = performance.now()
    }
    let lineNumber = 0
    for await (const line of lines(res.body)) {
      lineNumber++
      if (line.trim() === '') continue
      const doc = documentFromExportLine(line, lineNumber)
      // Not a snapshot: a document changed during the export may come twice; the later one wins.
      if (seen.has(doc._id) && batch.some((d) => d._id === doc._id))
        flush('copy', {put: batch}, batch.length)
      seen.add(doc._id)
      batch.push(doc)
      bytes += line.length
      if (batch.length >= batchSize || bytes >= MAX_BATCH_BYTES)
        flush('copy', {put: batch}, batch.length)
      if (signal.aborted) return
    }
    if (batch.length > 0) flush('copy', {put: batch}, batch.length)
    for (let after = ''; ;) {
      const page = this.ds.documentPage(after, SWEEP_PAGE)
      if (page.length === 0) break
      after = page.at(-1)!.id
      const gone = idsToSweep(
        page.map((row) => row.id),
        seen,
      )
      if (gone.length > 0) flush('sweep', {delete: gone}, gone.length)
    }
    this.state = {source: this.state.source, copied: true}
    this.ds.mirror({}, {meta: {[SYNC_META_KEY]: this.state}})
    this.opts.progress(`copied ${seen.size} documents`)
  }
}

/** Ids in groups small enough for one `/data/doc` URL. */
function idChunks(ids: readonly string[]): string[][] {
  const chunks: string[][] = []
  let chunk: string[] = []
  let chars = 0
  for (const id of ids) {
    if (chunk.length >= DOC_IDS_PER_REQUEST || chars + id.length > DOC_IDS_CHARS) {
      chunks.push(chunk)
      chunk = []
      chars = 0
    }
    chunk.push(id)
    chars += id.length + 1
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}

/** The lines of a streamed body, read as the consumer asks for them (the body is never held whole). */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let rest = ''
  const reader = body.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    rest += decoder.decode(read.value, {stream: true})
    let end: number
    while ((end = rest.indexOf('\n')) !== -1) {
      yield rest.slice(0, end)
      rest = rest.slice(end + 1)
    }
  }
  rest += decoder.decode()
  if (rest !== '') yield rest
}

/** A listener's failure as retry.ts should see it: an HTTP status where there is one. */
function listenerError(error: unknown): Error {
  if (error === undefined) return new ListenDroppedError('listener closed by the server')
  const status = (error as {status?: unknown}).status
  if (typeof status === 'number')
    return new HttpStatusError(`listener: HTTP ${status} ${(error as Error).message}`, status)
  if (
    error instanceof ChannelError ||
    error instanceof MessageError ||
    error instanceof MessageParseError
  )
    return new SyncConnectionError(`listener: ${error.message}`)
  return new ListenDroppedError(`listener: ${(error as Error).message}`, {cause: error})
}

function toPipelineError(e: unknown): Error {
  if (e instanceof PipelineError) return e
  if (e instanceof HttpStatusError)
    return new SyncConnectionError(
      `${e.message} (check SANITY_TOKEN, SANITY_PROJECT_ID and SANITY_DATASET)`,
      {cause: e},
    )
  return new SyncConnectionError(`sync failed: ${(e as Error)?.message ?? String(e)}`, {cause: e})
}
