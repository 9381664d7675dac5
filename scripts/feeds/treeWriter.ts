/**
 * Writing an export's files from a worker thread. The main thread renders and encodes each file
 * into a reusable slab; full slabs go to the worker (transferred, not copied), which writes each
 * file (open, write, close) and hashes it (sha256 for the manifest), then hands the slab back. At
 * 100k files that is ~300k file system calls of kernel time: on the second core, in parallel with
 * rendering, instead of on the main thread; and no buffer is allocated per file (fresh memory is
 * what a small VM pays most for). The worker also renders web pages itself (renderWeb) whenever
 * it has room, so both cores render. The messages both ways are in treeWriterProtocol.ts.
 */
import {Worker} from 'node:worker_threads'
import {encodeUtf8, escapeJsonBytes, textLength} from './json.ts'
import {requireInside, safeTargets} from './outputPaths.ts'
import type {ManifestEntry} from './outputs/manifest.ts'
import {WireEncoder} from './render/webWire.ts'
import type {
  SlabRequest,
  TreeWriterData,
  WriterRequest,
  WriterResponse,
} from './treeWriterProtocol.ts'
import type {Page, Site} from './types.ts'

export interface FileWriter {
  /**
   * Queue a file (its path inside the tree), its text whole or in pieces (written one after the
   * other: outputs/webPage.ts webPagePieces); waits only when every slab is in flight.
   * `htmlEscape`: the content is JSON whose `<`, `>`, `&`, U+2028, U+2029 still need their \u
   * escapes (see json.ts escapeJsonBytes): they are applied while copying into the slab.
   */
  write(
    path: string,
    content: string | readonly string[],
    opts?: {htmlEscape?: boolean},
  ): Promise<void>
  /**
   * A file written in pieces, for files too big to hold whole (the app bundle): each `write` is
   * encoded into a chunk; full chunks go to the worker, which appends and hashes them.
   */
  stream(path: string): {
    write(text: string | readonly string[]): Promise<void>
    end(): Promise<void>
  }
  /**
   * The paths of files that will be written: the worker creates them (empty) while it has nothing
   * else to do; creation is most of a small file's cost (see treeWriterWorker.ts). Optional.
   * `{dataset}`: the web pages of that dataset file, listed by the worker (expectedPaths.ts).
   */
  announce(paths: readonly string[] | {dataset: string}): void
  /**
   * Render these web pages on the writer thread and write them (the bytes of
   * `write(path, webPageJson(…, {raw: true}), {htmlEscape: true})`). Returns false, queuing
   * nothing, while the thread already has its fill of pages to render: the caller renders those
   * itself. The pages are copied when queued (render/webWire.ts): the caller may let them go.
   */
  renderWeb(site: Site, files: ReadonlyArray<{path: string; page: Page}>): boolean
  /** Wait for every file queued so far; their manifest entries, in the order they were queued. */
  settle(): Promise<ManifestEntry[]>
  /** Stop the worker (after settle, or to give up after a failure). */
  close(): Promise<void>
}

/** The slab being filled: a slab request once sent. */
type Batch = Omit<SlabRequest, 'type'>

const WORKER_URL = new URL('./treeWriterWorker.ts', import.meta.url)

