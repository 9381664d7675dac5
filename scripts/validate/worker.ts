/**
 * A validation worker thread: the Studio's rules over its share of the documents. It gets its
 * documents, the ids of every document (reference checks) and every slug value (the slug rule),
 * not the whole dataset; a rule asking anything else is answered by the main thread.
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {yieldWithImmediates} from './idle.ts'
import type {OfflineIndex, SlugAnswer} from './studioClient.ts'

export interface WorkerInput {
  /** The documents to validate, one JSON text per line (parsed one at a time: a worker's heap holds the text, not 50k objects). */
  docs: string
  /** JSON array of every document id. */
  ids: string
  /** Every slug value: [type, path, value, id]. */
  slugs: Array<[string, string, unknown, string]>
  concurrency: number
}

export type WorkerMessage =
  | {type: 'progress'; done: number}
  | {type: 'request'; id: number; req: unknown}
  | {type: 'done'; problems: Problem[][]; slugs: Array<[string, SlugAnswer[]]>; other: boolean}
  | {type: 'error'; message: string}

const port = parentPort!
const input = workerData as WorkerInput

// Before `sanity` loads: parts of it keep the timer functions they find at load time.
yieldWithImmediates()

async function main() {
  const {createStudioValidator} = await import('./studio.ts')
  const lines = input.docs === '' ? [] : input.docs.split('\n')
  const ids = new Set(JSON.parse(input.ids) as string[])
  const bySlug = new Map<string, Map<unknown, string[]>>()
  for (const [type, path, value, id] of input.slugs) {
    const key = `${type}\u0000${path}`
    let m = bySlug.get(key)
    if (!m) bySlug.set(key, (m = new Map()))
    m.set(value, [...(m.get(value) ?? []), id])
  }
  let nextRequest = 0
  const pending = new Map<number, (body: unknown) => void>()
  port.on('message', (msg: {type: 'answer'; id: number; body: unknown}) => {
    pending.get(msg.id)?.(msg.body)
    pending.delete(msg.id)
  })
  const index: OfflineIndex = {
    exists: (id) => ids.has(id),
    slugs: (type, path) => bySlug.get(`${type}\u0000${path}`) ?? new Map(),
    other: (req) =>
      new Promise((resolve) => {
        const id = nextRequest++
        pending.set(id, resolve)
        port.postMessage({type: 'request', id, req} satisfies WorkerMessage)
      }),
    log: {slugs: new Map(), other: false},
  }
  const validator = await createStudioValidator(index)
  const problems: Problem[][] = new Array(lines.length)
  let next = 0
  let done = 0
  const run = async () => {
    for (let i = next++; i < lines.length; i = next++) {
      problems[i] = await validator.validate(JSON.parse(lines[i]!) as StoredDocument)
      lines[i] = ''
      if (++done % 500 === 0) port.postMessage({type: 'progress', done} satisfies WorkerMessage)
    }
  }
  await Promise.all(Array.from({length: Math.min(input.concurrency, Math.max(1, lines.length))}, run))
  port.postMessage({type: 'done', problems, slugs: [...index.log.slugs], other: index.log.other} satisfies WorkerMessage)
}

main().catch((e: unknown) => port.postMessage({type: 'error', message: (e as Error)?.stack ?? String(e)} satisfies WorkerMessage))
