/**
 * Replace an output directory as a whole: write the new tree next to it (`<out>.tmp-<rand>`), then
 * rename the old one aside, rename the new one into place and remove the old one. Readers see the
 * old export or the new one, never a mix; a failure before the swap leaves the old one untouched.
 */
import {randomBytes} from 'node:crypto'
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  promises as fsp,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
  writevSync,
} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {UsageError} from '../lib/errors.ts'
import type {CommitSignal} from './commitSignal.ts'
import {removeEmptyDirs} from './folders.ts'
import {requireInside} from './outputPaths.ts'
import {recoverInterruptedExport, releaseWorkDirs, workDirs} from './leftovers.ts'
import {createFileWriter, type FileWriter} from './treeWriter.ts'
import {eachChunk, isFileRange, type Piece} from './pieces.ts'

export interface WriteOptions {
  /** Random part of the temporary and old directories' suffix (tests pin it); the pid is added. */
  random?: () => string
  /** Told after each file a staged-rename commit moves into place (incremental/commit.ts; tests kill the process there). */
  onCommitFile?: (done: number) => void
  /** Where this output's work folders are recorded (leftovers.ts); without one, only this process knows them. */
  workRecord?: string
  /** Told when a commit starts and ends moving files into the output (readers on other threads). */
  commitSignal?: CommitSignal
}

/** Run a commit's renames inside `opts.commitSignal`, when there is one. */
export const committing = <T>(opts: WriteOptions, commit: () => T): T =>
  opts.commitSignal ? opts.commitSignal.around(commit) : commit()

/**
 * Before an export: check `out` may be replaced and clear what a killed export of it left
 * (leftovers.ts). Returns the work folders for this export, recorded before they exist.
 */
function prepareSwap(out: string, opts: WriteOptions): {tmp: string; old: string} {
  recoverInterruptedExport(out, opts.workRecord)
  return workDirs(out, opts.random?.() ?? randomBytes(6).toString('hex'), opts.workRecord)
}

/**
 * The swap: `out` (if any) moved aside to `old`, `tmp` renamed into its place. If the second rename
 * fails, the previous export is put back before the error goes on. Returns whether there was an
 * `out`, now at `old` for the caller to remove.
 */
function swapIn(out: string, tmp: string, old: string): boolean {
  const hadOld = existsSync(out)
  if (hadOld) renameSync(out, old)
  try {
    renameSync(tmp, out)
  } catch (e) {
    if (hadOld) renameSync(old, out)
    throw e
  }
  return hadOld
}

/**
 * Build a new tree with `fill`, which writes through a TreeWriter into a temporary folder beside
 * `outDir`, then swap it into place once every write finished and `fill` resolved. If `fill`
 * throws, the temporary folder is removed and `outDir` is left exactly as it was.
 */
export async function replaceDirectory<T>(
  outDir: string,
  fill: (writer: FileWriter) => Promise<T>,
  opts: WriteOptions = {},
): Promise<T> {
  const out = resolve(outDir)
  if (dirname(out) === out)
    throw new UsageError(`refusing to write an export to the root directory ${out}`)
  const dirs = prepareSwap(out, opts)
  try {
    return await swapNewTree(out, dirs, fill, opts)
  } finally {
    releaseWorkDirs(dirs, opts.workRecord)
  }
}

async function swapNewTree<T>(
  out: string,
  {tmp, old}: {tmp: string; old: string},
  fill: (writer: FileWriter) => Promise<T>,
  opts: WriteOptions,
): Promise<T> {
  mkdirSync(dirname(out), {recursive: true})
  let result: T
  const writer = createFileWriter(tmp)
  try {
    mkdirSync(tmp)
    result = await fill(writer)
    await writer.settle()
  } catch (e) {
    await writer.close()
    await fsp.rm(tmp, {recursive: true, force: true})
    throw e
  }
  await writer.close()
  let hadOld: boolean
  try {
    hadOld = committing(opts, () => swapIn(out, tmp, old))
  } catch (e) {
    await fsp.rm(tmp, {recursive: true, force: true})
    throw e
  }
  // The thread pool removes the old tree's files in parallel: at 100k files much faster than rmSync.
  if (hadOld) await fsp.rm(old, {recursive: true, force: true})
  return result
}

