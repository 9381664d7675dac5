/**
 * The query worker: runs the API's GROQ on its own thread over its own connection to the dataset
 * file, so the server can stop a query that runs too long (by terminating this thread) and keeps
 * answering everything else meanwhile. One message in, one message out (queryProtocol.ts).
 */
import {parentPort, workerData} from 'node:worker_threads'
import {GroqQueryError} from '../query/errors.ts'
import {Dataset} from '../store/dataset.ts'
import type {QueryRequest, QueryResponse, QueryWorkerData} from './queryProtocol.ts'
import {QuerySnapshot} from './querySnapshot.ts'

const {datasetPath} = workerData as QueryWorkerData
const snapshot = new QuerySnapshot(Dataset.open(datasetPath))
const port = parentPort!

type GroqErrorResponse = Extract<QueryResponse, {type: 'groqError'}>

function run(job: QueryRequest): void {
  snapshot.run(job.query, job.params, job.perspective).then(
    (result) => {
      port.postMessage({type: 'result', id: job.id, result: result ?? null} satisfies QueryResponse)
    },
    (e: unknown) => {
      if (!(e instanceof GroqQueryError)) {
        const message = (e as Error)?.message ?? String(e)
        port.postMessage({type: 'error', id: job.id, message} satisfies QueryResponse)
        return
      }
      const reply: GroqErrorResponse = {type: 'groqError', id: job.id, message: e.message}
      if (e.position !== undefined) reply.position = e.position
      if (e.line !== undefined) reply.line = e.line
      if (e.column !== undefined) reply.column = e.column
      port.postMessage(reply)
    },
  )
}

port.on('message', (msg: QueryRequest) => {
  switch (msg.type) {
    case 'run':
      run(msg)
      break
    default:
      // A compile error when a request type is added to queryProtocol.ts but not handled here.
      msg.type satisfies never
  }
})
