/**
 * All of the API's GROQ, with a time limit, off the server's thread. groq-js evaluates
 * synchronously, so a pathological query (`*{"a": *{"b": *}}` on a large dataset) would hold the
 * server's only thread for minutes: no Studio save, no listener, no health check meanwhile. So
 * queries, listen filters and mutation selections run in a small pool of worker threads
 * (queryWorker.ts, messages in queryProtocol.ts), each with its own connection to the dataset
 * file and a heap limit, taking turns per client (queryScheduler.ts).
 *
 * A job that runs past `timeoutMs` gets a 400 `queryTimeoutError` and its worker is terminated
 * and replaced; so does one whose worker's heap grows past its budget (watched from here: V8's
 * own heap limit for workers is a backstop only, as reaching it can abort the whole process,
 * nodejs/node#47224); a worker that dies otherwise answers 503. No input leaves a worker stuck.
 * Results are serialized in the worker, within `maxResultBytes`, and arrive as bytes the main
 * thread only writes out.
 *
 * An in-memory dataset cannot be opened from another thread: its jobs run here, without limits
 * of time or turn (tests use them), through the same code (queryJobs.ts).
 */
import {Worker} from 'node:worker_threads'
import type {Perspective} from '../query/local.ts'
import {GroqQueryError} from '../query/errors.ts'
import type {Dataset} from '../store/dataset.ts'
import {MAX_DEPTH, nestsDeeperThan} from '../store/limits.ts'
import {HttpError, type Req} from './http.ts'
import {jsonBytesAtLeast} from './jsonBytes.ts'
import {runJob} from './queryJobs.ts'
import type {
  DeltaChange,
  DeltaResult,
  QueryRequest,
  QueryResponse,
  QueryWorkerData,
  QueryWorkerEvent,
} from './queryProtocol.ts'
import {ANONYMOUS_PREFIX, FairQueue} from './queryScheduler.ts'
import {QuerySnapshot} from './querySnapshot.ts'

export interface QueryServiceOptions {
  /** Longest a job may run, in ms (default 10 s). */
  timeoutMs?: number
  /** Query workers (default 2). */
  workers?: number
  /**
   * Heap budget of each worker in MB: a job past it is stopped. Default: 192 MB plus 10 kB per
   * document, at most 4096 (the snapshot takes about 4 kB per document), fixed when a worker
   * starts.
   */
  maxMemoryMb?: number
  /** Largest query result, as JSON bytes (default 64 MiB); larger is a 400. */
  maxResultBytes?: number
  /** Largest `params`, as JSON bytes (default 1 MiB); larger is a 413. */
  maxParamsBytes?: number
  /** Jobs one anonymous client may have waiting (default 32); more are a 429. */
  maxQueuedPerClient?: number
  /** Jobs anonymous clients together may have waiting (default 128); more are a 429. */
  maxQueuedAnonymous?: number
  /** Jobs waiting at most (default 256); more are a 503. */
  maxQueued?: number
}

