/**
 * The pure core of `npm run sync`: what the mirror remembers, how listener events become writes
 * to the embedded dataset, how export lines become documents. No I/O here: the shell
 * (scripts/sync/sync.ts) connects, reads and writes.
 */
import {join} from 'node:path'
import {PipelineError} from '../lib/errors.ts'
import type {RemoteTarget} from '../lib/env.ts'
import {DEFAULT_DATA_DIR} from '../lib/paths.ts'
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

/**
 * Where a mirror lives when no `--dataset` names one: `.data/mirrors/<projectId>.<dataset>.sqlite`,
 * one file per source, never the embedded dataset `npm run import` writes (a copy's sweep deletes
 * every document the source does not have). Neither a project id nor a dataset name has a `.`;
 * anything outside their charset is replaced, and the stored source is checked on open anyway.
 */
export function defaultMirrorPath(source: SyncSource, dataDir: string = DEFAULT_DATA_DIR): string {
  const part = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_')
  return join(dataDir, 'mirrors', `${part(source.projectId)}.${part(source.dataset)}.sqlite`)
}

/**
 * The state to start from: the stored one, or a fresh one. Throws when the file mirrors another
 * source, or holds documents (`hasDocuments`) without being a mirror at all: an embedded dataset
 * of its own, whose documents the first copy's sweep would delete.
 */
export function startState(
  stored: SyncState | undefined,
  source: SyncSource,
  path: string,
  hasDocuments = false,
): SyncState {
  if (!stored && hasDocuments)
    throw new SyncSourceMismatchError(
      `${path} holds documents that were not mirrored from ${describe(source)} (a mirror would delete them): use another --dataset for the mirror`,
    )
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

/** A document the source answered by id (`/data/doc`), checked as an export line is. */
export function checkedDocument(value: unknown, where: string): StoredDocument {
  const problem = storedDocumentProblem(value)
  if (problem) throw new SyncProtocolError(`${where}: ${problem}`)
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

/** The headers of a webhook delivery the mirror reads (Sanity's, see scripts/api/hooks/delivery.ts). */
type DeliveryHeaders = Record<string, string | string[] | undefined>

/** What a verified webhook delivery asks of the mirror. */
export type Delivery =
  /** Read these documents from the source again (a missing one was deleted). */
  | {kind: 'change'; ids: string[]; operation?: string; committedAt?: number}
  /** Meant for another project or dataset (a hook on `*`): nothing to do. */
  | {kind: 'ignored'; reason: string}
  /** Names no document, or not a valid id: a 400. */
  | {kind: 'invalid'; problem: string}

const OPERATIONS = new Set(['create', 'update', 'delete'])

/**
 * Which documents a verified delivery names: the body's `_id` (the projection's, or the whole
 * document's when the hook has none) and the `sanity-document-id` header, as Sanity sends both.
 * `sanity-operation` and `sanity-transaction-time` are kept for the report; the headers are not
 * signed, so nothing here trusts them beyond naming documents to read again from the source.
 */
export function readDelivery(
  body: unknown,
  headers: DeliveryHeaders,
  source: SyncSource,
): Delivery {
  const one = (name: string): string | undefined => {
    const v = headers[name]
    return Array.isArray(v) ? v.join(', ') : v
  }
  const project = one('sanity-project-id')
  if (project !== undefined && project !== source.projectId)
    return {kind: 'ignored', reason: `a delivery for project ${project}, not ${source.projectId}`}
  const dataset = one('sanity-dataset')
  if (dataset !== undefined && dataset !== source.dataset)
    return {kind: 'ignored', reason: `a delivery for dataset ${dataset}, not ${source.dataset}`}
  const ids = new Set<string>()
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && '_id' in body) {
    const id = (body as {_id: unknown})._id
    const problem = idProblem(id)
    if (problem) return {kind: 'invalid', problem: `_id ${problem}`}
    ids.add(id as string)
  }
  const header = one('sanity-document-id')
  if (header !== undefined) {
    const problem = idProblem(header)
    if (problem) return {kind: 'invalid', problem: `sanity-document-id ${problem}`}
    ids.add(header)
  }
  if (ids.size === 0)
    return {
      kind: 'invalid',
      problem:
        'The delivery names no document: give the webhook a projection with _id (e.g. {_id}), or send the sanity-document-id header',
    }
  const operation = one('sanity-operation')
  const committedAt = Date.parse(one('sanity-transaction-time') ?? '')
  return {
    kind: 'change',
    ids: [...ids],
    ...(operation !== undefined && OPERATIONS.has(operation) ? {operation} : {}),
    ...(Number.isFinite(committedAt) ? {committedAt} : {}),
  }
}
