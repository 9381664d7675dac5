/**
 * The worker side of treeWriter.ts: write each file of a slab, hash it, hand the slab back.
 * Synchronous calls on purpose: this thread has nothing else to do, and each call is one system
 * call without any promise or callback around it.
 *
 * Creating a file (inode, directory entry) costs far more than writing 12 KB into it — 100–250 µs
 * against ~15 µs on the machines this was measured on. So the writer also accepts the list of
 * files to come before their content exists, and creates them (empty) while the main thread is
 * still building the model; writing them later is then cheap. Slabs always go first; files
 * created this way but never written are removed before the writer reports that it is done.
 */
import {createHash} from 'node:crypto'
import {closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'
import {parentPort} from 'node:worker_threads'

interface SlabMessage {
  type: 'slab'
  id: number
  slab: ArrayBuffer
  files: Array<{path: string; target: string; start: number; end: number}>
}
interface CreateMessage {
  type: 'create'
  targets: string[]
}
interface SettleMessage {
  type: 'settle'
  id: number
}
/** One piece of a file written in pieces (the app bundle: 100+ MB never held whole). */
interface ChunkMessage {
  type: 'chunk'
  id: number
  path: string
  target: string
  chunk: ArrayBuffer
  length: number
  first: boolean
  last: boolean
}
type Message = SlabMessage | CreateMessage | SettleMessage | ChunkMessage

const streams = new Map<string, {fd: number; hash: ReturnType<typeof createHash>; size: number}>()
const dirs = new Set<string>()
const created = new Set<string>()
const written = new Set<string>()
const port = parentPort!
const slabs: Array<SlabMessage | ChunkMessage> = []
const creates: string[] = []
let settle: SettleMessage | undefined
let scheduled = false

const ensureDir = (target: string) => {
  const dir = dirname(target)
  if (!dirs.has(dir)) {
    mkdirSync(dir, {recursive: true})
    dirs.add(dir)
  }
}

function writeSlab(msg: SlabMessage): void {
  const bytes = Buffer.from(msg.slab)
  try {
    const entries = msg.files.map((f) => {
      ensureDir(f.target)
      const content = bytes.subarray(f.start, f.end)
      writeFileSync(f.target, content)
      written.add(f.target)
      return {path: f.path, size: content.byteLength, sha256: createHash('sha256').update(content).digest('hex')}
    })
    port.postMessage({id: msg.id, entries, slab: msg.slab}, [msg.slab])
  } catch (e) {
    port.postMessage({id: msg.id, error: (e as Error).message, slab: msg.slab}, [msg.slab])
  }
}

function writeChunk(msg: ChunkMessage): void {
  try {
    let stream = streams.get(msg.target)
    if (msg.first || !stream) {
      ensureDir(msg.target)
      stream = {fd: openSync(msg.target, 'w'), hash: createHash('sha256'), size: 0}
      streams.set(msg.target, stream)
    }
    const bytes = Buffer.from(msg.chunk, 0, msg.length)
    let done = 0
    while (done < bytes.length) done += writeSync(stream.fd, bytes, done)
    stream.hash.update(bytes)
    stream.size += bytes.length
    let entries: Array<{path: string; size: number; sha256: string}> = []
    if (msg.last) {
      closeSync(stream.fd)
      streams.delete(msg.target)
      written.add(msg.target)
      entries = [{path: msg.path, size: stream.size, sha256: stream.hash.digest('hex')}]
    }
    port.postMessage({id: msg.id, entries, slab: msg.chunk}, [msg.chunk])
  } catch (e) {
    port.postMessage({id: msg.id, error: (e as Error).message, slab: msg.chunk}, [msg.chunk])
  }
}

/** Work in small steps so a slab that arrives meanwhile is written before more files are created. */
function step(): void {
  scheduled = false
  const started = performance.now()
  while (performance.now() - started < 20) {
    const slab = slabs.shift()
    if (slab) {
      if (slab.type === 'chunk') writeChunk(slab)
      else writeSlab(slab)
      continue
    }
    const target = creates.pop()
    if (target !== undefined) {
      if (!written.has(target) && !created.has(target)) {
        try {
          ensureDir(target)
          closeSync(openSync(target, 'wx'))
          created.add(target)
        } catch {
          // Already written meanwhile, or a path the slab will report on: nothing to do here.
        }
      }
      continue
    }
    if (settle) {
      // Files announced but never written are not part of the export.
      for (const t of created) if (!written.has(t)) rmSync(t, {force: true})
      created.clear()
      port.postMessage({id: settle.id, settled: true})
      settle = undefined
    }
    return
  }
  schedule()
}

function schedule(): void {
  if (!scheduled) {
    scheduled = true
    setImmediate(step)
  }
}

port.on('message', (msg: Message) => {
  if (msg.type === 'slab' || msg.type === 'chunk') slabs.push(msg)
  else if (msg.type === 'create') {
    // Created in the order given: reversed, because pop() takes from the end.
    for (let i = msg.targets.length - 1; i >= 0; i--) creates.push(msg.targets[i]!)
  } else {
    settle = msg
    creates.length = 0
  }
  schedule()
})
