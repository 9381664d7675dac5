/**
 * The feed server on a thread of its own, for `npm run serve`: a publish validates and renders on
 * the main thread (up to about a second at 100k pages), and readers must not wait for it. The
 * thread serves the output folder as the publisher replaces it: every request opens one file of
 * the tree as it is then, and a download under way keeps its open file.
 */
import {Worker} from 'node:worker_threads'
import type {FeedServer, FeedServerOptions} from './server.ts'
import type {FromThread, ThreadStart, ToThread} from './threadProtocol.ts'

export class FeedServerThreadError extends Error {
  override readonly name = 'FeedServerThreadError'
}

/** startFeedServer's behaviour and answer, on a worker thread. */
export function startFeedServerThread(opts: FeedServerOptions): Promise<FeedServer> {
  const {logRequest, onWarning, ...options} = opts
  const start: ThreadStart = {...options, logRequests: logRequest !== undefined}
  const worker = new Worker(new URL('./threadWorker.ts', import.meta.url), {workerData: start})
  let closed: (() => void) | undefined
  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'listening':
          return resolve({
            url: message.url,
            port: message.port,
            close: () =>
              new Promise<void>((done) => {
                closed = done
                worker.postMessage({type: 'close'} satisfies ToThread)
              }),
          })
        case 'log':
          return logRequest?.(message.line)
        case 'warning':
          return onWarning?.(message.message)
        case 'failed':
          return reject(new FeedServerThreadError(`feed server: ${message.message}`))
        case 'closed':
          return closed?.()
      }
    })
    worker.on('error', (e) => {
      reject(e)
      onWarning?.(`feed server thread failed: ${e.message}`)
    })
    worker.on('exit', () => {
      reject(new FeedServerThreadError('feed server thread exited before listening'))
      closed?.()
    })
  })
}
