/**
 * Document history from the store's transaction log, in the shapes of Content Lake's history
 * API: the transactions that touched some documents (NDJSON lines, with mendoza effects that
 * replace the whole document), and a document as a given revision or point in time left it.
 */
import type {Dataset} from '../store/dataset.ts'
import {isDraftId, publishedId} from '../store/ids.ts'
import type {LoggedTransaction, StoredDocument} from '../store/types.ts'

export interface HistoryTransaction {
  id: string
  timestamp: string
  author: string
  documentIDs: string[]
  mutations?: unknown[]
  effects?: Record<string, {apply: [0, unknown]; revert: [0, unknown]}>
}

export interface TransactionQuery {
  /** Start at this transaction (inclusive); unknown ids are ignored. */
  fromTransaction?: string
  /** End at this transaction (inclusive). */
  toTransaction?: string
  fromTime?: string
  toTime?: string
  reverse?: boolean
  limit?: number
  excludeMutations?: boolean
  effectFormat?: 'mendoza'
  /** List only the requested ids in `documentIDs`. */
  includeIdentifiedDocumentsOnly?: boolean
}

const withoutRev = (doc: StoredDocument | undefined) => {
  if (!doc) return null
  const {_rev, ...rest} = doc
  return rest
}

/** The logged transactions that wrote any of `ids`, oldest first. */
export function transactionsTouching(ds: Dataset, ids: readonly string[]): LoggedTransaction[] {
  const byId = new Map<string, LoggedTransaction>()
  for (const id of ids) {
    for (const entry of ds.history(id)) {
      if (byId.has(entry.transactionId)) continue
      const tx = ds.transactionById(entry.transactionId)
      if (tx) byId.set(tx.transactionId, tx)
    }
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq)
}

/** Every transaction that wrote any of `ids`, oldest first (newest first with `reverse`). */
export function documentTransactions(
  ds: Dataset,
  ids: readonly string[],
  q: TransactionQuery = {},
): HistoryTransaction[] {
  let txs = transactionsTouching(ds, ids)
  const seqById = new Map(txs.map((t) => [t.transactionId, t.seq]))
  const seqOf = (id: string | undefined) => (id ? seqById.get(id) : undefined)
  const from = seqOf(q.fromTransaction)
  const to = seqOf(q.toTransaction)
  if (from !== undefined) txs = txs.filter((t) => t.seq >= from)
  if (to !== undefined) txs = txs.filter((t) => t.seq <= to)
  if (q.fromTime) txs = txs.filter((t) => t.timestamp >= q.fromTime!)
  if (q.toTime) txs = txs.filter((t) => t.timestamp <= q.toTime!)
  if (q.reverse) txs.reverse()
  if (q.limit !== undefined && q.limit >= 0) txs = txs.slice(0, q.limit)

  const wanted = new Set(ids)
  return txs.map((tx) => {
    const touched = tx.effects.map((e) => e.id)
    const out: HistoryTransaction = {
      id: tx.transactionId,
      timestamp: tx.timestamp,
      author: tx.author ?? 'system',
      documentIDs: q.includeIdentifiedDocumentsOnly
        ? touched.filter((id) => wanted.has(id))
        : touched,
    }
    if (!q.excludeMutations) out.mutations = tx.mutations
    if (q.effectFormat === 'mendoza') {
      out.effects = {}
      for (const e of tx.effects) {
        if (!wanted.has(e.id)) continue
        const before =
          e.previousRev === undefined ? undefined : ds.documentAtRevision(e.id, e.previousRev)
        const after =
          e.resultRev === undefined ? undefined : ds.documentAtRevision(e.id, e.resultRev)
        out.effects[e.id] = {apply: [0, withoutRev(after)], revert: [0, withoutRev(before)]}
      }
    }
    return out
  })
}

/** The last version of `id` written at or before log position `seq` (undefined if absent then). */
function stateAtSeq(ds: Dataset, id: string, seq: number): StoredDocument | undefined {
  let last: {rev: string; deleted?: boolean} | undefined
  for (const entry of ds.history(id)) {
    const at = ds.transactionById(entry.transactionId)?.seq
    if (at === undefined || at > seq) break
    last = entry
  }
  return last && !last.deleted ? ds.documentAtRevision(id, last.rev) : undefined
}

function stateAtTime(ds: Dataset, id: string, time: string): StoredDocument | undefined {
  const when = Date.parse(time)
  const entries = ds.history(id).filter((h) => Date.parse(h.timestamp) <= when)
  const last = entries[entries.length - 1]
  return last && !last.deleted ? ds.documentAtRevision(id, last.rev) : undefined
}

/**
 * The document as revision `revision` left it — or, when that transaction did not write this
 * document, as it stood at that point of the log — or, with `time`, the last version written
 * at or before that time; the current document when neither is given.
 *
 * A draft that did not exist yet stands for the published document, as the Studio's own model
 * has it (editing starts from the published version): the Studio's draft timeline asks for the
 * draft at every event of the document group, including ones from before any draft existed.
 */
export function documentAt(
  ds: Dataset,
  id: string,
  at: {revision?: string; time?: string},
): StoredDocument | undefined {
  if (at.revision) {
    const exact = ds.documentAtRevision(id, at.revision)
    if (exact) return exact
    const tx = ds.transactionById(at.revision)
    if (!tx) return undefined
    return (
      stateAtSeq(ds, id, tx.seq) ??
      (isDraftId(id) ? stateAtSeq(ds, publishedId(id), tx.seq) : undefined)
    )
  }
  if (at.time)
    return (
      stateAtTime(ds, id, at.time) ??
      (isDraftId(id) ? stateAtTime(ds, publishedId(id), at.time) : undefined)
    )
  return ds.get(id)
}
