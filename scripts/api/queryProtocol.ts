/**
 * The messages between the API's query service (queryService.ts) and its query worker
 * (queryWorker.ts). Both sides import these types, so a message one side sends is one the other
 * handles: one request in, one response out, matched by `id`.
 */
import type {Perspective} from '../query/local.ts'

/** What the worker is started with. */
export interface QueryWorkerData {
  datasetPath: string
}

/** Service → worker. */
export type QueryRequest = {
  type: 'run'
  id: number
  query: string
  params: Record<string, unknown>
  perspective: Perspective
}

/** Worker → service: the result, or why there is none (a GROQ error keeps its position for the 400). */
export type QueryResponse =
  | {type: 'result'; id: number; result: unknown}
  | {
      type: 'groqError'
      id: number
      message: string
      position?: number
      line?: number
      column?: number
    }
  | {type: 'error'; id: number; message: string}
