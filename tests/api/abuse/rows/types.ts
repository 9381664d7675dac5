import type {AbuseTarget} from '../harness.ts'

/** One row of the abuse table: an attack replayed, with the bounded answer it must get. */
export interface AbuseRow {
  /** The finding's number in the hardening table (0 for the extra malformed inputs). */
  finding: number
  name: string
  /** Attack, then assert the answer (status, body, dataset unchanged where refused). */
  run(target: AbuseTarget): Promise<void>
  /** Longest the row may take (default 60 s). */
  timeoutMs?: number
}
