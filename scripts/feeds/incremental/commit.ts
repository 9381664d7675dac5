/**
 * How an incremental export puts its changed files into the output folder.
 *
 * Small trees (up to `SWAP_MAX_FILES` files): write.ts patchDirectory — a copy of the tree made of
 * hard links, edited, then swapped in like a full export. Readers and a kill -9 at any moment see
 * the old export or the new one. Its cost is one link per file: ~15–30 µs each on this kind of
 * machine, i.e. 1.5–3 s at 100k files, far more than everything else an incremental export does.
 *
 * Large trees: every changed file is first written completely into a work folder beside the output
 * (`<out>.tmp-<pid>-<rand>`, the same kind of folder a full export uses, so an interrupted run's
 * folder is cleared by the next export); then the commit renames each one over its target
 * (rename is atomic per file), removes deleted pages and renames the manifest last. A failure
 * before the commit leaves the output exactly as it was. The commit is a few hundred renames at
 * most — milliseconds — and the export cache is marked while it runs: an export killed inside it
 * is followed by a full export, which puts the whole tree right. During those milliseconds a
 * reader may see some new files next to the old manifest.
 */
import {randomBytes} from 'node:crypto'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync, writevSync} from 'node:fs'
import {dirname, join, resolve, sep} from 'node:path'
import {UsageError} from '../../lib/errors.ts'
import {MANIFEST_PATH} from '../build.ts'
import {workDirs} from '../leftovers.ts'
import {isSafeRelativePath, patchDirectory, type TreePatch, type WriteOptions} from '../write.ts'

/** Above this many files, the hard-link swap costs more than the rest of an incremental export. */
export const SWAP_MAX_FILES = 5_000

export type CommitMode = 'swap' | 'rename'

export function commitMode(files: number, maxSwapFiles = SWAP_MAX_FILES): CommitMode {
  return files <= maxSwapFiles ? 'swap' : 'rename'
}

function writePieces(target: string, content: string | Buffer | ReadonlyArray<string | Buffer>): void {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    writeFileSync(target, content)
    return
  }
  const fd = openSync(target, 'w')
  try {
    const buffers = content.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))
    for (let i = 0; i < buffers.length; i += 512) writevSync(fd, buffers.slice(i, i + 512))
  } finally {
    closeSync(fd)
  }
}

/** Remove `dir` and its parents up to (not including) `root` while they are empty. */
function removeEmptyDirs(dir: string, root: string): void {
  while (dir.startsWith(root + sep) && existsSync(dir) && readdirSync(dir).length === 0) {
    rmdirSync(dir)
    dir = dirname(dir)
  }
}

/**
 * Apply `edit` to the output folder by staged renames (see above). `onCommit` runs right before
 * the first rename (the caller marks its cache there).
 */
export function renameCommit(outDir: string, edit: (patch: TreePatch) => void, onCommit: () => void, opts: WriteOptions = {}): void {
  const out = resolve(outDir)
  if (!existsSync(out)) throw new UsageError(`cannot patch ${out}: there is no earlier export`)
  const {tmp} = workDirs(out, opts.random?.() ?? randomBytes(6).toString('hex'))
  const inside = (root: string, path: string): string => {
    const target = join(root, ...path.split('/'))
    if (!isSafeRelativePath(path) || !target.startsWith(root + sep)) throw new UsageError(`output path ${JSON.stringify(path)} would leave ${out}`)
    return target
  }
  const staged: string[] = []
  const removed: string[] = []
  try {
    mkdirSync(tmp)
    const made = new Set<string>()
    edit({
      write(path, content) {
        const target = inside(tmp, path)
        const dir = dirname(target)
        if (!made.has(dir)) {
          mkdirSync(dir, {recursive: true})
          made.add(dir)
        }
        writePieces(target, content)
        staged.push(path)
      },
      remove(path) {
        inside(out, path)
        removed.push(path)
      },
    })
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true})
    throw e
  }
  onCommit()
  // The manifest last: until then, a reader's manifest describes the files it names.
  const dirs = new Set<string>()
  for (const path of staged) {
    if (path === MANIFEST_PATH) continue
    const target = inside(out, path)
    const dir = dirname(target)
    if (!dirs.has(dir)) {
      if (!existsSync(dir)) mkdirSync(dir, {recursive: true})
      dirs.add(dir)
    }
    renameSync(inside(tmp, path), target)
  }
  for (const path of removed) {
    if (staged.includes(path)) continue
    const target = inside(out, path)
    rmSync(target, {force: true})
    removeEmptyDirs(dirname(target), out)
  }
  if (staged.includes(MANIFEST_PATH)) renameSync(inside(tmp, MANIFEST_PATH), inside(out, MANIFEST_PATH))
  rmSync(tmp, {recursive: true, force: true})
}

/** Commit with the mode that fits the tree's size. */
export function commitPatch(mode: CommitMode, out: string, edit: (patch: TreePatch) => void, onCommit: () => void, opts?: WriteOptions): void {
  if (mode === 'rename') return renameCommit(out, edit, onCommit, opts)
  onCommit()
  patchDirectory(out, edit, opts)
}
