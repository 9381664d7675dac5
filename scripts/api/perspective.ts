/**
 * Perspectives as clients send them, mapped onto what the local query runner knows
 * (published, drafts, raw). The Studio sends `drafts`, `previewDrafts` (the older name),
 * `raw`, or a release stack such as `rABC,drafts`; releases are switched off in the local
 * workspace, so a stack means "drafts over published". Without the token only published
 * content is visible, whatever was asked for.
 */
import type {Perspective} from '../query/local.ts'
import {HttpError} from './http.ts'

export function parsePerspective(value: unknown): Perspective | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const given = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(given) || given.some((v) => typeof v !== 'string'))
    throw new HttpError(
      400,
      'Perspective must be a string or an array of strings',
      'invalidPerspective',
    )
  const layers = (given as string[]).map((v) => v.trim()).filter(Boolean)
  if (layers.length === 1) {
    const only = layers[0]!
    if (only === 'raw' || only === 'published' || only === 'drafts') return only
    if (only === 'previewDrafts') return 'drafts'
  }
  if (layers.includes('raw'))
    throw new HttpError(
      400,
      'Perspective "raw" cannot be combined with others',
      'invalidPerspective',
    )
  if (layers.length === 0) return undefined
  // A stack of release ids: no release versions exist locally, so it is drafts over published
  // when the stack includes drafts, and just published otherwise.
  return layers.includes('drafts') || layers.includes('previewDrafts') ? 'drafts' : 'published'
}

/** The perspective a request gets: its own when it holds the token, `published` otherwise. */
export function effectivePerspective(
  requested: Perspective | undefined,
  authenticated: boolean,
): Perspective {
  if (!authenticated) return 'published'
  return requested ?? 'published'
}
