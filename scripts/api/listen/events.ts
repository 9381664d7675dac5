/**
 * Listener events for one stream, in the exact shape the Studio needs (measured with the
 * offline probe, /work/shared/notes/offline-studio.md):
 * - one `mutation` event per changed document that matches the stream's filter before or after;
 * - `transactionTotalEvents`/`transactionCurrentEvent` count only the events *this stream*
 *   receives — the Studio buffers a multi-document transaction until it has seen them all;
 * - `previousRev`/`resultRev` chain the revisions the Studio holds;
 * - with `effectFormat=mendoza`, `effects` replace the whole document (`[0, doc]`) both ways,
 *   without `_rev` (the Studio sets it from `resultRev`).
 * Pure: documents and the predicate come in, events go out.
 */
import type {StoredDocument} from '../../store/types.ts'
import type {DocumentPredicate} from './filter.ts'

/** One document's change, with both versions resolved. */
export interface DocumentChange {
  id: string
  before?: StoredDocument
  after?: StoredDocument
}

export interface ResolvedTransaction {
  transactionId: string
  timestamp: string
  seq: number
  author?: string
  changes: DocumentChange[]
}

export interface StreamOptions {
  matches: DocumentPredicate
  includeResult: boolean
  includePreviousRevision: boolean
  includeMutations: boolean
  effectFormat?: 'mendoza'
}

export interface MutationEvent {
  eventId: string
  documentId: string
  transactionId: string
  transition: 'update' | 'appear' | 'disappear'
  identity: string
  mutations?: unknown[]
  previousRev?: string
  resultRev?: string
  timestamp: string
  visibility: 'query'
  transactionTotalEvents: number
  transactionCurrentEvent: number
  effects?: {apply: [0, unknown]; revert: [0, unknown]}
  result?: StoredDocument
  previous?: StoredDocument
}

/** Who made changes nobody is named for (the log has no author). */
export const UNKNOWN_IDENTITY = 'system'

function withoutRev(doc: StoredDocument | undefined): Omit<StoredDocument, '_rev'> | null {
  if (!doc) return null
  const {_rev, ...rest} = doc
  return rest
}

export function eventsForStream(tx: ResolvedTransaction, opts: StreamOptions): MutationEvent[] {
  const matched: Array<{change: DocumentChange; was: boolean; is: boolean}> = []
  for (const change of tx.changes) {
    const was = change.before !== undefined && opts.matches(change.before)
    const is = change.after !== undefined && opts.matches(change.after)
    if (was || is) matched.push({change, was, is})
  }
  return matched.map(({change, was, is}, i) => {
    const {id, before, after} = change
    const event: MutationEvent = {
      eventId: `${tx.transactionId}#${id}`,
      documentId: id,
      transactionId: tx.transactionId,
      transition: !was ? 'appear' : !is ? 'disappear' : 'update',
      identity: tx.author ?? UNKNOWN_IDENTITY,
      timestamp: tx.timestamp,
      visibility: 'query',
      transactionTotalEvents: matched.length,
      transactionCurrentEvent: i + 1,
    }
    // The whole new state (or a delete) says the same as the submitted mutations, and does not
    // depend on other documents the way query-addressed mutations do.
    if (opts.includeMutations)
      event.mutations = after ? [{createOrReplace: after}] : [{delete: {id}}]
    if (before) event.previousRev = before._rev
    event.resultRev = after ? after._rev : tx.transactionId
    if (opts.effectFormat === 'mendoza')
      event.effects = {apply: [0, withoutRev(after)], revert: [0, withoutRev(before)]}
    if (opts.includeResult && after) event.result = after
    if (opts.includePreviousRevision && before) event.previous = before
    return event
  })
}
