/**
 * A validation worker thread: the Studio's rules over its share of the documents. It gets its
 * documents, the ids of every document (reference checks) and every slug value (the slug rule),
 * not the whole dataset; a rule asking anything else is answered by the main thread
 * (messages: workerProtocol.ts).
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {yieldWithImmediates} from './idle.ts'
import type {OfflineIndex} from './studioClient.ts'
import type {
  ValidationWorkerData,
  ValidationWorkerRequest,
  ValidationWorkerResponse,
} from './workerProtocol.ts'

const port = parentPort!
const input = workerData as ValidationWorkerData

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
  port.on('message', (msg: ValidationWorkerRequest) => {
    switch (msg.type) {
      case 'answer':
        pending.get(msg.id)?.(msg.body)
        pending.delete(msg.id)
        break
      default:
        // A compile error when a message type is added to workerProtocol.ts but not handled here.
        msg.type satisfies never
    }
  })
  const index: OfflineIndex = {
    exists: (id) => ids.has(id),
    slugs: (type, path) => bySlug.get(`${type}\u0000${path}`) ?? new Map(),
    other: (req) =>
      new Promise((resolve) => {
        const id = nextRequest++
        pending.set(id, resolve)
        port.postMessage({type: 'request', id, req} satisfies ValidationWorkerResponse)
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
      if (++done % 500 === 0)
        port.postMessage({type: 'progress', done} satisfies ValidationWorkerResponse)
    }
  }
  await Promise.all(
    Array.from({length: Math.min(input.concurrency, Math.max(1, lines.length))}, run),
  )
  port.postMessage({
    type: 'done',
    problems,
    slugs: [...index.log.slugs],
    other: index.log.other,
  } satisfies ValidationWorkerResponse)
}

main().catch((e: unknown) =>
  port.postMessage({
    type: 'error',
    message: (e as Error)?.stack ?? String(e),
  } satisfies ValidationWorkerResponse),
)
