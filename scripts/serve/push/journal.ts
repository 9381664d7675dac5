/**
 * The per-partner files in the pusher's folder, one JSON object a line, 0600:
 * - `<partner>.log.jsonl`: one line per attempt (time, webhook-id, attempt, status or error, ms,
 *   result). When it passes 1 MiB it is moved to `<partner>.log.jsonl.1` (the one before is
 *   dropped), so a receiver that is down for months cannot fill the disk.
 * - `<partner>.dead.jsonl`: every delivery given up on, whole (payload and headers, without the
 *   signature), for an operator to inspect or resend. Never rotated: it grows by at most one line
 *   per failed delivery.
 * Nothing here is given a secret, a token or a signature to write.
 */
import {appendFileSync, renameSync, statSync} from 'node:fs'
import {join} from 'node:path'

const LOG_LIMIT = 1024 * 1024

export interface AttemptLine {
  time: string
  id: string
  attempt: number
  status?: number
  error?: string
  ms: number
  result: 'delivered' | 'retrying' | 'dead-lettered' | 'stopped'
}

export interface DeadLetter {
  time: string
  partner: string
  id: string
  attempts: number
  /** Why it was given up: the last status or error, or a reason no attempt could be made. */
  reason: string
  headers: Record<string, string>
  payload: unknown
}

export const logFile = (stateDir: string, partner: string) => join(stateDir, `${partner}.log.jsonl`)
export const deadFile = (stateDir: string, partner: string) =>
  join(stateDir, `${partner}.dead.jsonl`)

const append = (path: string, value: unknown) =>
  appendFileSync(path, `${JSON.stringify(value)}\n`, {mode: 0o600})

export function logAttempt(stateDir: string, partner: string, line: AttemptLine): void {
  const path = logFile(stateDir, partner)
  try {
    if (statSync(path).size >= LOG_LIMIT) renameSync(path, `${path}.1`)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  append(path, line)
}

export function deadLetter(stateDir: string, letter: DeadLetter): void {
  append(deadFile(stateDir, letter.partner), letter)
}
