/**
 * The webhook a partner receives when its files change, in the Standard Webhooks shape
 * (`{type, timestamp, data}`; https://www.standardwebhooks.com/), and its signed headers. Pure:
 * the time, the id and the secret come in as arguments.
 *
 * Each file names its new strong ETag (rules.ts strongEtag, the one the feed server sends for those
 * bytes), so a partner can tell from the payload alone whether its copy is current, and its URL on
 * the feed server when there is one (never with a token: the partner authenticates as always).
 */
import {createHash} from 'node:crypto'
import {Webhook} from 'standardwebhooks'
import {strongEtag} from '../rules.ts'
import type {FileChange} from './changes.ts'

export const EVENT_TYPE = 'partner.files.changed'

export type PayloadFile =
  {path: string; url?: string; etag: string; sha256: string} | {path: string; removed: true}

export interface ChangePayload {
  type: typeof EVENT_TYPE
  /** When the change was seen (ISO 8601); the same on every retry. */
  timestamp: string
  data: {partner: string; files: PayloadFile[]}
}

/**
 * The `webhook-id` of a delivery: derived from the partner, its delivery number and the file
 * hashes, so the same delivery always has the same id (on every retry, and after a restart), and
 * a receiver that has seen it can drop the repeat.
 */
export function deliveryId(partner: string, seq: number, changes: FileChange[]): string {
  const files = changes.map((c) => `${c.path}\t${'removed' in c ? '-' : c.sha256}`)
  const digest = createHash('sha256').update([partner, String(seq), ...files].join('\n'))
  return `msg_${digest.digest('hex').slice(0, 32)}`
}

/** A file's URL under the feed server's base URL (path segments encoded). */
export function fileUrl(feedsUrl: string, path: string): string {
  const base = feedsUrl.endsWith('/') ? feedsUrl : `${feedsUrl}/`
  return new URL(path.split('/').map(encodeURIComponent).join('/'), base).href
}

export function buildPayload(
  partner: string,
  changes: FileChange[],
  timestamp: string,
  feedsUrl?: string,
): ChangePayload {
  const files = changes.map((c): PayloadFile => {
    if ('removed' in c) return {path: c.path, removed: true}
    const url = feedsUrl === undefined ? {} : {url: fileUrl(feedsUrl, c.path)}
    return {path: c.path, ...url, etag: strongEtag(c.sha256), sha256: c.sha256}
  })
  return {type: EVENT_TYPE, timestamp, data: {partner, files}}
}

/** The request headers of one attempt: signed with the secret for the attempt's own time. */
export function signedHeaders(
  secret: string,
  id: string,
  at: Date,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  }
}
