/** The feed server thread (thread.ts): one startFeedServer, its callbacks as messages. */
import {parentPort, workerData} from 'node:worker_threads'
import {startFeedServer} from './server.ts'
import type {FromThread, ThreadStart, ToThread} from './threadProtocol.ts'

const port = parentPort!
const send = (message: FromThread) => port.postMessage(message)
const {logRequests, ...options} = workerData as ThreadStart

try {
  const server = await startFeedServer({
    ...options,
    ...(logRequests ? {logRequest: (line: string) => send({type: 'log', line})} : {}),
    onWarning: (message) => send({type: 'warning', message}),
  })
  port.on('message', (message: ToThread) => {
    if (message.type === 'close')
      void server.close().then(() => {
        send({type: 'closed'})
        port.close()
      })
  })
  send({type: 'listening', url: server.url, port: server.port})
} catch (e) {
  send({type: 'failed', message: (e as Error).message})
  port.close()
}
