/**
 * Push: a partner with a notify URL gets a signed Standard Webhooks delivery when its
 * files change. The serve CLI calls `published()` after each publish: each partner's files are
 * hashed and compared with what it was last told (compare.ts), and a change is queued and sent at
 * once, one delivery at a time per partner (worker.ts), retried with backoff (backoff.ts) and
 * dead-lettered after `maxAttempts` (deliver.ts). All of it is kept in `stateDir` (0700), so a
 * restart resends what was not delivered, under the same webhook-id, and never what was.
 *
 * `close()` aborts the attempt under way (not counted; a receiver that got it anyway recognises
 * the repeat by its webhook-id) and stops retries; undelivered deliveries stay queued in the state
 * and are sent when a pusher next starts on that folder. `published()` never rejects: a fault is
 * an `error` event, and the next publish looks again.
 *
 * @example
 * const pusher = createPusher({out, stateDir: `${dataset}-deliveries`, partners, credentialsPath})
 * await pusher.published() // after each publish
 * await pusher.close()
 */
import {setTimeout as sleepFor} from 'node:timers/promises'
import {privateDir} from '../../lib/private.ts'
import {exponentialBackoff, type Backoff} from './backoff.ts'
import {comparePartners} from './compare.ts'
import {faultOf, type PushContext, type PushPartner} from './context.ts'
import type {PushEvent} from './events.ts'
import {loadState, saveState} from './state.ts'
import {deliverQueue} from './worker.ts'

export type {PushEvent} from './events.ts'
export type {PushPartner} from './context.ts'

export interface PusherOptions {
  /** The output folder (partner files in `partners/<name>/`). */
  out: string
  /** The pusher's own folder, made 0700: `state.json`, `<partner>.log.jsonl`, `<partner>.dead.jsonl`. */
  stateDir: string
  /** The partners as they are now; read at every publish and before every attempt. */
  partners: () => readonly PushPartner[] | Promise<readonly PushPartner[]>
  /** The credentials file (credentials.ts), read at send time: a rotated secret applies at once. */
  credentialsPath: string
  /** The feed server's base URL, for the file URLs in the payload (none: no `url`). */
  feedsUrl?: string
  /** Attempts before a delivery is dead-lettered (default 6). */
  maxAttempts?: number
  /** Wait after failed attempt n (default: backoff.ts, 5 s ×4, jittered with `random`). */
  backoffMs?: Backoff
  random?: () => number
  /** One attempt's time limit (default 10 s). */
  timeoutMs?: number
  now?: () => Date
  fetch?: typeof fetch
  onEvent?: (e: PushEvent) => void
}

export interface Pusher {
  /** After a publish: queue a delivery for every partner whose files changed, and start sending. */
  published(): Promise<void>
  /** Resolves once every queued delivery is delivered or dead-lettered (or the pusher closed). */
  idle(): Promise<void>
  /** Stop: the attempt under way is aborted; undelivered deliveries stay queued in the state. */
  close(): Promise<void>
}

export function createPusher(opts: PusherOptions): Pusher {
  const closing = new AbortController()
  const emit = (e: PushEvent) => {
    try {
      opts.onEvent?.(e)
    } catch {
      // A listener's fault must not stop deliveries.
    }
  }
  privateDir(opts.stateDir, true)
  const ctx: PushContext = {
    out: opts.out,
    stateDir: opts.stateDir,
    credentialsPath: opts.credentialsPath,
    feedsUrl: opts.feedsUrl,
    partners: opts.partners,
    maxAttempts: opts.maxAttempts ?? 6,
    backoff: opts.backoffMs ?? exponentialBackoff(opts.random ? {random: opts.random} : {}),
    timeoutMs: opts.timeoutMs ?? 10_000,
    now: opts.now ?? (() => new Date()),
    fetch: opts.fetch ?? fetch,
    closing: closing.signal,
    emit,
    state: loadState(opts.stateDir, (message) => emit({type: 'error', message})),
    save: () => {
      try {
        saveState(opts.stateDir, ctx.state)
      } catch (e) {
        emit({type: 'error', message: `delivery state not saved (${faultOf(e)})`})
      }
    },
    sleep: (ms) =>
      sleepFor(ms, undefined, {signal: closing.signal}).then(
        () => true,
        () => false,
      ),
  }
  const workers = new Map<string, Promise<void>>()
  let compared: Promise<void> = Promise.resolve()
  let closed: Promise<void> | undefined

  /** Start delivering `partner`'s queue unless that is under way. */
  function kick(partner: string): void {
    if (
      closing.signal.aborted ||
      workers.has(partner) ||
      !ctx.state.partners[partner]?.queue.length
    )
      return
    const run = deliverQueue(ctx, partner).then(
      () => {
        workers.delete(partner)
        kick(partner) // a publish may have queued more as the last attempt ended
      },
      (e: unknown) => {
        workers.delete(partner)
        emit({type: 'error', partner, message: `delivery stopped (${faultOf(e)})`})
      },
    )
    workers.set(partner, run)
  }
  const kickAll = () => Object.keys(ctx.state.partners).forEach(kick)

  kickAll() // what a previous run left queued
  return {
    published() {
      compared = compared.then(async () => {
        if (closing.signal.aborted) return
        try {
          await comparePartners(ctx)
        } catch (e) {
          emit({type: 'error', message: `publish not compared (${faultOf(e)})`})
        }
        ctx.save()
        kickAll()
      })
      return compared
    },
    async idle() {
      for (;;) {
        await compared
        const running = [...workers.values()]
        if (running.length === 0) return
        await Promise.all(running)
      }
    },
    close() {
      closed ??= (async () => {
        closing.abort()
        await Promise.allSettled([compared, ...workers.values()])
        ctx.save()
      })()
      return closed
    },
  }
}
