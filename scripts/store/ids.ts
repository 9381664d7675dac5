/** Document ids and revisions: Sanity's id rules, draft/version prefixes, random ids. */
import {randomBytes, randomUUID} from 'node:crypto'

export const DRAFTS_PREFIX = 'drafts.'
export const VERSIONS_PREFIX = 'versions.'

/** Sanity's id charset; max 128 characters and no leading `-` (checked in `idProblem`). */
const ID_CHARS = /^[a-zA-Z0-9._-]+$/
const MAX_ID_LENGTH = 128

/** Why `id` is not a valid Sanity document id, or undefined when it is. */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '') return 'must be a non-empty string'
  if (id.length > MAX_ID_LENGTH)
    return `must be at most ${MAX_ID_LENGTH} characters (got ${id.length})`
  if (id.startsWith('-')) return 'must not start with "-"'
  if (!ID_CHARS.test(id)) return 'may only contain a-z, A-Z, 0-9, ".", "_" and "-"'
  return undefined
}

export const isDraftId = (id: string): boolean => id.startsWith(DRAFTS_PREFIX)
export const isVersionId = (id: string): boolean => id.startsWith(VERSIONS_PREFIX)
/** Published ids are everything that is neither a draft nor a release version. */
export const isPublishedId = (id: string): boolean => !isDraftId(id) && !isVersionId(id)
/** System documents (`_.` ids: the migration ledger, the API's own): bookkeeping, not content. */
export const isSystemId = (id: string): boolean => id.startsWith('_.')
/** Published content: what an export publishes and the publish gate judges. */
export const isPublishedContentId = (id: string): boolean => isPublishedId(id) && !isSystemId(id)

/**
 * What a caller without the token may read: ids with no `.` at all. An id with a path
 * (`drafts.x`, `versions.r.x`, `_.migrations.x`, `a.b`) is private, as on the hosted API, where
 * anonymous reads never see documents in a path.
 */
export const isPublicId = (id: string): boolean => !id.includes('.')

/** `drafts.x` → `x`, `versions.r1.x` → `x`, `x` → `x`. */
export function publishedId(id: string): string {
  if (isDraftId(id)) return id.slice(DRAFTS_PREFIX.length)
  if (isVersionId(id)) {
    const rest = id.slice(VERSIONS_PREFIX.length)
    const dot = rest.indexOf('.')
    return dot === -1 ? rest : rest.slice(dot + 1)
  }
  return id
}

export const draftId = (id: string): string => `${DRAFTS_PREFIX}${publishedId(id)}`

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A 22-character base62 revision id, the shape Content Lake uses for `_rev` / transaction ids. */
export function randomRevision(): string {
  const bytes = randomBytes(22)
  let out = ''
  for (const b of bytes) out += BASE62[b % 62]
  return out
}

/** Default id for `create` without `_id` (Content Lake assigns UUIDs too). */
export const randomId = (): string => randomUUID()
