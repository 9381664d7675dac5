/**
 * Perspectives as clients send them, mapped onto what the local query runner knows
 * (published, drafts, raw). The Studio sends `drafts`, `previewDrafts` (the older name),
 * `raw`, or a release stack such as `rABC,drafts`; releases are switched off in the local
 * workspace, so a stack means "drafts over published". Without the token only published
 * content is visible, whatever was asked for.
 */
import type {Perspective} from '../query/local.ts'
import {HttpError} from './http.ts'

/** The API version from which a query without a perspective reads `published` instead of `raw`. */
const PUBLISHED_BY_DEFAULT_FROM = '2025-02-19'

/**
 * A release id as the Studio makes them (`r` and letters or digits, e.g. `rABC123xy`). Anything
 * else that is not a named perspective is refused rather than read as a release: a typo such as
 * `publised` would otherwise quietly answer with published content.
 */
const RELEASE_ID = /^r[A-Za-z0-9]+$/

const invalid = (description: string) => new HttpError(400, description, 'invalidPerspective')

export function parsePerspective(value: unknown): Perspective | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const given = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(given) || given.some((v) => typeof v !== 'string'))
    throw invalid('Perspective must be a string or an array of strings')
  const layers = (given as string[]).map((v) => v.trim()).filter(Boolean)
  if (layers.length === 1) {
    const only = layers[0]!
    if (only === 'raw' || only === 'published' || only === 'drafts') return only
    if (only === 'previewDrafts') return 'drafts'
  }
  if (layers.includes('raw')) throw invalid('Perspective "raw" cannot be combined with others')
  if (layers.length === 0) return undefined
  const unknown = layers.find(
    (l) => l !== 'drafts' && l !== 'published' && l !== 'previewDrafts' && !RELEASE_ID.test(l),
  )
  if (unknown !== undefined)
    throw invalid(
      `Unknown perspective "${unknown}": expected raw, published, drafts, previewDrafts or a stack of release ids`,
    )
  // A stack of release ids: no release versions exist locally, so it is drafts over published
  // when the stack includes drafts, and just published otherwise.
  return layers.includes('drafts') || layers.includes('previewDrafts') ? 'drafts' : 'published'
}

/**
 * What a query without a perspective reads, by API version, as on the hosted API: `raw` before
 * v2025-02-19, `published` from it. `v1` is the oldest version; `vX` (experimental) the newest.
 */
export function defaultPerspective(apiVersion: string): Perspective {
  if (apiVersion === 'X') return 'published'
  if (apiVersion === '1') return 'raw'
  return apiVersion < PUBLISHED_BY_DEFAULT_FROM ? 'raw' : 'published'
}

/** The perspective a request gets: its own when it holds the token, `published` otherwise. */
export function effectivePerspective(
  requested: Perspective | undefined,
  authenticated: boolean,
): Perspective {
  if (!authenticated) return 'published'
  return requested ?? 'published'
}
