/**
 * SHA-256 on a second thread: an incremental export hashes the new app bundle (130 MB at 100k
 * pages, ~90 ms) there while this thread renders the feeds and splices the manifest. The thread
 * is started early: it takes longer to start than the hash takes.
 */
import {Worker} from 'node:worker_threads'
import type {Piece} from '../pieces.ts'

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
  worker.on('error', (e) => {
    stopped ??= e
  })
  worker.on('exit', (code) => {
    stopped ??= new Error(`hashing thread stopped (exit code ${code})`)
  })
  return {
    sha256(pieces) {
      if (stopped) return Promise.reject(stopped)
      return new Promise((resolve, reject) => {
        const settle = (fn: () => void) => {
          worker.off('error', onError)
          worker.off('exit', onExit)
          worker.off('message', onMessage)
          worker.unref()
          fn()
        }
        const onError = (e: Error) => settle(() => reject(e))
        const onExit = () => settle(() => reject(stopped))
        const onMessage = (reply: {sha256?: string; error?: string}) =>
          settle(() => (reply.sha256 !== undefined ? resolve(reply.sha256) : reject(new Error(`hashing thread: ${reply.error}`))))
        worker.once('error', onError)
        worker.once('exit', onExit)
        worker.once('message', onMessage)
        // Waited for: the thread keeps the process alive until it answers.
        worker.ref()
        worker.postMessage(pieces)
      })
    },
    async close() {
      stopped ??= new Error('hashing thread stopped (closed)')
      await worker.terminate()
    },
  }
}
