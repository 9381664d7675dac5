/**
 * Webhook delivery: every committed transaction, whoever wrote it (this server, the CLI, another
 * process), is read from the dataset's transaction log, as the listen hub does, and each enabled
 * hook whose `on`, `includeDrafts`, filter and dataset fit a changed document gets one message:
 * an HTTP request with the projection as its body, Sanity's headers and, with a secret, a signature.
 *
 * Nothing here blocks the server: the rules run in the query workers (QueryService.delta), the
 * requests are asynchronous, at most `concurrency` at a time, each with a time limit. Messages held
 * (waiting, in flight, or waiting to retry) are capped at `maxPending`: past it the log is not
 * read further until some are done, so a dead receiver slows its hooks down rather than filling
 * memory, and no change is skipped. Failed requests (network error, time-out, any non-2xx answer)
 * are retried with exponential backoff, at most `maxAttempts` times within `maxRetryMs` of the
 * first attempt, as Sanity retries for a bounded time. Every attempt is logged (log.ts).
 *
 * What runs while no API server does is not delivered later: delivery starts at the log's end.
 */
import {createHash, randomUUID} from 'node:crypto'
import type {Dataset} from '../../store/dataset.ts'
import type {DocumentEffect, LoggedTransaction, StoredDocument} from '../../store/types.ts'
import {isPublishedId} from '../../store/ids.ts'
import type {QueryService} from '../queryService.ts'
import {DeliveryLog, LOGGED_PAYLOAD_BYTES} from './log.ts'
import {send} from './send.ts'
import {encodeSignatureHeader, SIGNATURE_HEADER_NAME} from '@sanity/webhook'
import {HookStore} from './store.ts'
import type {DeliveryAttempt, HookMessage, HookOperation, StoredHook} from './types.ts'

export interface WebhookOptions {
  /** How often the transaction log is read, in ms (default 250). */
  pollMs?: number
  /** Longest one request may take, in ms (default 30 s). */
  timeoutMs?: number
  /** Attempts per message at most, the first included (default 10). */
  maxAttempts?: number
  /** Wait before the first retry, doubled for each next one (default 2 s)... */
  retryBaseMs?: number
  /** ...up to this (default 5 min). */
  retryMaxDelayMs?: number
  /** No retry starts later than this after the first attempt (default 30 min). */
  maxRetryMs?: number
  /** Requests in flight at most (default 8). */
  concurrency?: number
  /** Messages held at most before reading the log pauses (default 1000). */
  maxPending?: number
  /** Largest request body, as JSON bytes (default 1 MiB); a larger projection fails its message. */
  maxPayloadBytes?: number
}

export interface WebhookDeps {
  ds: Dataset
  queries: QueryService
  projectId: string
  datasetName: string
  log: (message: string) => void
}

interface Delivery {
  hookId: string
  message: HookMessage
  body: string
  /** Sanity's headers for this message (the same on every attempt). */
  sanityHeaders: Record<string, string>
  attempts: number
  firstAt: number
}

interface Candidate {
  effect: DocumentEffect
  operation: HookOperation
}

/** Changes evaluated per worker job (and between two looks at `maxPending`). */
const CHUNK = 200
/** Transactions read per poll at most. */
const TRANSACTIONS_PER_POLL = 50
/** Waits before re-running a rule whose evaluation failed for the pool's state (429, 5xx). */
const EVALUATION_RETRY_MS = [250, 1000]
const USER_AGENT = 'Sanity.io webhook delivery (local API)'

export class WebhookDelivery {
  readonly store: HookStore
  readonly log = new DeliveryLog()
  private readonly deps: WebhookDeps
  private readonly opts: Required<WebhookOptions>
  /** The last transaction whose changes were all dispatched... */
  private cursor: number
  /** ...and how many changes of the next one already were (a pause inside a large transaction). */
  private skip = 0
  private timer: NodeJS.Timeout | undefined
  private polling = false
  private readonly ready: Delivery[] = []
  private pending = 0
  private inFlight = 0
  private readonly retries = new Set<NodeJS.Timeout>()
  private readonly abort = new AbortController()
  private closed = false

