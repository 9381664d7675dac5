/**
 * Which waiting query runs next when a query worker is free: one queue per client, and the client
 * served least recently goes first, so a client sending slow queries back to back waits behind
 * its own queries, not everyone else behind it. Two caps keep a worker free for everyone else:
 * - a client runs at most `workers - 1` queries at once (one, with the default two workers);
 * - anonymous clients together run at most `workers - 1`, so the token holder (the Studio, the
 *   scripts) always finds a worker, whatever anonymous callers send.
 * With a single worker both caps are 1: turns are still fair, but nothing is reserved.
 * Waiting queries are capped per anonymous client and for anonymous clients together (429), and
 * in total (503); the token holder's bursts (the Studio's previews) meet only the total.
 */
import {HttpError} from './http.ts'

export interface SchedulerLimits {
  workers: number
  /** Queries one anonymous client may have waiting. */
  perClient: number
  /** Queries anonymous clients together may have waiting. */
  anonymous: number
  /** Queries waiting at most. */
  total: number
}

/** Anonymous clients' keys start with this (see queryClient in queryService.ts). */
export const ANONYMOUS_PREFIX = 'anon:'

const isAnonymous = (client: string) => client.startsWith(ANONYMOUS_PREFIX)

export class FairQueue<T> {
  private readonly limits: SchedulerLimits
  /** Clients with waiting items, in the order they arrived. */
  private readonly queues = new Map<string, T[]>()
  private readonly running = new Map<string, number>()
  /** When each client with work waiting or running last got a turn (0: not yet). */
  private readonly served = new Map<string, number>()
  private turns = 0
  private waiting = 0
  private anonymousWaiting = 0
  private anonymousRunning = 0

  constructor(limits: SchedulerLimits) {
    this.limits = limits
  }

  get size(): number {
    return this.waiting
  }

  /** Queue `item` for `client`, or refuse it (429 / 503) when a cap is reached. */
  push(client: string, item: T): void {
    const queue = this.queues.get(client) ?? []
    const anonymous = isAnonymous(client)
    if (anonymous && queue.length >= this.limits.perClient)
      throw new HttpError(
        429,
        `Too many of your queries waiting (${this.limits.perClient}); wait for their answers`,
        'queryQueueFull',
      )
    if (anonymous && this.anonymousWaiting >= this.limits.anonymous)
      throw new HttpError(
        429,
        `Too many anonymous queries waiting (${this.limits.anonymous}); try again shortly`,
        'queryQueueFull',
      )
    if (this.waiting >= this.limits.total)
      throw new HttpError(
        503,
        `Too many queries waiting (${this.limits.total}); try again shortly`,
        'queryQueueFull',
      )
    queue.push(item)
    this.queues.set(client, queue)
    this.waiting++
    if (anonymous) this.anonymousWaiting++
  }

  /** The next item to run, counted as running until `done(client)`; undefined when none may. */
  take(): {client: string; item: T} | undefined {
    const cap = Math.max(1, this.limits.workers - 1)
    let next: string | undefined
    for (const client of this.queues.keys()) {
      if ((this.running.get(client) ?? 0) >= cap) continue
      if (isAnonymous(client) && this.anonymousRunning >= cap) continue
      if (next === undefined || (this.served.get(client) ?? 0) < (this.served.get(next) ?? 0))
        next = client
    }
    if (next === undefined) return undefined
    const queue = this.queues.get(next)!
    const item = queue.shift()!
    if (queue.length === 0) this.queues.delete(next)
    this.waiting--
    this.running.set(next, (this.running.get(next) ?? 0) + 1)
    this.served.set(next, ++this.turns)
    if (isAnonymous(next)) {
      this.anonymousWaiting--
      this.anonymousRunning++
    }
    return {client: next, item}
  }

  /** An item `take` returned has finished. */
  done(client: string): void {
    const n = (this.running.get(client) ?? 1) - 1
    if (n > 0) this.running.set(client, n)
    else this.running.delete(client)
    if (isAnonymous(client)) this.anonymousRunning--
    this.forgetIdle(client)
  }

  /** Take a waiting item out (its client went away); false when it is not waiting. */
  remove(client: string, item: T): boolean {
    const queue = this.queues.get(client)
    const at = queue?.indexOf(item) ?? -1
    if (!queue || at === -1) return false
    queue.splice(at, 1)
    if (queue.length === 0) this.queues.delete(client)
    this.waiting--
    if (isAnonymous(client)) this.anonymousWaiting--
    this.forgetIdle(client)
    return true
  }

  /** A client with nothing waiting or running is forgotten: its next query is a newcomer's. */
  private forgetIdle(client: string): void {
    if (!this.queues.has(client) && !this.running.has(client)) this.served.delete(client)
  }

  /** Every waiting item, removed (shutdown). */
  drain(): T[] {
    const all = [...this.queues.values()].flat()
    this.queues.clear()
    this.served.clear()
    this.waiting = 0
    this.anonymousWaiting = 0
    return all
  }
}
