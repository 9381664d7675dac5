/**
 * SHA-256 on a second thread: an incremental export hashes the new app bundle (130 MB at 100k
 * pages, ~90 ms) there while this thread renders the feeds and splices the manifest. The thread
 * is started early: it takes longer to start than the hash takes. Messages: hashProtocol.ts.
 */
import {Worker} from 'node:worker_threads'
import type {Piece} from '../pieces.ts'
import type {HashRequest, HashResponse} from './hashProtocol.ts'

export interface Hasher {
  /** SHA-256 (hex) of the pieces' bytes; file ranges must stay open until it settles. */
  sha256(pieces: readonly Piece[]): Promise<string>
  /** Stop the thread; resolves once it no longer reads anything. */
  close(): Promise<void>
}

export function startHasher(): Hasher {
  const worker = new Worker(new URL('./hashWorker.ts', import.meta.url))
  // An idle thread must not keep the process alive (a caller that never asks).
  worker.unref()
  let stopped: Error | undefined
  let pending: {resolve(sha256: string): void; reject(e: Error): void} | undefined
  const settle = (fn: (p: NonNullable<typeof pending>) => void) => {
    const p = pending
    pending = undefined
    worker.unref()
    if (p) fn(p)
  }
  worker.on('message', (reply: HashResponse) =>
    settle((p) => {
      switch (reply.type) {
        case 'sha256':
          p.resolve(reply.sha256)
          break
        case 'error':
          p.reject(new Error(`hashing thread: ${reply.message}`))
          break
        default:
          // A compile error when a response type is added to hashProtocol.ts but not handled here.
          reply satisfies never
      }
    }),
  )
  const stop = (e: Error) => {
    stopped ??= e
    settle((p) => p.reject(stopped!))
  }
  worker.on('error', stop)
  worker.on('exit', (code) => stop(new Error(`hashing thread stopped (exit code ${code})`)))
  return {
    sha256(pieces) {
      if (stopped) return Promise.reject(stopped)
      if (pending) return Promise.reject(new Error('hashing thread: one hash at a time'))
      return new Promise((resolve, reject) => {
        pending = {resolve, reject}
        // Waited for: the thread keeps the process alive until it answers.
        worker.ref()
        worker.postMessage({type: 'hash', pieces} satisfies HashRequest)
      })
    },
    async close() {
      stopped ??= new Error('hashing thread stopped (closed)')
      await worker.terminate()
    },
  }
}
