/** The messages between `npm run serve`'s main thread and its feed server thread (thread.ts). */
import type {FeedServerOptions} from './server.ts'

/** What the thread is started with: the server's options without its callbacks. */
export type ThreadStart = Omit<FeedServerOptions, 'logRequest' | 'onWarning'> & {
  logRequests: boolean
}

export type FromThread =
  | {type: 'listening'; url: string; port: number}
  | {type: 'log'; line: string}
  | {type: 'warning'; message: string}
  | {type: 'failed'; message: string}
  | {type: 'closed'}

export type ToThread = {type: 'close'}
