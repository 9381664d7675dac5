/**
 * The pure core of `npm run sync`: what the mirror remembers, how listener events become writes
 * to the embedded dataset, how export lines become documents. No I/O here: the shell
 * (scripts/sync/sync.ts) connects, reads and writes.
 */
import {PipelineError} from '../lib/errors.ts'
import type {RemoteTarget} from '../lib/env.ts'
import type {MirrorBatch} from '../store/dataset.ts'
import {idProblem} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'

/** The meta key (Dataset.getMeta/setMeta) of the mirror's state. */
export const SYNC_META_KEY = 'sync'

/** Which Sanity dataset a mirror copies: one mirror file never mixes two sources. */
export interface SyncSource {
  projectId: string
  dataset: string
  /** Where it was read last (undefined: the hosted API); for people, not compared. */
  apiHost?: string
}

/**
 * What the mirror remembers, committed with the documents it describes (Dataset.mirror `meta`).
 * `copied` is false from the start of a copy until its deletion sweep is done, so a copy killed
 * half-way is run again. `eventId` is the last listener event applied since then: sent as
 * `Last-Event-ID`, a server that can resume replays what came after it (`welcomeback`); one that
 * cannot answers `welcome`/`reset`, and the mirror is caught up by a copy instead.
 */
export interface SyncState {
  source: SyncSource
  copied: boolean
  eventId?: string
  transactionId?: string
  /** The source's commit time of `transactionId`. */
  timestamp?: string
}

/** The mirror file was synced from another project or dataset. Exit 2: pick another --dataset. */
export class SyncSourceMismatchError extends PipelineError {
  override readonly code = 'SYNC_SOURCE_MISMATCH'
  override readonly exitCode = 2
}

/** The source sent something that is not a document (an export line, a listener event). */
export class SyncProtocolError extends PipelineError {
  override readonly code = 'SYNC_PROTOCOL'
}

export function sourceOf(target: RemoteTarget): SyncSource {
  const source: SyncSource = {projectId: target.projectId, dataset: target.dataset}
  if (target.apiHost) source.apiHost = target.apiHost.replace(/\/+$/, '')
  return source
}

/**
 * Project and dataset name a source; the host does not (a local API's port changes between runs,
 * and a proxy in front of the API is the same source).
 */
const sameSource = (a: SyncSource, b: SyncSource): boolean =>
  a.projectId === b.projectId && a.dataset === b.dataset

/** The state to start from: the stored one, or a fresh one (throws when the file mirrors another source). */
export function startState(
  stored: SyncState | undefined,
  source: SyncSource,
  path: string,
): SyncState {
  if (!stored) return {source, copied: false}
  if (!sameSource(stored.source, source))
    throw new SyncSourceMismatchError(
      `${path} mirrors ${describe(stored.source)}, not ${describe(source)}: use another --dataset`,
    )
  return {...stored, source}
}

const describe = (s: SyncSource): string =>
  `${s.projectId}/${s.dataset}${s.apiHost ? ` at ${s.apiHost}` : ''}`

/** One export line as a stored document (system fields are what the source stored). */
export function documentFromExportLine(line: string, lineNumber: number): StoredDocument {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (e) {
    throw new SyncProtocolError(`export line ${lineNumber}: not JSON (${(e as Error).message})`)
  }
  const problem = storedDocumentProblem(value)
  if (problem) throw new SyncProtocolError(`export line ${lineNumber}: ${problem}`)
  return value as StoredDocument
}

function storedDocumentProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object'
  const doc = value as Record<string, unknown>
  const idIssue = idProblem(doc._id)
  if (idIssue) return `_id ${idIssue}`
  for (const field of ['_type', '_rev', '_createdAt', '_updatedAt'])
    if (typeof doc[field] !== 'string' || doc[field] === '')
      return `${String(doc._id)}: ${field} missing`
  return undefined
}

/** The fields of a listener `mutation` event the mirror uses. */
export interface MutationEventLike {
  eventId: string
  documentId: string
  transactionId: string
  transition: 'update' | 'appear' | 'disappear'
  resultRev?: string
  timestamp: string
  transactionTotalEvents: number
  result?: Record<string, unknown> | null
}

/** One source transaction, all of its events in. */
export interface SourceTransaction {
  transactionId: string
  timestamp: string
  /** The last event's id: the resume position once this transaction is applied. */
  lastEventId: string
  events: MutationEventLike[]
}

/**
 * Collects a transaction's events (one per document, `transactionTotalEvents` of them, possibly
 * out of order) so it is applied as one SQLite transaction: a reader of the mirror never sees half
 * of a source transaction.
 */
export class TransactionAssembler {
  private readonly open = new Map<string, MutationEventLike[]>()

  /** The transaction this event completes, or undefined while events are missing. */
  add(event: MutationEventLike): SourceTransaction | undefined {
    const events = this.open.get(event.transactionId) ?? []
    events.push(event)
    if (events.length < Math.max(1, event.transactionTotalEvents)) {
      this.open.set(event.transactionId, events)
      return undefined
    }
    this.open.delete(event.transactionId)
    return {
      transactionId: event.transactionId,
      timestamp: event.timestamp,
      lastEventId: event.eventId,
      events,
    }
  }

  /** After a reconnect, events of an unfinished transaction are replayed or covered by a copy. */
  clear(): void {
    this.open.clear()
  }
}

/**
 * The writes for one source transaction. A document that disappeared is deleted; one that
 * appeared or changed is stored as the event's `result`, with `_rev` from `resultRev` (the
 * listener's result may leave it out). Events without a result (the server left a large document
 * out) are listed in `refetch`: the shell reads them and adds them to `put`.
 */
export function writesFor(tx: SourceTransaction): {batch: MirrorBatch; refetch: string[]} {
  const latest = new Map<string, MutationEventLike>()
  for (const e of tx.events) latest.set(e.documentId, e)
  const put: StoredDocument[] = []
  const del: string[] = []
  const refetch: string[] = []
  for (const [id, e] of latest) {
    if (e.transition === 'disappear') del.push(id)
    else if (!e.result) refetch.push(id)
    else {
      const doc: Record<string, unknown> = {...e.result, _id: id}
      doc._rev = e.resultRev ?? doc._rev ?? tx.transactionId
      doc._createdAt ??= tx.timestamp
      doc._updatedAt ??= tx.timestamp
      const problem = storedDocumentProblem(doc)
      if (problem) throw new SyncProtocolError(`event ${e.eventId}: ${problem}`)
      put.push(doc as StoredDocument)
    }
  }
  return {batch: {put, delete: del}, refetch}
}

/** Ids of the mirror a finished copy did not see: deleted at the source meanwhile. */
export function idsToSweep(local: readonly string[], seen: ReadonlySet<string>): string[] {
  return local.filter((id) => !seen.has(id))
}
