/**
 * What the pusher's parts share: the options as resolved, the live state and the hooks to save it,
 * wait and report. One object made by createPusher (index.ts) and handed to the comparison
 * (compare.ts), the per-partner queue (worker.ts) and each attempt (deliver.ts).
 */
import type {Backoff} from './backoff.ts'
import type {PushEvent} from './events.ts'
import type {PushState} from './queue.ts'

export interface PushPartner {
  name: string
  notifyUrl?: string | undefined
  enabled: boolean
}

export interface PushContext {
  out: string
  stateDir: string
  credentialsPath: string
  feedsUrl: string | undefined
  partners: () => readonly PushPartner[] | Promise<readonly PushPartner[]>
  maxAttempts: number
  backoff: Backoff
  timeoutMs: number
  now: () => Date
  fetch: typeof fetch
  /** Aborted by close(): the attempt under way stops (not counted), waits end. */
  closing: AbortSignal
  emit: (e: PushEvent) => void
  /** The live state; `save()` writes it (a failure is an `error` event). */
  state: PushState
  save: () => void
  /** Wait `ms`; false when the pusher closed meanwhile. */
  sleep: (ms: number) => Promise<boolean>
}

/** A partner that wants pushes: enabled, with a notify URL. */
export const wantsPush = (p: PushPartner): boolean =>
  p.enabled && typeof p.notifyUrl === 'string' && p.notifyUrl !== ''

/** A short description of a local fault: its code or name, never its message (it may quote a path or file text). */
export const faultOf = (e: unknown): string =>
  (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.name ?? 'error'

export const QUEUE_DROPPED = 'disabled or notifyUrl removed: queued deliveries dropped'
