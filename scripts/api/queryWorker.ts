/**
 * A query worker: runs the API's GROQ on its own thread over its own connection to the dataset
 * file, so the server can stop a query that runs too long (by terminating this thread) and keeps
 * answering everything else meanwhile. One message in, one message out (queryProtocol.ts); the
 * jobs themselves are in queryJobs.ts.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {Dataset} from '../store/dataset.ts'
import {runJob} from './queryJobs.ts'
import type {QueryRequest, QueryWorkerData, QueryWorkerEvent} from './queryProtocol.ts'
import {QuerySnapshot} from './querySnapshot.ts'

const {datasetPath} = workerData as QueryWorkerData
const snapshot = new QuerySnapshot(Dataset.open(datasetPath))
// Built now, before the first job waits for it: a worker replaced after a timeout is ready when
// the next query comes.
snapshot.source()
const port = parentPort!
port.postMessage({type: 'ready'} satisfies QueryWorkerEvent)

port.on('message', (job: QueryRequest) => {
  void runJob(snapshot, job).then(({reply, transfer}) => port.postMessage(reply, transfer))
})
