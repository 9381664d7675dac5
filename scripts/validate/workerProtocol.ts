/**
 * The messages between parallel validation (parallel.ts) and its worker threads (worker.ts). Both
 * sides import these types, so a message one side sends is one the other handles.
 */
import type {Problem} from '../lib/errors.ts'
import type {ClientRequest, SlugAnswer} from './studioClient.ts'

/** What a worker is started with: its share of the documents and what their rules look up. */
export interface ValidationWorkerData {
  /** The documents to validate, one JSON text per line (parsed one at a time: a worker's heap holds the text, not 50k objects). */
  docs: string
  /** JSON array of every document id. */
  ids: string
  /** Every slug value: [type, path, value, id]. */
  slugs: Array<[string, string, unknown, string]>
  concurrency: number
}

/** Main thread → worker: the answer to a worker's `request` with the same id (`{error}` when it failed). */
export type ValidationWorkerRequest = {type: 'answer'; id: number; body: unknown}

/** Worker → main thread. */
export type ValidationWorkerResponse =
  | {type: 'progress'; done: number}
  /** A rule's request the worker cannot answer from what it was given (see studioClient.ts). */
  | {type: 'request'; id: number; req: ClientRequest}
  /** Problems in the order of the worker's documents; the slug answers and whether other queries were made. */
  | {type: 'done'; problems: Problem[][]; slugs: Array<[string, SlugAnswer[]]>; other: boolean}
  | {type: 'error'; message: string}
