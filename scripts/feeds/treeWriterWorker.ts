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
 *
 * It renders web pages too (render messages: render/webWire.ts batches, rendered with the same
 * webPagePieces as the main thread, escaped and written like a slab's htmlEscape files), after
 * the slabs and before creating files ahead; a shared counter tells the main thread how many
 * batches are still to do, since that thread may not read messages for seconds while it renders.
 */
import {createHash} from 'node:crypto'
import {closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'
import {parentPort, workerData} from 'node:worker_threads'
import {Dataset} from '../store/dataset.ts'
import {expectedPagePaths} from './expectedPaths.ts'
import {encodeUtf8, escapeJsonBytes, textLength} from './json.ts'
import {createWebJsonCache, webPagePieces} from './render/webJson.ts'
import {WireDecoder, type WireBatch} from './render/webWire.ts'
import {safeTargets} from './outputPaths.ts'
import type {FeedModel, Site} from './types.ts'

interface SlabMessage {
  type: 'slab'
  id: number
  slab: ArrayBuffer
  files: Array<{path: string; target: string; start: number; end: number}>
}
/** Files to create ahead: their paths, or the dataset file whose web pages they are. */
type CreateMessage = {type: 'create'; targets: string[]} | {type: 'create'; root: string; dataset: string}
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
/** Web pages to render here and write (treeWriter.ts renderWeb); `site` comes with the first. */
interface RenderMessage {
  type: 'render'
  id: number
  site?: Site
  paths: string[]
  targets: string[]
  batch: WireBatch
}
type Message = SlabMessage | CreateMessage | SettleMessage | ChunkMessage | RenderMessage

const streams = new Map<string, {fd: number; hash: ReturnType<typeof createHash>; size: number}>()
const dirs = new Set<string>()
const created = new Set<string>()
const written = new Set<string>()
const port = parentPort!
/** Render batches queued and not yet done (shared with treeWriter.ts). */
const rendering = (workerData as {rendering: Int32Array}).rendering
const slabs: Array<SlabMessage | ChunkMessage> = []
const renders: RenderMessage[] = []
const decoder = new WireDecoder()
const webCache = createWebJsonCache()
let model: FeedModel | undefined
let encoded = Buffer.allocUnsafe(1 << 20)
let escaped = Buffer.allocUnsafe(1 << 20)
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

/** Write one file and give its manifest entry. */
function writeFile(path: string, target: string, content: Buffer): {path: string; size: number; sha256: string} {
  ensureDir(target)
  writeFileSync(target, content)
  written.add(target)
  return {path, size: content.byteLength, sha256: createHash('sha256').update(content).digest('hex')}
}

function writeSlab(msg: SlabMessage): void {
  const bytes = Buffer.from(msg.slab)
  try {
    const entries = msg.files.map((f) => writeFile(f.path, f.target, bytes.subarray(f.start, f.end)))
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

/** Render each page (raw JSON text), escape its bytes as the main thread's htmlEscape writes do, write it. */
function renderBatch(msg: RenderMessage): void {
  try {
    if (msg.site) model = {site: msg.site, generatedAt: '', pages: []}
    if (!model) throw new Error('web pages to render before the site they belong to')
    const entries = decoder.decode(msg.batch).map(({page, bodyJson}, i) => {
      const pieces = webPagePieces(model!, page, webCache, {raw: true, ...(bodyJson === undefined ? {} : {bodyJson})})
      const max = textLength(pieces) * 3
      if (encoded.length < max) encoded = Buffer.allocUnsafe(max)
      const source = encoded.subarray(0, encodeUtf8(pieces, encoded, 0))
      if (escaped.length < source.length * 6) escaped = Buffer.allocUnsafe(source.length * 6)
      return writeFile(msg.paths[i]!, msg.targets[i]!, escaped.subarray(0, escapeJsonBytes(source, escaped, 0)))
    })
    port.postMessage({id: msg.id, entries})
  } catch (e) {
    port.postMessage({id: msg.id, error: (e as Error).message})
  } finally {
    Atomics.sub(rendering, 0, 1)
  }
}

/** A dataset's web page files, listed here (the main thread reads the documents meanwhile). */
function datasetTargets(root: string, dataset: string): string[] {
  try {
    const ds = Dataset.open(dataset)
    try {
      return safeTargets(root, expectedPagePaths(ds))
    } finally {
      ds.close()
    }
  } catch {
    // Only a hint: without it, files are created when written.
    return []
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
    // Pages to render come after the main thread's slabs: it waits for those, not for these.
    const render = renders.shift()
    if (render) {
      renderBatch(render)
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
  else if (msg.type === 'render') renders.push(msg)
  else if (msg.type === 'create') {
    const targets = 'targets' in msg ? msg.targets : datasetTargets(msg.root, msg.dataset)
    // Created in the order given: reversed, because pop() takes from the end.
    for (let i = targets.length - 1; i >= 0; i--) creates.push(targets[i]!)
  } else {
    settle = msg
    creates.length = 0
  }
  schedule()
})