/** Who a job is for: its turn (`client`) and what it may see (`authenticated`). */
export interface QueryCaller {
  /** The scheduling key (queryClient(ctx) for requests); default `internal`. */
  client?: string
  /** Default true: internal callers see every document; requests pass ctx.authenticated. */
  authenticated?: boolean
  /** Aborted while still waiting (the client went away): the job is dropped. */
  signal?: AbortSignal
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000
const DEFAULT_QUERY_WORKERS = 2
const DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024
const DEFAULT_MAX_PARAMS_BYTES = 1024 * 1024

/**
 * The scheduling key of a request: `token` for the token holder, `anon:<address>` otherwise (as
 * listen streams count clients). Not per connection: an HTTP/1.1 client opens one connection per
 * request in flight, so a caller sending fifty at once would take fifty turns and dodge its
 * queue's cap. On loopback every anonymous caller has the same address: they share one queue and
 * one turn, and never hold the worker kept for the token holder (queryScheduler.ts).
 */
export function queryClient(ctx: {authenticated: boolean; req: Req}): string {
  if (ctx.authenticated) return 'token'
  return `${ANONYMOUS_PREFIX}${ctx.req.socket?.remoteAddress ?? '?'}`
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never
type Job = WithoutId<QueryRequest>
type Success = Extract<QueryResponse, {type: 'json' | 'matches' | 'ids' | 'delta'}>

interface Pending {
  client: string
  job: QueryRequest
  resolve(reply: Success): void
  reject(e: unknown): void
}

interface Slot {
  worker: Worker | undefined
  /** The worker has built its snapshot. */
  ready: boolean
  running: {pending: Pending; timer: NodeJS.Timeout; watch: NodeJS.Timeout} | undefined
}

/** How often a running job's heap is looked at. */
const MEMORY_POLL_MS = 50
/**
 * V8's limit for a worker, above its budget: what a job allocates between two looks (up to a few
 * hundred MB while a collection delays the answer) must not reach it.
 */
const HEAP_BACKSTOP_MB = 768

const shuttingDown = () =>
  new HttpError(503, 'The local API is shutting down', 'serviceUnavailable')

export class QueryService {
  /** Largest `params` a job takes (routes refuse larger bodies before reading them). */
  readonly maxParamsBytes: number
  private readonly timeoutMs: number
  private readonly maxResultBytes: number
  private readonly ds: Dataset
  private readonly maxMemoryMb: number | undefined
  private readonly local: QuerySnapshot | undefined
  private readonly slots: Slot[]
  private readonly queue: FairQueue<Pending>
  private nextId = 1
  private closed = false

  constructor(ds: Dataset, opts: QueryServiceOptions = {}) {
    this.ds = ds
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
    this.maxMemoryMb = opts.maxMemoryMb
    this.maxResultBytes = opts.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES
    this.maxParamsBytes = opts.maxParamsBytes ?? DEFAULT_MAX_PARAMS_BYTES
    const workers = Math.max(1, opts.workers ?? DEFAULT_QUERY_WORKERS)
    this.slots = Array.from({length: workers}, () => ({
      worker: undefined,
      ready: false,
      running: undefined,
    }))
    this.queue = new FairQueue({
      workers,
      perClient: opts.maxQueuedPerClient ?? 32,
      anonymous: opts.maxQueuedAnonymous ?? 128,
      total: opts.maxQueued ?? 256,
    })
    if (ds.path === ':memory:') this.local = new QuerySnapshot(ds)
  }

  /** A query's result, parsed (for internal callers; routes answer with runJson's bytes). */
  async run(
    query: string,
    params: Record<string, unknown>,
    perspective: Perspective,
    opts: QueryCaller = {},
  ): Promise<unknown> {
    const bytes = await this.runJson(query, params, perspective, opts)
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown
  }

  /**
   * A query's result as JSON bytes (UTF-8), serialized in the worker: a 400
   * `queryResultTooLargeError` past `maxResultBytes`. Callers without the token query only
   * documents with public ids (querySnapshot.ts).
   */
  async runJson(
    query: string,
    params: Record<string, unknown>,
    perspective: Perspective,
    opts: QueryCaller = {},
  ): Promise<Uint8Array> {
    const reply = await this.submit(
      {
        type: 'query',
        query,
        params,
        perspective,
        visibility: opts.authenticated === false ? 'public' : 'all',
        maxBytes: this.maxResultBytes,
      },
      opts,
    )
    return replyOf(reply, 'json').bytes
  }

  /**
   * A listen filter (the query given to /data/listen) tested against each of `docs` alone, as a
   * one-document dataset: one worker job for them all. A filter that fails on a document does not
   * match it; a syntax error rejects with a GroqQueryError; a timeout with a 400
   * `queryTimeoutError`.
   */
  async match(
    filter: string,
    params: Record<string, unknown>,
    docs: ReadonlyArray<{_id: string}>,
    opts: {identity: string; client?: string; signal?: AbortSignal},
  ): Promise<boolean[]> {
    if (docs.length === 0) return []
    const reply = await this.submit(
      {type: 'match', query: filter, params, identity: opts.identity, docs},
      opts,
    )
    return replyOf(reply, 'matches').matches
  }

  /**
   * The `_id`s a delete/patch by query selects: `query` as the mutation gives it (`*[<filter>]`,
   * possibly sliced or ordered), over every document (the raw perspective), in the worker. GROQ
   * errors (syntax, a missing `$param`) reject with a GroqQueryError.
   */
  async ids(
    query: string,
    params: Record<string, unknown>,
    opts: QueryCaller = {},
  ): Promise<string[]> {
    const reply = await this.submit({type: 'ids', query, params}, opts)
    return replyOf(reply, 'ids').ids
  }

  /**
   * A webhook's rule against each change, in one worker job (hooks/deltaJob.ts): whether its
   * filter (empty: every change) matches, and if so its projection's JSON (null: the document).
   * A syntax error rejects with a GroqQueryError; a timeout with a 400 `queryTimeoutError`.
   */
  async delta(
    rule: {filter: string | null; projection: string | null},
    changes: readonly DeltaChange[],
    opts: {sanity: {projectId: string; dataset: string}; maxBytes: number; client?: string},
  ): Promise<DeltaResult[]> {
    if (changes.length === 0) return []
    const reply = await this.submit(
      {
        type: 'delta',
        query: rule.filter ?? '',
        projection: rule.projection,
        params: {},
        sanity: opts.sanity,
        changes,
        maxBytes: opts.maxBytes,
      },
      opts,
    )
    return replyOf(reply, 'delta').results
  }

  /** Stop the workers; jobs still waiting or running fail with 503. */
  close(): void {
    this.closed = true
    for (const p of this.queue.drain()) p.reject(shuttingDown())
    for (const slot of this.slots) {
      if (slot.running) {
        clearTimeout(slot.running.timer)
        clearInterval(slot.running.watch)
        slot.running.pending.reject(shuttingDown())
        slot.running = undefined
      }
      void slot.worker?.terminate()
      slot.worker = undefined
    }
  }

  private submit(job: Job, opts: QueryCaller): Promise<Success> {
    if (this.closed) return Promise.reject(shuttingDown())
    try {
      this.assertParams(job.params)
    } catch (e) {
      return Promise.reject(e)
    }
    const request = {...job, id: this.nextId++} as QueryRequest
    if (this.local) {
      const local = this.local
      return runJob(local, request).then(({reply}) => settled(request, reply))
    }
    // The first job starts the whole pool: the worker kept for the token holder is then warm.
    for (const slot of this.slots) this.ensureWorker(slot)
    const client = opts.client ?? 'internal'
    const gone = () => new HttpError(499, 'The client closed the request', 'clientClosedRequest')
    if (opts.signal?.aborted) return Promise.reject(gone())
    return new Promise<Success>((resolve, reject) => {
      const pending: Pending = {client, job: request, resolve, reject}
      this.queue.push(client, pending)
      opts.signal?.addEventListener(
        'abort',
        () => {
          if (this.queue.remove(client, pending)) reject(gone())
        },
        {once: true},
      )
      this.pump()
    })
  }

  /** Params go to a worker by structured clone: refuse what would overflow it, or fill memory. */
  private assertParams(params: Record<string, unknown>): void {
    if (nestsDeeperThan(params, MAX_DEPTH))
      throw new HttpError(
        400,
        `Query parameters nested more than ${MAX_DEPTH} levels deep`,
        'queryParseError',
      )
    if (jsonBytesAtLeast(params, this.maxParamsBytes) > this.maxParamsBytes)
      throw new HttpError(
        413,
        `Query parameters larger than ${this.maxParamsBytes} bytes of JSON`,
        'payloadTooLarge',
      )
  }

  /** Hand waiting jobs to idle workers that have their snapshot (the time limit starts now). */
  private pump(): void {
    if (this.closed) return
    for (const slot of this.slots) {
      if (slot.running || !slot.ready) continue
      const next = this.queue.take()
      if (!next) return
      this.start(slot, next.item)
    }
  }

  private start(slot: Slot, pending: Pending): void {
    const timer = setTimeout(
      () =>
        this.fail(
          slot,
          new HttpError(
            400,
            `Query ran longer than the local API's limit of ${this.timeoutMs} ms; narrow its filter or slice it`,
            'queryTimeoutError',
            {query: pending.job.query},
          ),
        ),
      this.timeoutMs,
    )
    const watch = setInterval(() => this.watchMemory(slot, pending), MEMORY_POLL_MS)
    slot.running = {pending, timer, watch}
    try {
      this.ensureWorker(slot).postMessage(pending.job)
    } catch (e) {
      // Structured clone refused the job (it cannot be sent): the worker never saw it.
      this.finish(slot)
      pending.reject(
        new HttpError(400, `Query cannot be run: ${(e as Error).message}`, 'queryParseError'),
      )
    }
  }

  private ensureWorker(slot: Slot): Worker {
    if (slot.worker) return slot.worker
    const worker = new Worker(new URL('./queryWorker.ts', import.meta.url), {
      workerData: {datasetPath: this.ds.path} satisfies QueryWorkerData,
      resourceLimits: {maxOldGenerationSizeMb: this.memoryBudgetMb() + HEAP_BACKSTOP_MB},
    })
    // The server's sockets keep the process alive; an idle worker must not.
    worker.unref()
    worker.on('message', (message: QueryResponse | QueryWorkerEvent) => {
      if (slot.worker !== worker) return
      if (message.type !== 'ready') return this.settle(slot, message)
      slot.ready = true
      this.pump()
    })
    worker.on('error', (e: Error & {code?: string}) => {
      if (slot.worker !== worker) return
      this.fail(
        slot,
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? this.outOfMemory()
          : new HttpError(503, `Query worker failed: ${e.message}`, 'queryWorkerError'),
      )
    })
    worker.on('exit', () => {
      if (slot.worker !== worker) return
      this.fail(slot, new HttpError(503, 'Query worker stopped unexpectedly', 'queryWorkerError'))
    })
    slot.worker = worker
    slot.ready = false
    return worker
  }

  private memoryBudgetMb(): number {
    return this.maxMemoryMb ?? Math.min(4096, 192 + Math.ceil((this.ds.count() * 10) / 1024))
  }

  private outOfMemory(): HttpError {
    return new HttpError(
      400,
      `Query needed more memory than the local API allows (${this.memoryBudgetMb()} MB); narrow it or slice it`,
      'queryTimeoutError',
    )
  }

  /** Stop `pending` once its worker's heap passes the budget (the snapshot included). */
  private watchMemory(slot: Slot, pending: Pending): void {
    const worker = slot.worker
    if (!worker || slot.running?.pending !== pending) return
    worker.getHeapStatistics().then(
      (heap) => {
        if (slot.running?.pending !== pending || slot.worker !== worker) return
        if (heap.used_heap_size > this.memoryBudgetMb() * 1024 * 1024)
          this.fail(slot, this.outOfMemory())
      },
      // The worker stopped meanwhile: its 'exit' answers the job.
      () => {},
    )
  }

  private settle(slot: Slot, reply: QueryResponse): void {
    const running = slot.running
    if (!running || running.pending.job.id !== reply.id) return
    this.finish(slot)
    try {
      running.pending.resolve(settled(running.pending.job, reply))
    } catch (e) {
      running.pending.reject(e)
    }
    this.pump()
  }

  /** The slot's job is over: its timer and turn end. */
  private finish(slot: Slot): void {
    const running = slot.running
    if (!running) return
    clearTimeout(running.timer)
    clearInterval(running.watch)
    slot.running = undefined
    this.queue.done(running.pending.client)
  }

  /**
   * The slot's worker is done for (time limit, memory, crash): answer its job and replace it at
   * once, so that the next job finds a snapshot ready. A worker that died before it was ready
   * cannot open the dataset: the jobs waiting fail with its error, and the next job tries again
   * (no restart loop).
   */
  private fail(slot: Slot, error: HttpError): void {
    const running = slot.running
    const started = slot.ready
    this.finish(slot)
    const worker = slot.worker
    slot.worker = undefined
    slot.ready = false
    void worker?.terminate()
    running?.pending.reject(error)
    if (this.closed) return
    if (started) {
      this.ensureWorker(slot)
      this.pump()
    } else {
      for (const p of this.queue.drain()) p.reject(error)
    }
  }
}

/** A worker's reply as the caller's answer, or the error it stands for. */
function settled(job: QueryRequest, reply: QueryResponse): Success {
  switch (reply.type) {
    case 'json':
    case 'matches':
    case 'ids':
    case 'delta':
      return reply
    case 'tooLarge':
      throw new HttpError(
        400,
        `Query result larger than the local API's limit of ${reply.maxBytes} bytes of JSON; select fewer fields or slice it`,
        'queryResultTooLargeError',
        {query: job.query},
      )
    case 'groqError': {
      const where: {position?: number; line?: number; column?: number} = {}
      if (reply.position !== undefined) where.position = reply.position
      if (reply.line !== undefined) where.line = reply.line
      if (reply.column !== undefined) where.column = reply.column
      throw new GroqQueryError(reply.message, job.query, where)
    }
    case 'error':
      throw new Error(reply.message)
    default:
      // A compile error when a response type is added to queryProtocol.ts but not handled here.
      return reply satisfies never
  }
}

/** The reply of the kind the job asked for (the worker answers each job with its own kind). */
function replyOf<K extends Success['type']>(reply: Success, type: K): Extract<Success, {type: K}> {
  if (reply.type !== type) throw new Error(`Query worker answered ${reply.type}, not ${type}`)
  return reply as Extract<Success, {type: K}>
}
