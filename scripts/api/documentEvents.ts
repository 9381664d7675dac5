/**
 * The document-group events feed (`/data/history/{ds}/events/documents/{id}`) that the Studio's
 * history panel starts from, derived from the store's transaction log. A group is a published
 * id and its draft; each transaction that touched them becomes at most one event:
 * - draft deleted while the published document was written → publishDocumentVersion;
 * - published deleted while a draft remains → unpublishDocument; both deleted → deleteDocumentGroup;
 * - draft created → createDocumentVersion; draft deleted alone → deleteDocumentVersion;
 * - published written directly (imports, scripts) → createLiveDocument / updateLiveDocument.
 * Draft edits are not events: the Studio derives them from the transactions themselves.
 * Pure; newest first.
 */
import type {DocumentEffect} from '../store/types.ts'

export interface GroupTransaction {
  id: string
  timestamp: string
  author?: string
  effects: DocumentEffect[]
}

export type DocumentGroupEvent = {
  type: string
  id: string
  timestamp: string
  author: string
  documentId: string
} & Record<string, unknown>

export function documentGroupEvents(
  txs: readonly GroupTransaction[],
  publishedId: string,
): DocumentGroupEvent[] {
  const draftId = `drafts.${publishedId}`
  const events: DocumentGroupEvent[] = []
  for (const tx of txs) {
    const pub = tx.effects.find((e) => e.id === publishedId)
    const draft = tx.effects.find((e) => e.id === draftId)
    const base = {
      id: '',
      timestamp: tx.timestamp,
      author: tx.author ?? 'system',
      documentId: publishedId,
    }
    if (pub && pub.operation !== 'delete' && draft?.operation === 'delete') {
      events.push({
        ...base,
        type: 'publishDocumentVersion',
        revisionId: tx.id,
        versionId: draftId,
        ...(draft.previousRev ? {versionRevisionId: draft.previousRev} : {}),
        publishCause: 'document.publish',
      })
    } else if (pub?.operation === 'delete') {
      if (draft && draft.operation !== 'delete')
        events.push({
          ...base,
          type: 'unpublishDocument',
          versionId: draftId,
          versionRevisionId: tx.id,
        })
      else events.push({...base, type: 'deleteDocumentGroup'})
    } else if (draft?.operation === 'create') {
      events.push({
        ...base,
        type: 'createDocumentVersion',
        versionId: draftId,
        versionRevisionId: tx.id,
      })
    } else if (draft?.operation === 'delete') {
      events.push({
        ...base,
        type: 'deleteDocumentVersion',
        versionId: draftId,
        versionRevisionId: draft.previousRev ?? tx.id,
      })
    } else if (pub) {
      events.push({
        ...base,
        type: pub.operation === 'create' ? 'createLiveDocument' : 'updateLiveDocument',
        revisionId: tx.id,
      })
    }
  }
  return events.reverse()
}