/** Write `content` — a text, bytes, or pieces in order (writev, never joined) — to `target`. */
export function writePieces(
  target: string,
  content: string | Buffer | readonly Piece[],
  flag: 'w' | 'wx' = 'w',
): void {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    writeFileSync(target, content, {flag})
    return
  }
  const fd = openSync(target, flag)
  try {
    let batch: Uint8Array[] = []
    const flush = () => {
      if (batch.length) writevSync(fd, batch)
      batch = []
    }
    for (let i = 0; i < content.length; i++) {
      const piece = content[i]!
      if (isFileRange(piece)) {
        flush()
        eachChunk([piece], (bytes) => {
          for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done)
        })
      } else {
        batch.push(typeof piece === 'string' ? Buffer.from(piece) : piece)
        if (batch.length === 512) flush()
      }
    }
    flush()
  } finally {
    closeSync(fd)
  }
}

/** What an incremental export changes in the last export (see patchDirectory). */
export interface TreePatch {
  /** Write a new or changed file; pieces are written in order (writev), without joining them first. */
  write(path: string, content: string | Buffer | readonly Piece[]): void
  /** Remove a file (and its folders, when they end up empty). */
  remove(path: string): void
}

/**
 * Replace `outDir` with a changed copy of itself, as atomically as a full export. The copy is made
 * of hard links to the current files (no content is copied), `edit` writes and removes files in
 * it — a changed file is always a new file, never written through a link, so the live tree is
 * never touched — and then the copy is swapped in like a full export's tree. Readers, and a
 * process killed at any point, see the old export or the new one: never a mix, never a staged
 * file. A failure before the swap leaves `outDir` as it was.
 */
export function patchDirectory<T>(
  outDir: string,
  edit: (patch: TreePatch) => T,
  opts: WriteOptions = {},
): T {
  const out = resolve(outDir)
  if (dirname(out) === out)
    throw new UsageError(`refusing to write an export to the root directory ${out}`)
  const dirs = prepareSwap(out, opts)
  try {
    return editLinkedCopy(out, dirs, edit, opts)
  } finally {
    releaseWorkDirs(dirs, opts.workRecord)
  }
}

function editLinkedCopy<T>(
  out: string,
  {tmp, old}: {tmp: string; old: string},
  edit: (patch: TreePatch) => T,
  opts: WriteOptions,
): T {
  if (!existsSync(out)) throw new UsageError(`cannot patch ${out}: there is no earlier export`)
  const inside = (path: string): string => requireInside(tmp, path, out)
  let result: T
  try {
    linkTree(out, tmp)
    result = edit({
      write(path, content) {
        const target = inside(path)
        mkdirSync(dirname(target), {recursive: true})
        // Unlink first and create exclusively: writing into the hard link would change the live file.
        rmSync(target, {force: true})
        writePieces(target, content, 'wx')
      },
      remove(path) {
        const target = inside(path)
        rmSync(target, {force: true})
        removeEmptyDirs(dirname(target), tmp)
      },
    })
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true})
    throw e
  }
  try {
    committing(opts, () => swapIn(out, tmp, old))
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true})
    throw e
  }
  rmSync(old, {recursive: true, force: true})
  return result
}

/** `dst` as a tree of hard links to `src`'s files (folders made, nothing else followed). */
function linkTree(src: string, dst: string): void {
  mkdirSync(dst)
  for (const e of readdirSync(src, {withFileTypes: true})) {
    const from = join(src, e.name)
    const to = join(dst, e.name)
    if (e.isDirectory()) linkTree(from, to)
    else if (e.isFile()) linkSync(from, to)
  }
}
