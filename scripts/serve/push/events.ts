/**
 * What the pusher tells its caller (the serve CLI's log), one event per step. Events name
 * partners, webhook-ids, statuses and short error codes: never a secret, a token, a signature or a
 * notify URL (whose query may hold the partner's own key).
 */

export type PushEvent =
  /** First look at a partner set up for push: its files are recorded, nothing is sent. */
  | {type: 'baseline'; partner: string; files: number}
  /** A delivery was queued (`merged`: into one queued earlier and not sent yet). */
  | {type: 'queued'; partner: string; id: string; files: number; merged: boolean}
  /** A queued delivery's changes were undone before it was sent: it was dropped. */
  | {type: 'withdrawn'; partner: string}
  | {type: 'delivered'; partner: string; id: string; attempt: number; status: number; ms: number}
  | {
      type: 'retrying'
      partner: string
      id: string
      attempt: number
      status?: number
      error?: string
      delayMs: number
    }
  | {type: 'dead-lettered'; partner: string; id: string; attempts: number; reason: string}
  /** Nothing sent for this partner, and why (no secret, a bad notify URL, disabled since). */
  | {type: 'skipped'; partner: string; reason: string}
  /** A local fault (state file, output folder); the pusher carries on. */
  | {type: 'error'; partner?: string; message: string}

/** One line for a log reader (the serve CLI prints it on stderr). */
export function describePushEvent(e: PushEvent): string {
  switch (e.type) {
    case 'baseline':
      return `${e.partner}: watching ${e.files} files (nothing sent on a first look)`
    case 'queued':
      return `${e.partner}: ${e.merged ? 'merged into' : 'queued'} delivery ${e.id} (${e.files} files)`
    case 'withdrawn':
      return `${e.partner}: queued delivery dropped (its changes were undone)`
    case 'delivered':
      return `${e.partner}: delivered ${e.id} (attempt ${e.attempt}, ${e.status}, ${e.ms} ms)`
    case 'retrying':
      return `${e.partner}: ${e.id} attempt ${e.attempt} failed (${e.status ?? e.error}); retry in ${e.delayMs} ms`
    case 'dead-lettered':
      return `${e.partner}: ${e.id} dead-lettered after ${e.attempts} attempts (${e.reason})`
    case 'skipped':
      return `${e.partner}: not notified (${e.reason})`
    case 'error':
      return `${e.partner ? `${e.partner}: ` : ''}${e.message}`
  }
}
