/**
 * The mirror driven by Sanity webhooks instead of a listener (`npm run export -- --watch
 * --webhook-port <n>`): no long-lived connection to the source, so a hosted project can drive it
 * through a tunnel or a reverse proxy.
 *
 * An HTTP server on 127.0.0.1 takes deliveries as soon as it is up. Each is verified first
 * (`sanity-webhook-signature`, @sanity/webhook, scripts/api/webhookReceiver.ts): a missing or
 * bad signature is a 401 and nothing is read or written. A verified delivery names documents
 * (core.ts readDelivery); their ids are queued and answered 200 at once, so the sender never
 * waits for a copy or a publish. Meanwhile the mirror copies the whole source through the export
 * endpoint (every start: what changed while nothing listened is caught up), then reads the queued
 * documents from the source (`/data/doc`) and stores them as they are now, one round at a time.
 * A restart copies again, so a delivery queued and lost to a kill costs nothing.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {PipelineError} from '../lib/errors.ts'
import {HttpError} from '../api/http.ts'
import {createWebhookHandler} from '../api/webhookReceiver.ts'
import {Dataset} from '../store/dataset.ts'
import {readDelivery, sourceOf} from './core.ts'
import {Mirror, type SyncOptions, type SyncSummary} from './sync.ts'

const WEBHOOK_HOST = '127.0.0.1'
/** Largest delivery body: a projection such as `{_id}` is a few bytes, a whole document more. */
const MAX_BODY_BYTES = 1024 * 1024
/** A request must be in (headers and body) within this long, or it is cut (408). */
const REQUEST_TIMEOUT_MS = 15_000
/** Open connections at most: deliveries come a few at a time. */
const MAX_CONNECTIONS = 64
/** Ids queued at most; past it the queue is dropped and the next round is a whole copy instead. */
const MAX_QUEUED_IDS = 10_000
/** Ids read per round at most. */
const ROUND_IDS = 500

export interface WebhookSyncOptions extends Omit<SyncOptions, 'once'> {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number
  /** The hook's secret: deliveries are verified with it. Never printed. */
  secret: string
  /** The server is up (before the first copy): where to point the hook. */
  onListening?: (address: {port: number; url: string}) => void
}

/** The webhook port cannot be bound. */
class WebhookPortError extends PipelineError {
  override readonly code = 'WEBHOOK_PORT'
}

/** Ids waiting to be read again, with the oldest commit time behind them. */
class Inbox {
  private ids = new Set<string>()
  private oldest: number | undefined
  private waiter: (() => void) | undefined
  /** More ids came than the queue holds: a whole copy catches up instead. */
  overflowed = false

  add(ids: readonly string[], committedAt: number | undefined): void {
    if (!this.overflowed) {
      for (const id of ids) this.ids.add(id)
      if (committedAt !== undefined) this.oldest = Math.min(this.oldest ?? committedAt, committedAt)
      if (this.ids.size > MAX_QUEUED_IDS) {
        this.overflowed = true
        this.ids.clear()
      }
    }
    this.waiter?.()
  }

  get empty(): boolean {
    return this.ids.size === 0 && !this.overflowed
  }

  /** Up to `max` ids and the oldest commit time known for the queue (kept for the rest). */
  take(max: number): {ids: string[]; committedAt: number | undefined} {
    const ids = [...this.ids].slice(0, max)
    for (const id of ids) this.ids.delete(id)
    const committedAt = this.oldest
    if (this.ids.size === 0) this.oldest = undefined
    return {ids, committedAt}
  }

  /** Resolves when something arrives or `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (!this.empty || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.waiter = undefined
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.waiter = done
      signal.addEventListener('abort', done, {once: true})
    })
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) =>
      reject(
        new WebhookPortError(
          e.code === 'EADDRINUSE'
            ? `--webhook-port ${port}: port in use on ${WEBHOOK_HOST}; choose another (0 picks a free one)`
            : `--webhook-port ${port}: ${e.message}`,
        ),
      )
    server.once('error', failed)
    server.listen(port, WEBHOOK_HOST, () => {
      server.off('error', failed)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** Mirror `opts.target` into `opts.datasetPath`, driven by webhooks, until `opts.signal` aborts. */
export async function runWebhookSync(opts: WebhookSyncOptions): Promise<SyncSummary> {
  if (opts.secret === '') throw new WebhookPortError('a webhook receiver needs a secret')
  const ds = Dataset.open(opts.datasetPath)
  const server = createServer({requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: 10_000})
  try {
    const mirror = new Mirror(ds, {...opts, once: false})
    const source = sourceOf(opts.target)
    const inbox = new Inbox()
    server.maxConnections = MAX_CONNECTIONS
    server.on(
      'request',
      createWebhookHandler({
        secret: opts.secret,
        maxBodyBytes: MAX_BODY_BYTES,
        onWebhook: ({body, headers}) => {
          const delivery = readDelivery(body, headers, source)
          if (delivery.kind === 'invalid')
            throw new HttpError(400, delivery.problem, 'invalidDelivery')
          if (delivery.kind === 'ignored') return {ok: true, ignored: delivery.reason}
          inbox.add(delivery.ids, delivery.committedAt)
          opts.progress(
            `webhook: ${delivery.operation ?? 'change'} of ${delivery.ids.join(', ')} queued`,
          )
          return {ok: true, queued: delivery.ids}
        },
      }),
    )
    const port = await listen(server, opts.port)
    opts.onListening?.({port, url: `http://${WEBHOOK_HOST}:${port}/`})
    await mirror.guard(async () => {
      const {signal} = opts
      await mirror.copy()
      if (signal.aborted) return
      mirror.markReady()
      opts.progress('following webhook deliveries')
      while (!signal.aborted) {
        await inbox.wait(signal)
        if (signal.aborted) break
        if (inbox.overflowed) {
          opts.progress(`more than ${MAX_QUEUED_IDS} documents queued: copying instead`)
          inbox.overflowed = false
          await mirror.copy()
          continue
        }
        const {ids, committedAt} = inbox.take(ROUND_IDS)
        await mirror.refresh(ids, committedAt)
      }
    })
    return mirror.summary()
  } finally {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
    ds.close()
  }
}
