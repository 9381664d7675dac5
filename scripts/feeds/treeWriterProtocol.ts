/**
 * The messages between an export's file writer (treeWriter.ts) and its writer thread
 * (treeWriterWorker.ts). Both sides import these types, so a message one side sends is one the
 * other handles. Slabs and chunks are transferred both ways (never copied): the main thread fills
 * them, the thread writes them and hands them back.
 */
import type {ManifestEntry} from './outputs/manifest.ts'
import type {WireBatch} from './render/webWire.ts'
import type {Site} from './types.ts'

/** What the thread is started with. */
export interface TreeWriterData {
  /** Render batches queued and not yet done, counted by both threads (treeWriter.ts renderWeb). */
  rendering: Int32Array
}

/** Files encoded one after the other into a slab: each file's bytes are `slab[start, end)`. */
export interface SlabRequest {
  type: 'slab'
  id: number
  slab: ArrayBuffer
  files: Array<{path: string; target: string; start: number; end: number}>
}

/** One piece of a file written in pieces (the app bundle: 100+ MB never held whole). */
export interface ChunkRequest {
  type: 'chunk'
  id: number
  path: string
  target: string
  chunk: ArrayBuffer
  length: number
  first: boolean
  last: boolean
}

/** Web pages to render on the thread and write (treeWriter.ts renderWeb); `site` comes with the first. */
export interface RenderRequest {
  type: 'render'
  id: number
  site?: Site
  paths: string[]
  targets: string[]
  batch: WireBatch
}

/** Main thread → writer thread. */
export type WriterRequest =
  | SlabRequest
  | ChunkRequest
  | RenderRequest
  /** Files to create (empty) ahead of their content. */
  | {type: 'create'; targets: string[]}
  /** The same for the web pages of a dataset file, listed by the thread itself (expectedPaths.ts). */
  | {type: 'createDatasetPages'; root: string; dataset: string}
  /** Answer `settled` once everything sent before is done and unwritten created files are removed. */
  | {type: 'settle'}

/**
 * Writer thread → main thread. `slab` is the slab or chunk of a slab or chunk request, handed
 * back for reuse (render requests have none).
 */
export type WriterResponse =
  | {type: 'written'; id: number; entries: ManifestEntry[]; slab?: ArrayBuffer}
  | {type: 'failed'; id: number; error: string; slab?: ArrayBuffer}
  | {type: 'settled'}
