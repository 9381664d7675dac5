/**
 * Listener events for one stream, in the exact shape the Studio needs (measured with the
 * offline probe, /work/shared/notes/offline-studio.md):
 * - one `mutation` event per changed document that matches the stream's filter before or after;
 * - `transactionTotalEvents`/`transactionCurrentEvent` count only the events *this stream*
 *   receives — the Studio buffers a multi-document transaction until it has seen them all;
 * - `previousRev`/`resultRev` chain the revisions the Studio holds;
 * - with `effectFormat=mendoza`, `effects` replace the whole document (`[0, doc]`) both ways,
 *   without `_rev` (the Studio sets it from `resultRev`).
 * Pure: documents and the filter's verdicts come in, the events' SSE text goes out (in pieces).
 */
import type {StoredDocument} from '../../store/types.ts'

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

/** What a stream asked to receive with each event (query-string options of `/data/listen`). */
export interface EventFormat {
  includeResult: boolean
  includePreviousRevision: boolean
  includeMutations: boolean
  effectFormat?: 'mendoza'
}

/** Whether the filter matched a change's document before and after it (false where absent). */
export interface Verdict {
  was: boolean
  is: boolean
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

/** Streams with equal keys get byte-identical events from the same verdicts. */
export function formatKey(f: EventFormat): string {
  return `${+f.includeResult}${+f.includePreviousRevision}${+f.includeMutations}${f.effectFormat ?? ''}`
}

function withoutRev(doc: StoredDocument | undefined): Omit<StoredDocument, '_rev'> | null {
  if (!doc) return null
  const {_rev, ...rest} = doc
  return rest
}

/** The changes this stream gets events for, with the fields every event has. */
function headers(
  tx: ResolvedTransaction,
  verdicts: readonly Verdict[],
): Array<{change: DocumentChange; event: MutationEvent}> {
  const matched: Array<{change: DocumentChange; was: boolean; is: boolean}> = []
  tx.changes.forEach((change, i) => {
    const {was, is} = verdicts[i]!
    if (was || is) matched.push({change, was, is})
  })
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
    if (before) event.previousRev = before._rev
    event.resultRev = after ? after._rev : tx.transactionId
    return {change, event}
  })
}

/**
 * The whole new state (or a delete) says the same as the submitted mutations, and does not
 * depend on other documents the way query-addressed mutations do.
 */
const mutationsOf = ({id, after}: DocumentChange): unknown[] =>
  after ? [{createOrReplace: after}] : [{delete: {id}}]

/** An event text in pieces: documents' JSON as bytes shared by every stream, the rest as text. */
export type Pieces = Array<string | Buffer>

/**
 * Each document version's JSON bytes, made once per transaction however many streams, filters and
 * formats send it: a 1 MB document matched by 500 distinct filters is stringified and encoded
 * once, not 500 times (which held the main thread for seconds), and written from the same bytes
 * to every socket (cached for the document object's lifetime).
 */
const bytes = new WeakMap<object, Buffer>()
const bytesWithoutRev = new WeakMap<object, Buffer>()

export function documentBytes(doc: StoredDocument): Buffer {
  let b = bytes.get(doc)
  if (b === undefined) bytes.set(doc, (b = Buffer.from(JSON.stringify(doc))))
  return b
}

function documentBytesWithoutRev(doc: StoredDocument): Buffer {
  let b = bytesWithoutRev.get(doc)
  if (b === undefined) bytesWithoutRev.set(doc, (b = Buffer.from(JSON.stringify(withoutRev(doc)))))
  return b
}

/**
 * The stream's events for one transaction as Server-Sent Events ([] for none), one line of JSON
 * each, the documents spliced in from `documentBytes`.
 */
export function sseMutationEvents(
  tx: ResolvedTransaction,
  verdicts: readonly Verdict[],
  format: EventFormat,
): Pieces {
  const pieces: Pieces = []
  let text = ''
  const doc = (b: Buffer) => {
    if (text !== '') pieces.push(text)
    pieces.push(b)
    text = ''
  }
  const docOrNull = (d: StoredDocument | undefined) =>
    d ? doc(documentBytesWithoutRev(d)) : (text += 'null')
  for (const {change, event} of headers(tx, verdicts)) {
    const {before, after} = change
    text += `event: mutation\nid: ${event.eventId}\ndata: ${JSON.stringify(event).slice(0, -1)}`
    if (format.includeMutations) {
      if (after) {
        text += ',"mutations":[{"createOrReplace":'
        doc(documentBytes(after))
        text += '}]'
      } else text += `,"mutations":${JSON.stringify(mutationsOf(change))}`
    }
    if (format.effectFormat === 'mendoza') {
      text += ',"effects":{"apply":[0,'
      docOrNull(after)
      text += '],"revert":[0,'
      docOrNull(before)
      text += ']}'
    }
    if (format.includeResult && after) {
      text += ',"result":'
      doc(documentBytes(after))
    }
    if (format.includePreviousRevision && before) {
      text += ',"previous":'
      doc(documentBytes(before))
    }
    text += '}\n\n'
  }
  if (text !== '') pieces.push(text)
  return pieces
}

/** A last event before the server closes the stream (`channelError`, `disconnect`). */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`
}

/** One open connection. */
export interface ListenStream {
  /** Only transactions after this log position reach the stream (where it connected). */
  readonly fromSeq: number
  readonly format: EventFormat
  /** Write these pieces, in order, as one. */
  write(pieces: Pieces): void
  /** Bytes written that the client has not taken yet. */
  pendingBytes(): number
  /** Bytes the client has taken so far (never more than were written). */
  takenBytes(): number
  /** Send a last event and close the connection. */
  close(lastEvent: string): void
}
