/**
 * Perspectives, as Content Lake applies them before a query runs:
 * - `published`: only published documents (no `drafts.` / `versions.` ids) — the default since
 *   API version 2025-02-19;
 * - `drafts`: each draft replaces its published document and is returned under the published id;
 *   drafts without a published document appear too; release versions are left out. Like Content
 *   Lake, every document in this view carries `_originalId`: the id it is stored under;
 * - `raw`: every document as stored.
 */
import {DRAFTS_PREFIX, isDraftId, isPublishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'

export const PERSPECTIVES = ['published', 'drafts', 'raw'] as const
export type Perspective = (typeof PERSPECTIVES)[number]

/** A document as a perspective shows it; in the drafts perspective `_originalId` is its stored id. */
export type PerspectiveDocument = StoredDocument & {_originalId?: string}

export function isPerspective(value: unknown): value is Perspective {
  return typeof value === 'string' && (PERSPECTIVES as readonly string[]).includes(value)
}

/** The documents `perspective` shows, sorted by `_id` (input order when it already is). */
export function applyPerspective(
  docs: readonly StoredDocument[],
  perspective: Perspective,
): PerspectiveDocument[] {
  switch (perspective) {
    case 'raw':
      return docs as PerspectiveDocument[]
    case 'published':
      return docs.filter((d) => isPublishedId(d._id))
    case 'drafts': {
      const byId = new Map<string, PerspectiveDocument>()
      for (const d of docs) if (isPublishedId(d._id)) byId.set(d._id, {...d, _originalId: d._id})
      for (const d of docs) {
        if (!isDraftId(d._id)) continue
        const id = d._id.slice(DRAFTS_PREFIX.length)
        byId.set(id, {...d, _id: id, _originalId: d._id})
      }
      return [...byId.values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
    }
  }
}
