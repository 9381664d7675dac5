/**
 * How an incremental export puts its changed files into the output folder.
 *
 * Small trees (up to `SWAP_MAX_FILES` files): write.ts patchDirectory — a copy of the tree made of
 * hard links, edited, then swapped in like a full export. Readers and a kill -9 at any moment see
 * the old export or the new one. Its cost is one link per file: ~15–30 µs each on this kind of
 * machine, i.e. 1.5–3 s at 100k files, far more than everything else an incremental export does.
 *
 * Large trees: every changed file is first written completely into a work folder beside the output
 * (`<out>.tmp-<pid>-<rand>`, the same kind of folder a full export uses), then the commit journal
 * (journal.ts) is written there — the commit point — and applied: each file renamed over its
 * target (rename is atomic per file), deleted pages removed, the manifest renamed last. A failure
 * before the commit point leaves the output exactly as it was; a process killed after it leaves a
 * journal the next export applies before anything else (leftovers.ts), so the output is then the
 * export being committed, complete. The commit is a few hundred renames at most — milliseconds —
 * during which a reader may see some new files next to the old manifest (each file whole).
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {resolve} from 'node:path'
import {UsageError} from '../../lib/errors.ts'
import {folderMaker} from '../folders.ts'
import {MANIFEST_PATH} from '../outputs/files.ts'
import {releaseWorkDirs, workDirs} from '../leftovers.ts'
import {requireInside} from '../outputPaths.ts'
import {
  committing,
  patchDirectory,
  writePieces,
  type TreePatch,
  type WriteOptions,
} from '../write.ts'
import {applyJournal, COMMIT_JOURNAL, writeJournal} from './journal.ts'

/** Above this many files, the hard-link swap costs more than the rest of an incremental export. */
export const SWAP_MAX_FILES = 5_000

export type CommitMode = 'swap' | 'rename'

export function commitMode(files: number, maxSwapFiles = SWAP_MAX_FILES): CommitMode {
  return files <= maxSwapFiles ? 'swap' : 'rename'
}

/**
 * Apply `edit` to the output folder by staged renames (see above). `onCommit` runs right before
 * the first rename (the caller marks its cache there).
 */
export function renameCommit(
  outDir: string,
  edit: (patch: TreePatch) => void,
  onCommit: () => void,
  opts: WriteOptions = {},
): void {
  const out = resolve(outDir)
  if (!existsSync(out)) throw new UsageError(`cannot patch ${out}: there is no earlier export`)
  const dirs = workDirs(out, opts.random?.() ?? randomBytes(6).toString('hex'), opts.workRecord)
  try {
    stageAndApply(out, dirs.tmp, edit, onCommit, opts)
  } finally {
    releaseWorkDirs(dirs, opts.workRecord)
  }
}

function stageAndApply(
  out: string,
  tmp: string,
  edit: (patch: TreePatch) => void,
  onCommit: () => void,
  opts: WriteOptions,
): void {
  const inside = (root: string, path: string): string => requireInside(root, path, out)
  const staged: string[] = []
  const removed: string[] = []
  try {
    mkdirSync(tmp)
    const ensureFolder = folderMaker()
    edit({
      write(path, content) {
        if (path === COMMIT_JOURNAL)
          throw new UsageError(
            `output path ${JSON.stringify(path)} is reserved for the commit journal`,
          )
        const target = inside(tmp, path)
        ensureFolder(target)
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
  const journal = {version: 1 as const, staged, removed, manifest: MANIFEST_PATH}
  writeJournal(tmp, journal)
  committing(opts, () => applyJournal(out, tmp, journal, opts.onCommitFile))
  rmSync(tmp, {recursive: true, force: true})
}

/** Commit with the mode that fits the tree's size. */
export function commitPatch(
  mode: CommitMode,
  out: string,
  edit: (patch: TreePatch) => void,
  onCommit: () => void,
  opts?: WriteOptions,
): void {
  if (mode === 'rename') return renameCommit(out, edit, onCommit, opts)
  onCommit()
  patchDirectory(out, edit, opts)
}
