/**
 * The query worker: runs the API's GROQ on its own thread over its own connection to the dataset
 * file, so the server can stop a query that runs too long (by terminating this thread) and keeps
 * answering everything else meanwhile. One message in, one message out (see queryService.ts).
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {Perspective} from '../query/local.ts'
import {GroqQueryError} from '../query/errors.ts'
import {Dataset} from '../store/dataset.ts'
import {QuerySnapshot} from './querySnapshot.ts'

export interface QueryJob {
  id: number
  query: string
  params: Record<string, unknown>
  perspective: Perspective
}

export type QueryReply =
  | {id: number; ok: true; result: unknown}
  | {id: number; ok: false; groq: boolean; message: string; position?: number; line?: number; column?: number}

const {datasetPath} = workerData as {datasetPath: string}
const snapshot = new QuerySnapshot(Dataset.open(datasetPath))

parentPort!.on('message', (job: QueryJob) => {
  snapshot.run(job.query, job.params, job.perspective).then(
    (result) => parentPort!.postMessage({id: job.id, ok: true, result: result ?? null} satisfies QueryReply),
    (e: unknown) => {
      const reply: QueryReply = {id: job.id, ok: false, groq: e instanceof GroqQueryError, message: (e as Error)?.message ?? String(e)}
      if (e instanceof GroqQueryError) {
        if (e.position !== undefined) reply.position = e.position
        if (e.line !== undefined) reply.line = e.line
        if (e.column !== undefined) reply.column = e.column
      }
      parentPort!.postMessage(reply)
    },
  )
})
