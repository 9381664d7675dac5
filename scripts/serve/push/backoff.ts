/**
 * When a failed delivery is tried again. Exponential (×4 from 5 s, at most 30 min), so a receiver
 * that is down for a moment gets the delivery within seconds and one down for a while is not
 * hammered: with the default 6 attempts the retries come after about 5 s, 20 s, 80 s, 5 min and
 * 21 min, about 28 min in all before the delivery is dead-lettered. Each wait is jittered to a
 * random point in [wait/2, wait], so partners that failed together do not retry in step. Pure:
 * the random source is injected.
 */

export interface BackoffOptions {
  /** Wait after the first failed attempt (default 5 s). */
  baseMs?: number
  /** Growth per attempt (default 4). */
  factor?: number
  /** Longest wait (default 30 min). */
  maxMs?: number
  /** Uniform [0, 1) (default Math.random). */
  random?: () => number
}

/** The wait in ms after failed attempt number `attempt` (1-based), before the next one. */
export type Backoff = (attempt: number) => number

export function exponentialBackoff(opts: BackoffOptions = {}): Backoff {
  const {baseMs = 5_000, factor = 4, maxMs = 30 * 60_000, random = Math.random} = opts
  return (attempt) => {
    const wait = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt - 1))
    return Math.round(wait / 2 + random() * (wait / 2))
  }
}
