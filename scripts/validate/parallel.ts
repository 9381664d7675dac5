/**
 * The Studio's rules on several threads, when asked for (`--workers`). Each worker starts its own
 * workspace (~1.5–2 s: loading `sanity` and the config) and gets its documents as JSON text; since
 * the fast path (fastPath.ts) checks a document in ~0.1 ms, that start-up costs more than a second
 * core saves at any size measured (100k documents: 17 s in one thread, 32 s on two workers), so
 * validateDocuments uses none by default. Documents are dealt round-robin so every worker gets a
 * similar mix of types. The messages both ways are in workerProtocol.ts.
 */
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {answerFromDocuments, type SlugAnswer} from './studioClient.ts'
import type {
  ValidationWorkerData,
  ValidationWorkerRequest,
  ValidationWorkerResponse,
} from './workerProtocol.ts'

/**
 * Below this many documents to validate, the workers' start-up costs more than they save: with the
 * fast path, any number (measured up to 100k). Documents the fast path hands to Sanity cost ~5 ms
 * each; were most of them such, workers would pay off again from ~2,000 (`--workers`).
 */
export const PARALLEL_THRESHOLD = Number.POSITIVE_INFINITY

/** Worker count for `count` documents: one per core (at most 4), none below PARALLEL_THRESHOLD. */
export function defaultWorkers(count: number): number {
  return count < PARALLEL_THRESHOLD ? 0 : Math.min(4, availableParallelism())
}

/** Every slug object's value at any depth outside arrays: [type, `field.current` path, value, id]. */
export function slugEntries(
  docs: readonly StoredDocument[],
): Array<[string, string, unknown, string]> {
  const out: Array<[string, string, unknown, string]> = []
  for (const doc of docs) {
    const visit = (obj: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(obj)) {
        if (!v || typeof v !== 'object' || Array.isArray(v)) continue
        const path = prefix ? `${prefix}.${k}` : k
        const o = v as Record<string, unknown>
        if (o.current !== undefined) out.push([doc._type, `${path}.current`, o.current, doc._id])
        visit(o, path)
      }
    }
    visit(doc, '')
  }
  return out
}

export interface ParallelResult {
  problems: Map<string, Problem[]>
  slugs: Map<string, SlugAnswer[]>
  other: boolean
}

export async function validateInWorkers(
  all: readonly StoredDocument[],
  targets: readonly StoredDocument[],
  workers: number,
  opts: {concurrency?: number; onProgress?: (done: number, total: number) => void} = {},
): Promise<ParallelResult> {
  const shares: StoredDocument[][] = Array.from({length: workers}, () => [])
  targets.forEach((d, i) => shares[i % workers]!.push(d))
  const ids = JSON.stringify(all.map((d) => d._id))
  const slugs = slugEntries(all)
  const progress = new Array<number>(workers).fill(0)
  const result: ParallelResult = {problems: new Map(), slugs: new Map(), other: false}
  await Promise.all(
    shares.map(
      (share, w) =>
        new Promise<void>((resolve, reject) => {
          // 4 documents at a time per worker: the rules are CPU-bound once they no longer wait on
          // timers (idle.ts), and more in flight only feeds the garbage collector (measured on 2
          // cores: 1.2 ms/document at 2–4 in flight, 1.8 at 8, 3.5 at 25). The old-generation cap
          // keeps three isolates (this one and two workers) within a small machine's memory.
          // workerData is copied into the worker: nothing here keeps the documents' text afterwards.
          const worker = new Worker(new URL('./worker.ts', import.meta.url), {
            workerData: {
              docs: share.map((d) => JSON.stringify(d)).join('\n'),
              ids,
              slugs,
              concurrency: opts.concurrency ?? 4,
            } satisfies ValidationWorkerData,
            resourceLimits: {maxOldGenerationSizeMb: 1024},
          })
          let finished = false
          worker.on('message', (msg: ValidationWorkerResponse) => {
            switch (msg.type) {
              case 'progress':
                progress[w] = msg.done
                opts.onProgress?.(
                  progress.reduce((a, b) => a + b, 0),
                  targets.length,
                )
                break
              case 'request':
                answerFromDocuments(all, msg.req).then(
                  (body) =>
                    worker.postMessage({
                      type: 'answer',
                      id: msg.id,
                      body,
                    } satisfies ValidationWorkerRequest),
                  (e: unknown) =>
                    worker.postMessage({
                      type: 'answer',
                      id: msg.id,
                      body: {error: (e as Error).message},
                    } satisfies ValidationWorkerRequest),
                )
                break
              case 'done':
                finished = true
                share.forEach((d, i) => result.problems.set(d._id, msg.problems[i] ?? []))
                for (const [id, answers] of msg.slugs)
                  result.slugs.set(id, [...(result.slugs.get(id) ?? []), ...answers])
                result.other ||= msg.other
                void worker.terminate().then(() => resolve())
                break
              case 'error':
                finished = true
                void worker.terminate()
                reject(new Error(`validation worker failed: ${msg.message}`))
                break
              default:
                // A compile error when a message type is added to workerProtocol.ts but not handled here.
                msg satisfies never
            }
          })
          worker.on('error', reject)
          worker.on('exit', (code) => {
            if (!finished) reject(new Error(`validation worker exited with code ${code}`))
          })
        }),
    ),
  )
  return result
}