export function createFileWriter(
  root: string,
  opts: {slabBytes?: number; slabs?: number; renderBatches?: number} = {},
): FileWriter {
  const slabBytes = opts.slabBytes ?? 4 * 1024 * 1024
  const renderBatches = opts.renderBatches ?? 3
  // Render batches queued and not yet done, counted by both threads: the main thread may not
  // return to its event loop for seconds while it renders, so a message would come too late.
  const rendering = new Int32Array(new SharedArrayBuffer(4))
  // The thread's garbage is short-lived page text: a young generation of 48 MB collects it in
  // ~160 scavenges at 100k pages (0.8 s) where 8 MB took ~600 (1.6 s), for ~60 MB more peak
  // memory; larger ones saved little more (96 MB: 0.78 s, 192 MB: 0.71 s).
  const worker = new Worker(WORKER_URL, {
    workerData: {rendering} satisfies TreeWriterData,
    resourceLimits: {maxYoungGenerationSizeMb: 48},
  })
  const free: ArrayBuffer[] = Array.from(
    {length: opts.slabs ?? 6},
    () => new ArrayBuffer(slabBytes),
  )
  const waiting: Array<() => void> = []
  const pending = new Map<
    number,
    {resolve: (entries: ManifestEntry[]) => void; reject: (e: unknown) => void}
  >()
  const results: Array<Promise<ManifestEntry[]>> = []
  let failure: unknown
  let nextId = 0
  let current: Batch | undefined
  let view: Buffer | undefined
  let used = 0
  let scratch = Buffer.allocUnsafe(1 << 20)
  const wire = new WireEncoder()
  let siteSent = false

  let settled: (() => void) | undefined
  worker.on('message', (msg: WriterResponse) => {
    switch (msg.type) {
      case 'settled':
        settled?.()
        break
      case 'written':
      case 'failed': {
        const p = pending.get(msg.id)
        pending.delete(msg.id)
        if (msg.slab && msg.slab.byteLength === slabBytes) {
          free.push(msg.slab)
          waiting.shift()?.()
        }
        if (msg.type === 'failed') {
          failure ??= new Error(msg.error)
          p?.reject(failure)
        } else p?.resolve(msg.entries)
        break
      }
      default:
        // A compile error when a response type is added to treeWriterProtocol.ts but not handled here.
        msg satisfies never
    }
  })
  worker.on('error', (e) => {
    failure ??= e
    for (const p of pending.values()) p.reject(e)
    pending.clear()
    while (waiting.length) waiting.shift()!()
  })

  const expect = (id: number) => {
    const promise = new Promise<ManifestEntry[]>((resolve, reject) =>
      pending.set(id, {resolve, reject}),
    )
    promise.catch(() => {})
    results.push(promise)
  }
  const send = (batch: Batch) => {
    expect(batch.id)
    worker.postMessage(
      {type: 'slab', id: batch.id, slab: batch.slab, files: batch.files} satisfies WriterRequest,
      [batch.slab],
    )
  }
  const targetOf = (path: string): string => requireInside(root, path, 'the output folder')
  const flush = () => {
    if (current && current.files.length) send(current)
    else if (current) free.push(current.slab)
    current = undefined
    view = undefined
  }
  const slab = async (): Promise<void> => {
    while (free.length === 0) {
      if (failure) throw failure
      await new Promise<void>((res) => waiting.push(res))
    }
    if (failure) throw failure
    current = {id: nextId++, slab: free.pop()!, files: []}
    view = Buffer.from(current.slab)
    used = 0
  }

  return {
    async write(path, content, opts = {}) {
      if (failure) throw failure
      const target = targetOf(path)
      // Worst case 3 bytes per UTF-16 unit, and an escape turns 1 byte into 6.
      let source: Buffer | undefined
      let max = textLength(content) * 3
      if (opts.htmlEscape) {
        if (scratch.length < max) scratch = Buffer.allocUnsafe(max)
        source = scratch.subarray(0, encodeUtf8(content, scratch, 0))
        max = source.length * 6
      }
      if (max > slabBytes) {
        // Too big for a slab: a buffer of its own.
        flush()
        let bytes = Buffer.allocUnsafe(max)
        bytes = bytes.subarray(
          0,
          source ? escapeJsonBytes(source, bytes, 0) : encodeUtf8(content, bytes, 0),
        )
        const own = bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength,
        ) as ArrayBuffer
        send({id: nextId++, slab: own, files: [{path, target, start: 0, end: own.byteLength}]})
        return
      }
      if (!current || used + max > slabBytes) {
        flush()
        await slab()
      }
      const n = source ? escapeJsonBytes(source, view!, used) : encodeUtf8(content, view!, used)
      current!.files.push({path, target, start: used, end: used + n})
      used += n
    },
    stream(path) {
      const target = targetOf(path)
      flush()
      let chunk: ArrayBuffer | undefined
      let chunkView: Buffer | undefined
      let length = 0
      let first = true
      const sendChunk = (last: boolean) => {
        const id = nextId++
        expect(id)
        worker.postMessage(
          {
            type: 'chunk',
            id,
            path,
            target,
            chunk: chunk!,
            length,
            first,
            last,
          } satisfies WriterRequest,
          [chunk!],
        )
        first = false
        chunk = undefined
        chunkView = undefined
        length = 0
      }
      const take = async () => {
        // Chunks are slabs: the same bounded pool, handed back by the worker after each write.
        while (free.length === 0) {
          if (failure) throw failure
          await new Promise<void>((res) => waiting.push(res))
        }
        if (failure) throw failure
        chunk = free.pop()!
        chunkView = Buffer.from(chunk)
      }
      return {
        async write(text) {
          if (failure) throw failure
          const units = textLength(text)
          let bytes: Buffer | undefined
          if (units * 3 > slabBytes)
            bytes = Buffer.from(typeof text === 'string' ? text : text.join(''), 'utf8')
          if (!chunk) await take()
          if (bytes) {
            // A piece bigger than a chunk: copy it through in chunk-sized parts.
            for (let at = 0; at < bytes.length;) {
              if (length === slabBytes) {
                sendChunk(false)
                await take()
              }
              const n = bytes.copy(
                chunkView!,
                length,
                at,
                Math.min(bytes.length, at + slabBytes - length),
              )
              length += n
              at += n
            }
            return
          }
          if (length + units * 3 > slabBytes) {
            sendChunk(false)
            await take()
          }
          length += encodeUtf8(text, chunkView!, length)
        },
        async end() {
          if (!chunk) await take()
          sendChunk(true)
        },
      }
    },
    renderWeb(site, files) {
      if (failure) throw failure
      if (Atomics.load(rendering, 0) >= renderBatches) return false
      const targets = files.map((f) => targetOf(f.path))
      const batch = wire.encode(files.map((f) => f.page))
      const id = nextId++
      expect(id)
      Atomics.add(rendering, 0, 1)
      worker.postMessage({
        type: 'render',
        id,
        ...(siteSent ? {} : {site}),
        paths: files.map((f) => f.path),
        targets,
        batch,
      } satisfies WriterRequest)
      siteSent = true
      return true
    },
    announce(paths) {
      if ('dataset' in paths)
        worker.postMessage({
          type: 'createDatasetPages',
          root,
          dataset: paths.dataset,
        } satisfies WriterRequest)
      else
        worker.postMessage({
          type: 'create',
          targets: safeTargets(root, paths),
        } satisfies WriterRequest)
    },
    async settle() {
      flush()
      const all = await Promise.all(results)
      if (failure) throw failure
      await new Promise<void>((resolve) => {
        settled = resolve
        worker.postMessage({type: 'settle'} satisfies WriterRequest)
      })
      return all.flat()
    },
    async close() {
      await worker.terminate()
    },
  }
}
