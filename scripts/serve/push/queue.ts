/**
 * The pusher's memory, and how a publish and an attempt change it. Pure: the caller hashes the
 * files, passes the time in and persists the result (state.ts).
 *
 * Per partner: the files as last notified (or as first seen: the baseline, which sends nothing),
 * and the deliveries not yet delivered, oldest first. The head is the one being delivered; it keeps
 * its id and payload through every retry. A delivery queued behind it has not been sent, so a
 * later change is merged into it (each path's latest hash wins); if the files went back to what
 * the head will announce, the queued one is withdrawn.
 */
import type {Backoff} from './backoff.ts'
import {diffFiles, type FileChange, type FileHashes} from './changes.ts'
import {deliveryId} from './payload.ts'

export interface Delivery {
  /** The `webhook-id`. */
  id: string
  /** This partner's delivery number. */
  seq: number
  /** When the change was seen: the payload's timestamp. */
  createdAt: string
  /** The files as notified before this delivery. */
  base: FileHashes
  changes: FileChange[]
  /** Attempts made so far. */
  attempts: number
  /** Not before (ISO); absent: at once. */
  nextAttemptAt?: string
}

export interface PartnerState {
  /** The files as of the last delivery queued (or the baseline). */
  files: FileHashes
  /** The last delivery number used. */
  seq: number
  queue: Delivery[]
}

export interface PushState {
  version: 1
  partners: Record<string, PartnerState>
}

export type Enqueued =
  | {kind: 'baseline' | 'unchanged' | 'withdrawn'; entry: PartnerState}
  | {kind: 'queued'; entry: PartnerState; delivery: Delivery; merged: boolean}

/** A publish saw `current` in the partner's folder: what to remember, and what to send. */
export function enqueueChanges(
  entry: PartnerState | undefined,
  partner: string,
  current: FileHashes,
  now: Date,
): Enqueued {
  if (!entry) return {kind: 'baseline', entry: {files: current, seq: 0, queue: []}}
  if (diffFiles(entry.files, current).length === 0) return {kind: 'unchanged', entry}
  const tail = entry.queue.length >= 2 ? entry.queue.at(-1) : undefined
  const queue = tail ? entry.queue.slice(0, -1) : entry.queue
  const base = tail ? tail.base : entry.files
  const changes = diffFiles(base, current)
  if (changes.length === 0) return {kind: 'withdrawn', entry: {...entry, files: current, queue}}
  const seq = entry.seq + 1
  const delivery: Delivery = {
    id: deliveryId(partner, seq, changes),
    seq,
    createdAt: now.toISOString(),
    base,
    changes,
    attempts: 0,
  }
  const next = {files: current, seq, queue: [...queue, delivery]}
  return {kind: 'queued', entry: next, delivery, merged: tail !== undefined}
}

export type Step = {kind: 'delivered'} | {kind: 'dead'} | {kind: 'retry'; delayMs: number}

/** After attempt number `attempt` (1-based) succeeded or failed: done, retry later, or give up. */
export function nextStep(
  attempt: number,
  ok: boolean,
  maxAttempts: number,
  backoff: Backoff,
): Step {
  if (ok) return {kind: 'delivered'}
  if (attempt >= maxAttempts) return {kind: 'dead'}
  return {kind: 'retry', delayMs: Math.max(0, backoff(attempt))}
}
