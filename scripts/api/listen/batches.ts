/**
 * Transactions as the hub queues them for its groups: resolved once (both versions of every
 * changed document, serialized once: events.ts), sized, and cut into batches that one worker
 * evaluation decides. Pure, but for reading the dataset's history.
 */
import type {Dataset} from '../../store/dataset.ts'
import type {LoggedTransaction, StoredDocument} from '../../store/types.ts'
import {documentBytes, type ResolvedTransaction, type Verdict} from './events.ts'

export interface Queued {
  tx: ResolvedTransaction
  /** Its documents' JSON, plus TRANSACTION_OVERHEAD_BYTES: what holding it costs. */
  bytes: number
}

/** Documents, and their JSON bytes, sent to a worker in one evaluation (whole transactions). */
const BATCH_DOCS = 1000
const BATCH_BYTES = 8 * 1024 ** 2
/** Counted per transaction on top of its documents' JSON: the objects around them. */
const TRANSACTION_OVERHEAD_BYTES = 1024

/** Both versions of every document the transaction changed, from the dataset's history. */
export function resolveTransaction(ds: Dataset, tx: LoggedTransaction): Queued {
  let bytes = TRANSACTION_OVERHEAD_BYTES
  const version = (id: string, rev: string | undefined) => {
    const doc = rev === undefined ? undefined : ds.documentAtRevision(id, rev)
    if (doc) bytes += documentBytes(doc).length
    return doc
  }
  const changes = tx.effects.map((e) => {
    const before = version(e.id, e.previousRev)
    const after = version(e.id, e.resultRev)
    return {id: e.id, ...(before ? {before} : {}), ...(after ? {after} : {})}
  })
  const resolved: ResolvedTransaction = {
    transactionId: tx.transactionId,
    timestamp: tx.timestamp,
    seq: tx.seq,
    changes,
  }
  if (tx.author !== undefined) resolved.author = tx.author
  return {tx: resolved, bytes}
}

/** The queue's first transactions, within the batch limits (at least one transaction). */
export function takeBatch(queue: readonly Queued[]): Queued[] {
  const batch: Queued[] = []
  let docs = 0
  let bytes = 0
  for (const queued of queue) {
    const n = queued.tx.changes.reduce((sum, c) => sum + (c.before ? 1 : 0) + (c.after ? 1 : 0), 0)
    if (batch.length > 0 && (docs + n > BATCH_DOCS || bytes + queued.bytes > BATCH_BYTES)) break
    batch.push(queued)
    docs += n
    bytes += queued.bytes
  }
  return batch
}

/** The documents a filter decides on, in order: each visible change's before, then after. */
export function documentsToMatch(
  batch: readonly Queued[],
  visible: (id: string) => boolean,
): StoredDocument[] {
  const docs: StoredDocument[] = []
  for (const {tx} of batch)
    for (const c of tx.changes) {
      if (!visible(c.id)) continue
      if (c.before) docs.push(c.before)
      if (c.after) docs.push(c.after)
    }
  return docs
}

/** The filter's answers (in documentsToMatch's order) as verdicts per change per transaction. */
export function verdictsOf(
  batch: readonly Queued[],
  visible: (id: string) => boolean,
  matches: readonly boolean[],
): Verdict[][] {
  let next = 0
  return batch.map(({tx}) =>
    tx.changes.map((c) => {
      if (!visible(c.id)) return {was: false, is: false}
      const was = c.before ? matches[next++]! : false
      const is = c.after ? matches[next++]! : false
      return {was, is}
    }),
  )
}