  constructor(deps: WebhookDeps, opts: WebhookOptions = {}) {
    this.deps = deps
    this.store = new HookStore(deps.ds)
    this.opts = {
      pollMs: opts.pollMs ?? 250,
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxAttempts: Math.max(1, opts.maxAttempts ?? 10),
      retryBaseMs: opts.retryBaseMs ?? 2000,
      retryMaxDelayMs: opts.retryMaxDelayMs ?? 5 * 60_000,
      maxRetryMs: opts.maxRetryMs ?? 30 * 60_000,
      concurrency: Math.max(1, opts.concurrency ?? 8),
      maxPending: Math.max(1, opts.maxPending ?? 1000),
      maxPayloadBytes: opts.maxPayloadBytes ?? 1024 * 1024,
    }
    this.cursor = deps.ds.lastSeq()
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.opts.pollMs)
    this.timer.unref()
  }

  /** Stop reading the log; requests in flight are aborted and retries dropped. */
  close(): void {
    this.closed = true
    clearInterval(this.timer)
    for (const t of this.retries) clearTimeout(t)
    this.retries.clear()
    this.ready.length = 0
    this.abort.abort()
  }

  /** Read the log from the cursor and dispatch; one poll at a time. */
  async poll(): Promise<void> {
    if (this.closed || this.polling) return
    this.polling = true
    try {
      const hooks = this.store.list().filter((h) => this.serves(h))
      if (hooks.length === 0) {
        this.cursor = this.deps.ds.lastSeq()
        this.skip = 0
        return
      }
      for (const tx of this.deps.ds.transactionsSince(this.cursor, TRANSACTIONS_PER_POLL)) {
        if (!(await this.dispatch(hooks, tx))) return
        this.cursor = tx.seq
        this.skip = 0
      }
    } catch (e) {
      this.deps.log(`webhooks: reading the transaction log failed: ${(e as Error).message}`)
    } finally {
      this.polling = false
    }
  }

  private serves(hook: StoredHook): boolean {
    return (
      !hook.isDisabledByUser && (hook.dataset === '*' || hook.dataset === this.deps.datasetName)
    )
  }

  /** Dispatch the transaction's changes from `skip` on; false when paused by `maxPending`. */
  private async dispatch(hooks: readonly StoredHook[], tx: LoggedTransaction): Promise<boolean> {
    // Private documents (`_.…`: migrations' bookkeeping, locks) never trigger hooks.
    const effects = tx.effects.filter((e) => !e.id.startsWith('_.'))
    while (this.skip < effects.length) {
      if (this.closed || this.pending >= this.opts.maxPending) return false
      const chunk = effects.slice(this.skip, this.skip + CHUNK)
      for (const hook of hooks) {
        if (tx.seq <= hook.fromSeq) continue
        const candidates = chunk.flatMap((effect): Candidate[] => {
          const operation = operationOf(effect)
          const fits =
            hook.rule.on.includes(operation) && (hook.includeDrafts || isPublishedId(effect.id))
          return fits ? [{effect, operation}] : []
        })
        if (candidates.length > 0) await this.evaluate(hook, tx, candidates)
      }
      this.skip += chunk.length
    }
    return true
  }

  /** Run the hook's rule on the candidates in a worker; queue a message for each match. */
  private async evaluate(hook: StoredHook, tx: LoggedTransaction, candidates: Candidate[]) {
    const {ds} = this.deps
    const version = (id: string, rev: string | undefined): StoredDocument | null =>
      (rev === undefined ? undefined : ds.documentAtRevision(id, rev)) ?? null
    const changes = candidates.map(({effect}) => ({
      before: version(effect.id, effect.previousRev),
      after: version(effect.id, effect.resultRev),
    }))
    let results
    try {
      results = await this.withRetries(() =>
        this.deps.queries.delta(hook.rule, changes, {
          sanity: {projectId: this.deps.projectId, dataset: this.deps.datasetName},
          maxBytes: this.opts.maxPayloadBytes,
          client: `webhook:${hook.id}`,
        }),
      )
    } catch (e) {
      this.deps.log(
        `webhooks: hook ${hook.id} skipped transaction ${tx.transactionId}: its rule failed (${(e as Error).message})`,
      )
      return
    }
    results.forEach((result, i) => {
      if (!result.matched) return
      const {effect, operation} = candidates[i]!
      const message: HookMessage = {
        id: randomUUID(),
        projectId: this.deps.projectId,
        dataset: this.deps.datasetName,
        hookId: hook.id,
        documentId: effect.id,
        transactionId: tx.transactionId,
        operation,
        createdAt: new Date().toISOString(),
        status: result.body === undefined ? 'failed' : 'queued',
        resultCode: null,
        failureCount: 0,
        payload:
          result.body !== undefined && Buffer.byteLength(result.body) <= LOGGED_PAYLOAD_BYTES
            ? result.body
            : null,
      }
      this.log.addMessage(message)
      if (result.body === undefined) {
        this.deps.log(`webhooks: hook ${hook.id}, document ${effect.id}: ${result.error}`)
        return
      }
      this.pending++
      this.ready.push({
        hookId: hook.id,
        message,
        body: result.body,
        sanityHeaders: {
          'sanity-project-id': this.deps.projectId,
          'sanity-dataset': this.deps.datasetName,
          'sanity-webhook-id': hook.id,
          'sanity-document-id': effect.id,
          'sanity-transaction-id': tx.transactionId,
          'sanity-transaction-time': tx.timestamp,
          'sanity-operation': operation,
          'idempotency-key': idempotencyKey(hook.id, tx.transactionId, effect.id),
        },
        attempts: 0,
        firstAt: Date.now(),
      })
    })
    this.pump()
  }

  private async withRetries<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run()
      } catch (e) {
        const status = (e as {statusCode?: number}).statusCode ?? 0
        const delay = EVALUATION_RETRY_MS[attempt]
        const transient = status === 429 || status >= 500
        if (!transient || delay === undefined || this.closed) throw e
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  /** Start queued requests while fewer than `concurrency` are in flight. */
  private pump(): void {
    while (!this.closed && this.inFlight < this.opts.concurrency) {
      const next = this.ready.shift()
      if (!next) return
      this.inFlight++
      void this.attempt(next)
        .catch((e: unknown) => {
          this.deps.log(`webhooks: delivering to hook ${next.hookId} failed: ${String(e)}`)
          this.giveUp(next)
        })
        .finally(() => {
          this.inFlight--
          this.pump()
        })
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    // Read afresh: a hook deleted or disabled meanwhile sends nothing more, and a corrected URL
    // or secret counts from the next attempt.
    const hook = this.store.get(d.hookId)
    if (!hook || !this.serves(hook)) return this.giveUp(d)
    d.attempts++
    const started = Date.now()
    const attempt: DeliveryAttempt = {
      id: randomUUID(),
      projectId: this.deps.projectId,
      hookId: hook.id,
      messageId: d.message.id,
      createdAt: new Date(started).toISOString(),
      updatedAt: null,
      inProgress: true,
      isFailure: false,
      failureReason: null,
      resultCode: null,
      resultBody: null,
      duration: null,
    }
    this.log.addAttempt(attempt)
    const headers: Record<string, string> = {
      ...hook.headers,
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...d.sanityHeaders,
    }
    if (hook.secret)
      headers[SIGNATURE_HEADER_NAME] = await encodeSignatureHeader(d.body, Date.now(), hook.secret)
    const result = await send(hook.url, hook.httpMethod, headers, d.body, {
      timeoutMs: this.opts.timeoutMs,
      signal: this.abort.signal,
    })
    Object.assign(attempt, {
      updatedAt: new Date().toISOString(),
      inProgress: false,
      isFailure: result.failureReason !== null,
      failureReason: result.failureReason,
      resultCode: result.status,
      resultBody: result.body,
      duration: Date.now() - started,
    })
    d.message.resultCode = result.status
    if (result.failureReason === null) {
      d.message.status = 'delivered'
      return this.release()
    }
    d.message.failureCount++
    const delay = Math.min(this.opts.retryBaseMs * 2 ** (d.attempts - 1), this.opts.retryMaxDelayMs)
    const inTime = Date.now() + delay - d.firstAt <= this.opts.maxRetryMs
    if (this.closed || d.attempts >= this.opts.maxAttempts || !inTime) return this.giveUp(d)
    const timer = setTimeout(() => {
      this.retries.delete(timer)
      this.ready.push(d)
      this.pump()
    }, delay)
    timer.unref()
    this.retries.add(timer)
  }

  private giveUp(d: Delivery): void {
    d.message.status = 'failed'
    this.release()
  }

  /** A message is done: reading the log may go on if it was paused. */
  private release(): void {
    this.pending--
    if (!this.closed) setImmediate(() => void this.poll())
  }
}

/** As Sanity derives it from the two versions: no old one is a create, no new one a delete. */
function operationOf(effect: DocumentEffect): HookOperation {
  if (effect.previousRev === undefined) return 'create'
  if (effect.resultRev === undefined) return 'delete'
  return 'update'
}

/**
 * The same for every attempt of a message, and for the same change seen by two servers on one
 * dataset file: receivers drop repeats by it.
 */
function idempotencyKey(hookId: string, transactionId: string, documentId: string): string {
  const digest = createHash('sha256').update(`${hookId}\n${transactionId}\n${documentId}`)
  return `idem_${digest.digest('base64url')}`
}
