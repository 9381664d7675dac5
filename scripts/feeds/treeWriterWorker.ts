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
 * The messages both ways are in treeWriterProtocol.ts.
 */
import {createHash} from 'node:crypto'
import {closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'
import {parentPort, workerData} from 'node:worker_threads'
import {expectedPagePathsOfFile} from './expectedPaths.ts'
import {encodeUtf8, escapeJsonBytes, textLength} from './json.ts'
import {createWebPageParts, webPagePieces} from './outputs/webPage.ts'
import {WireDecoder} from './render/webWire.ts'
import {safeTargets} from './outputPaths.ts'
import type {ManifestEntry} from './outputs/manifest.ts'
import type {
  ChunkRequest,
  RenderRequest,
  SlabRequest,
  TreeWriterData,
  WriterRequest,
  WriterResponse,
} from './treeWriterProtocol.ts'
import type {FeedModel} from './types.ts'

const streams = new Map<string, {fd: number; hash: ReturnType<typeof createHash>; size: number}>()
const dirs = new Set<string>()
const created = new Set<string>()
const written = new Set<string>()
const port = parentPort!
/** Render batches queued and not yet done (shared with treeWriter.ts). */
const rendering = (workerData as TreeWriterData).rendering
const slabs: Array<SlabRequest | ChunkRequest> = []
const renders: RenderRequest[] = []
const decoder = new WireDecoder()
const webParts = createWebPageParts()
let model: FeedModel | undefined
let encoded = Buffer.allocUnsafe(1 << 20)
let escaped = Buffer.allocUnsafe(1 << 20)
const creates: string[] = []
let settleAsked = false
let scheduled = false

const ensureDir = (target: string) => {
  const dir = dirname(target)
  if (!dirs.has(dir)) {
    mkdirSync(dir, {recursive: true})
    dirs.add(dir)
  }
}

/** Write one file and give its manifest entry. */
function writeFile(path: string, target: string, content: Buffer): ManifestEntry {
  ensureDir(target)
  writeFileSync(target, content)
  written.add(target)
  return {
    path,
    size: content.byteLength,
    sha256: createHash('sha256').update(content).digest('hex'),
  }
}

function writeSlab(msg: SlabRequest): void {
  const bytes = Buffer.from(msg.slab)
  try {
    const entries = msg.files.map((f) =>
      writeFile(f.path, f.target, bytes.subarray(f.start, f.end)),
    )
    port.postMessage(
      {type: 'written', id: msg.id, entries, slab: msg.slab} satisfies WriterResponse,
      [msg.slab],
    )
  } catch (e) {
    port.postMessage(
      {
        type: 'failed',
        id: msg.id,
        error: (e as Error).message,
        slab: msg.slab,
      } satisfies WriterResponse,
      [msg.slab],
    )
  }
}

function writeChunk(msg: ChunkRequest): void {
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
    let entries: ManifestEntry[] = []
    if (msg.last) {
      closeSync(stream.fd)
      streams.delete(msg.target)
      written.add(msg.target)
      entries = [{path: msg.path, size: stream.size, sha256: stream.hash.digest('hex')}]
    }
    port.postMessage(
      {type: 'written', id: msg.id, entries, slab: msg.chunk} satisfies WriterResponse,
      [msg.chunk],
    )
  } catch (e) {
    port.postMessage(
      {
        type: 'failed',
        id: msg.id,
        error: (e as Error).message,
        slab: msg.chunk,
      } satisfies WriterResponse,
      [msg.chunk],
    )
  }
}

/** Render each page (raw JSON text), escape its bytes as the main thread's htmlEscape writes do, write it. */
function renderBatch(msg: RenderRequest): void {
  try {
    if (msg.site) model = {site: msg.site, generatedAt: '', pages: []}
    if (!model) throw new Error('web pages to render before the site they belong to')
    const entries = decoder.decode(msg.batch).map(({page, bodyJson}, i) => {
      const pieces = webPagePieces(model!, page, webParts, {
        raw: true,
        ...(bodyJson === undefined ? {} : {bodyJson}),
      })
      const max = textLength(pieces) * 3
      if (encoded.length < max) encoded = Buffer.allocUnsafe(max)
      const source = encoded.subarray(0, encodeUtf8(pieces, encoded, 0))
      if (escaped.length < source.length * 6) escaped = Buffer.allocUnsafe(source.length * 6)
      return writeFile(
        msg.paths[i]!,
        msg.targets[i]!,
        escaped.subarray(0, escapeJsonBytes(source, escaped, 0)),
      )
    })
    port.postMessage({type: 'written', id: msg.id, entries} satisfies WriterResponse)
  } catch (e) {
    port.postMessage({
      type: 'failed',
      id: msg.id,
      error: (e as Error).message,
    } satisfies WriterResponse)
  } finally {
    Atomics.sub(rendering, 0, 1)
  }
}

/** A dataset's web page files, listed here (the main thread reads the documents meanwhile). */
function datasetTargets(root: string, dataset: string): string[] {
  try {
    return safeTargets(root, expectedPagePathsOfFile(dataset))
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
    if (settleAsked) {
      // Files announced but never written are not part of the export.
      for (const t of created) if (!written.has(t)) rmSync(t, {force: true})
      created.clear()
      port.postMessage({type: 'settled'} satisfies WriterResponse)
      settleAsked = false
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

/** Files to create ahead, in the order given: reversed, because pop() takes from the end. */
function queueCreates(targets: readonly string[]): void {
  for (let i = targets.length - 1; i >= 0; i--) creates.push(targets[i]!)
}

port.on('message', (msg: WriterRequest) => {
  switch (msg.type) {
    case 'slab':
    case 'chunk':
      slabs.push(msg)
      break
    case 'render':
      renders.push(msg)
      break
    case 'create':
      queueCreates(msg.targets)
      break
    case 'createDatasetPages':
      queueCreates(datasetTargets(msg.root, msg.dataset))
      break
    case 'settle':
      settleAsked = true
      creates.length = 0
      break
    default:
      // A compile error when a request type is added to treeWriterProtocol.ts but not handled here.
      msg satisfies never
  }
  schedule()
})
