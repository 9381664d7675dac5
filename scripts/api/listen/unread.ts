/**
 * Bytes written to listen streams that their clients have not read yet. A client that stops
 * reading makes the server hold every later event for it: 200 such connections held 1.7 GB.
 * A stream is dropped (its reason returned here; the hub sends it as a `disconnect` event):
 * - when it has held more than `maxPendingBytes` for `maxPendingMs`: long enough for a reading
 *   client to take a burst of large events, which may well be over the limit for a moment;
 * - while all streams together hold more than `maxTotalPendingBytes`: those whose clients have
 *   taken nothing for `idleMs`, largest first, until the rest fit. A client still taking its
 *   burst is left alone however far behind it is (the first rule still applies to it).
 * Pure bookkeeping: the streams report their own unread and taken bytes.
 */
import type {ListenStream} from './events.ts'

export interface UnreadLimits {
  maxPendingBytes: number
  maxPendingMs: number
  maxTotalPendingBytes: number
  idleMs: number
}

export interface Drop {
  stream: ListenStream
  reason: string
}

interface Held {
  /** What the client had taken when last seen to take something. */
  taken: number
  /** Since when it has taken nothing (or since it was first seen holding bytes). */
  idleSince: number
  /** Since when it has held more than maxPendingBytes. */
  overSince: number | undefined
}

const AGAIN = 'listen again and refetch'

export class UnreadBytes {
  private readonly limits: UnreadLimits
  /** Streams that held unread bytes when last seen. */
  private readonly held = new Map<ListenStream, Held>()

  constructor(limits: UnreadLimits) {
    this.limits = limits
  }

  /** Look at the stream now (before or after a write): why to drop it, if it is to go. */
  check(stream: ListenStream, now = Date.now()): string | undefined {
    const {maxPendingBytes, maxPendingMs} = this.limits
    const unread = stream.pendingBytes()
    if (unread === 0) {
      this.held.delete(stream)
      return undefined
    }
    const taken = stream.takenBytes()
    let entry = this.held.get(stream)
    if (!entry) this.held.set(stream, (entry = {taken, idleSince: now, overSince: undefined}))
    else if (taken > entry.taken) {
      entry.taken = taken
      entry.idleSince = now
    }
    if (unread <= maxPendingBytes) {
      entry.overSince = undefined
      return undefined
    }
    entry.overSince ??= now
    if (now - entry.overSince < maxPendingMs) return undefined
    return `The listener fell behind: ${unread} bytes unread for ${(now - entry.overSince) / 1000} s (limit ${maxPendingBytes} bytes for ${maxPendingMs / 1000} s); ${AGAIN}`
  }

  /** Every held stream looked at again, then the total budget enforced. */
  sweep(now = Date.now()): Drop[] {
    const drops: Drop[] = []
    for (const stream of [...this.held.keys()]) {
      const reason = this.check(stream, now)
      if (reason) {
        this.forget(stream)
        drops.push({stream, reason})
      }
    }
    return [...drops, ...this.overBudget(now)]
  }

  forget(stream: ListenStream): void {
    this.held.delete(stream)
  }

  /** Idle streams to drop, largest first, until the rest fit in the budget. */
  private overBudget(now: number): Drop[] {
    const {maxTotalPendingBytes, idleMs} = this.limits
    let total = 0
    const idle: Array<{stream: ListenStream; unread: number}> = []
    for (const [stream, {idleSince}] of this.held) {
      const unread = stream.pendingBytes()
      total += unread
      if (now - idleSince >= idleMs) idle.push({stream, unread})
    }
    const drops: Drop[] = []
    idle.sort((a, b) => b.unread - a.unread)
    for (const {stream, unread} of idle) {
      if (total <= maxTotalPendingBytes) break
      drops.push({
        stream,
        reason: `The listener fell behind: ${unread} bytes unread, nothing taken for ${idleMs / 1000} s, while all listeners held ${total} (limit ${maxTotalPendingBytes} bytes in all); ${AGAIN}`,
      })
      total -= unread
      this.forget(stream)
    }
    return drops
  }
}
