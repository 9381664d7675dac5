/**
 * The redo journal of a staged-rename commit (commit.ts, large trees). Every changed file is first
 * written whole into the work folder; then `COMMIT_JOURNAL` — the list of staged files and of files
 * to remove — is written and renamed into that folder: that rename is the commit point. Applying
 * the journal renames each staged file over its target (rename is atomic per file), removes the
 * deleted pages and renames the manifest last; it is idempotent (a file already moved is skipped),
 * so a process killed at any moment inside it is finished by the next export
 * (leftovers.ts recoverInterruptedExport) before that export reads anything: the output is then
 * exactly the export that was being committed. Killed before the commit point, the work folder is
 * only removed and the output is the previous export, untouched.
 */
import {existsSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {folderMaker, removeEmptyDirs} from '../folders.ts'
import {isSafeRelativePath, targetInside} from '../outputPaths.ts'

/** A root-level dot file: no export writes one (every output path starts with a plain folder or file name). */
export const COMMIT_JOURNAL = '.commit.json'

export interface CommitJournal {
  version: 1
  /** Files written whole in the work folder, to be renamed into the output; the manifest last. */
  staged: string[]
  /** Files to remove from the output (their folders too, when they end up empty). */
  removed: string[]
  manifest: string
}

function inside(root: string, path: string): string {
  const target = targetInside(root, path)
  if (target === undefined)
    throw new Error(`commit journal: path ${JSON.stringify(path)} would leave ${root}`)
  return target
}

/** Write the journal into `work`: when this returns, the commit is decided. */
export function writeJournal(work: string, journal: CommitJournal): void {
  const file = join(work, COMMIT_JOURNAL)
  writeFileSync(`${file}.part`, JSON.stringify(journal))
  renameSync(`${file}.part`, file)
}

/** The journal in `work`, or undefined when the work folder never reached its commit point. */
export function readJournal(work: string): CommitJournal | undefined {
  let text: string
  try {
    text = readFileSync(join(work, COMMIT_JOURNAL), 'utf8')
  } catch {
    return undefined
  }
  const j = JSON.parse(text) as CommitJournal
  const paths = [...(j.staged ?? []), ...(j.removed ?? []), j.manifest]
  if (
    j.version !== 1 ||
    !Array.isArray(j.staged) ||
    !Array.isArray(j.removed) ||
    !paths.every((p) => typeof p === 'string' && isSafeRelativePath(p))
  ) {
    throw new Error(`commit journal ${join(work, COMMIT_JOURNAL)} is not one this exporter wrote`)
  }
  return j
}

/**
 * Move the staged files of `work` into `out` as the journal says (again, if a killed run began).
 * `onFile` is told after each file (tests kill the process there).
 */
export function applyJournal(
  out: string,
  work: string,
  journal: CommitJournal,
  onFile?: (done: number) => void,
): void {
  const staged = new Set(journal.staged)
  const ensureFolder = folderMaker()
  let done = 0
  for (const path of journal.staged) {
    if (path === journal.manifest) continue
    const from = inside(work, path)
    if (!existsSync(from)) continue
    const target = inside(out, path)
    ensureFolder(target)
    renameSync(from, target)
    onFile?.(++done)
  }
  for (const path of journal.removed) {
    if (staged.has(path)) continue
    const target = inside(out, path)
    rmSync(target, {force: true})
    removeEmptyDirs(dirname(target), out)
    onFile?.(++done)
  }
  // The manifest last: until then, it describes the files a reader finds (of the old export).
  if (staged.has(journal.manifest) && existsSync(inside(work, journal.manifest)))
    renameSync(inside(work, journal.manifest), inside(out, journal.manifest))
}

/** Finish the commit a killed export left in `work`, if it reached its commit point. */
export function rollForward(out: string, work: string): boolean {
  const journal = readJournal(work)
  if (!journal) return false
  applyJournal(out, work, journal)
  return true
}
