/**
 * GROQ for the API, with a time limit. groq-js evaluates synchronously, so a pathological query
 * (`*{"a": *{"b": *}}` on a large dataset) would hold the server's only thread for minutes: no
 * Studio save, no listener, no health check in the meantime. Queries therefore run one at a time
 * in a worker thread (queryWorker.ts, messages in queryProtocol.ts) with its own connection to the dataset file; one that runs
 * past `timeoutMs` (or past the worker's memory limit) gets a 400 `queryTimeoutError`, the worker
 * is terminated and the next query starts a fresh one. An in-memory dataset cannot be opened from
 * another thread: its queries run here, without a limit.
 */
import {Worker} from 'node:worker_threads'
import type {Perspective} from '../query/local.ts'
import {GroqQueryError} from '../query/errors.ts'
import type {Dataset} from '../store/dataset.ts'
import {HttpError} from './http.ts'
import {QuerySnapshot} from './querySnapshot.ts'
import type {QueryRequest, QueryResponse, QueryWorkerData} from './queryProtocol.ts'

export interface QueryServiceOptions {
  /** Longest a query may run, in ms (default 10 s). */
  timeoutMs?: number
  /** Heap limit of the query worker in MB (default 4096): a query building a huge result fails alone. */
  maxMemoryMb?: number
  /** Queries waiting at most; more are refused with 503 (default 256). */
  maxQueued?: number
}

interface Pending {
  job: QueryRequest
  resolve(value: unknown): void
  reject(e: unknown): void
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000

export class QueryService {
  private readonly ds: Dataset
  private readonly timeoutMs: number
  private readonly maxMemoryMb: number
  private readonly maxQueued: number
  private local: QuerySnapshot | undefined
  private worker: Worker | undefined
  private running: {pending: Pending; timer: NodeJS.Timeout} | undefined
  private readonly queue: Pending[] = []
  private nextId = 1
  private closed = false

  constructor(ds: Dataset, opts: QueryServiceOptions = {}) {
    this.ds = ds
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
    this.maxMemoryMb = opts.maxMemoryMb ?? 4096
    this.maxQueued = opts.maxQueued ?? 256
    if (ds.path === ':memory:') this.local = new QuerySnapshot(ds)
  }

  run(query: string, params: Record<string, unknown>, perspective: Perspective): Promise<unknown> {
    if (this.local) return this.local.run(query, params, perspective)
    if (this.closed)
      return Promise.reject(
        new HttpError(503, 'The local API is shutting down', 'serviceUnavailable'),
      )
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new HttpError(
          503,
          `Too many queries waiting (${this.maxQueued}); try again shortly`,
          'queryQueueFull',
        ),
      )
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        job: {type: 'run', id: this.nextId++, query, params, perspective},
        resolve,
        reject,
      })
      this.pump()
    })
  }

  /** Stop the worker; queries still waiting fail with 503. */
  close(): void {
    this.closed = true
    for (const p of this.queue.splice(0))
      p.reject(new HttpError(503, 'The local API is shutting down', 'serviceUnavailable'))
    if (this.running) {
      clearTimeout(this.running.timer)
      this.running.pending.reject(
        new HttpError(503, 'The local API is shutting down', 'serviceUnavailable'),
      )
      this.running = undefined
    }
    void this.worker?.terminate()
    this.worker = undefined
  }

  private pump(): void {
    if (this.running || this.closed) return
    const pending = this.queue.shift()
    if (!pending) return
    const worker = this.ensureWorker()
    const timer = setTimeout(
      () =>
        this.fail(
          new HttpError(
            400,
            `Query ran longer than the local API's limit of ${this.timeoutMs} ms; narrow its filter or slice it`,
            'queryTimeoutError',
            {query: pending.job.query},
          ),
        ),
      this.timeoutMs,
    )
    this.running = {pending, timer}
    worker.postMessage(pending.job)
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(new URL('./queryWorker.ts', import.meta.url), {
      workerData: {datasetPath: this.ds.path} satisfies QueryWorkerData,
      resourceLimits: {maxOldGenerationSizeMb: this.maxMemoryMb},
    })
    // The server's sockets keep the process alive; an idle worker must not.
    worker.unref()
    worker.on('message', (reply: QueryResponse) => this.settle(reply))
    worker.on('error', (e: Error & {code?: string}) => {
      if (this.worker !== worker) return
      const message =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `Query needed more memory than the local API allows (${this.maxMemoryMb} MB); narrow it`
          : `Query worker failed: ${e.message}`
      this.fail(
        new HttpError(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 400 : 500,
          message,
          e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'queryTimeoutError' : 'internalError',
        ),
      )
    })
    worker.on('exit', () => {
      if (this.worker !== worker) return
      this.worker = undefined
      if (this.running)
        this.fail(new HttpError(500, 'Query worker stopped unexpectedly', 'internalError'))
    })
    this.worker = worker
    return worker
  }

  private settle(reply: QueryResponse): void {
    const running = this.running
    if (!running || running.pending.job.id !== reply.id) return
    clearTimeout(running.timer)
    this.running = undefined
    switch (reply.type) {
      case 'result':
        running.pending.resolve(reply.result)
        break
      case 'groqError': {
        const where: {position?: number; line?: number; column?: number} = {}
        if (reply.position !== undefined) where.position = reply.position
        if (reply.line !== undefined) where.line = reply.line
        if (reply.column !== undefined) where.column = reply.column
        running.pending.reject(new GroqQueryError(reply.message, running.pending.job.query, where))
        break
      }
      case 'error':
        running.pending.reject(new Error(reply.message))
        break
      default:
        // A compile error when a response type is added to queryProtocol.ts but not handled here.
        reply satisfies never
    }
    this.pump()
  }

  /** The running query failed for good (time limit, memory, crash): answer it, replace the worker. */
  private fail(error: HttpError): void {
    const running = this.running
    this.running = undefined
    const worker = this.worker
    this.worker = undefined
    void worker?.terminate()
    if (running) {
      clearTimeout(running.timer)
      running.pending.reject(error)
    }
    this.pump()
  }
}
