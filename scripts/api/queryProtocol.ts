/**
 * The messages between the API's query service (queryService.ts) and its query workers
 * (queryWorker.ts; the jobs themselves are in queryJobs.ts). Both sides import these types, so a
 * message one side sends is one the other handles: one request in, one response out, matched by
 * `id`.
 */
import type {Perspective} from '../query/local.ts'
import type {Visibility} from './querySnapshot.ts'

/** What a worker is started with. */
export interface QueryWorkerData {
  datasetPath: string
}

/** Service → worker. */
export type QueryRequest =
  | {
      /** A query, answered as its result's JSON (at most `maxBytes` bytes of UTF-8). */
      type: 'query'
      id: number
      query: string
      params: Record<string, unknown>
      perspective: Perspective
      visibility: Visibility
      maxBytes: number
    }
  | {
      /** A listen filter tested against each document alone (a one-document dataset). */
      type: 'match'
      id: number
      query: string
      params: Record<string, unknown>
      identity: string
      docs: ReadonlyArray<{_id: string}>
    }
  | {
      /** The `_id`s a delete/patch by query selects, over every document (raw). */
      type: 'ids'
      id: number
      query: string
      params: Record<string, unknown>
    }
  | {
      /**
       * A webhook's rule against each change (delta GROQ: `before()`, `after()`,
       * `delta::changedAny()`): `query` is its filter ('' for none), `projection` its body
       * (null: the document itself), each body as JSON of at most `maxBytes` bytes.
       */
      type: 'delta'
      id: number
      query: string
      projection: string | null
      params: Record<string, unknown>
      sanity: {projectId: string; dataset: string}
      changes: readonly DeltaChange[]
      maxBytes: number
    }

/** One document's change as a webhook's rule sees it (null: absent before or after). */
export interface DeltaChange {
  before: {_id: string} | null
  after: {_id: string} | null
}

/** Whether the filter matched the change and, if so, the projected body (or why there is none). */
export interface DeltaResult {
  matched: boolean
  body?: string
  error?: string
}

/**
 * Worker → service: the answer, or why there is none (a GROQ error keeps its position for the
 * 400). `json` carries its bytes in an ArrayBuffer transferred, not copied, to the main thread.
 */
export type QueryResponse =
  | {type: 'json'; id: number; bytes: Uint8Array}
  | {type: 'matches'; id: number; matches: boolean[]}
  | {type: 'ids'; id: number; ids: string[]}
  | {type: 'delta'; id: number; results: DeltaResult[]}
  | {type: 'tooLarge'; id: number; maxBytes: number}
  | {
      type: 'groqError'
      id: number
      message: string
      position?: number
      line?: number
      column?: number
    }
  | {type: 'error'; id: number; message: string}

/** Worker → service, once: its snapshot is built, so a job sent now starts at once. */
export type QueryWorkerEvent = {type: 'ready'}
