/**
 * What an interrupted export leaves beside its output folder, and how the next export deals with it.
 * replaceDirectory (write.ts) works in `<out>.tmp-<pid>-<hex>` (the new tree being written) and
 * `<out>.old-<pid>-<hex>` (the previous tree, between the two renames of the swap and while it is
 * removed). A process killed (kill -9, power cut of the container, OOM) can leave either behind.
 * The next export, before anything else:
 * - finishes an incremental export's commit that reached its commit point (a journal in its
 *   `tmp` folder: incremental/journal.ts), so the output is the export that was being committed;
 * - puts the previous tree back when `<out>` itself is missing: a kill between the two renames is
 *   the one moment without an `<out>`, and the tree moved aside then is the last complete export;
 * - removes the other leftovers of processes that are gone.
 * Folders of a process that is still running are never touched: it may be exporting right now.
 */
import {existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {rollForward} from './incremental/journal.ts'

export interface Leftover {
  path: string
  kind: 'tmp' | 'old'
  pid: number
  mtimeMs: number
}

/** Work folders of exports running in this process (an async export may overlap another). */
const ours = new Set<string>()

/**
 * The work folders for one export of `out`: named with this process's pid (so other processes can
 * tell whether their owner still runs) and a random part, and registered as in use.
 */
export function workDirs(out: string, random: string): {tmp: string; old: string} {
  const base = join(dirname(out), `${basename(out)}.`)
  const dirs = {
    tmp: `${base}tmp-${process.pid}-${random}`,
    old: `${base}old-${process.pid}-${random}`,
  }
  ours.add(dirs.tmp).add(dirs.old)
  return dirs
}

/** Work folders of `out`'s exports (any process), oldest first. */
export function findLeftovers(out: string): Leftover[] {
  const parent = dirname(out)
  if (!existsSync(parent)) return []
  const pattern = new RegExp(`^${escapeRegExp(basename(out))}\\.(tmp|old)-(\\d+)-[0-9a-zA-Z]+$`)
  const found: Leftover[] = []
  for (const name of readdirSync(parent)) {
    const m = pattern.exec(name)
    if (!m) continue
    const path = join(parent, name)
    try {
      const st = statSync(path)
      if (st.isDirectory())
        found.push({path, kind: m[1] as 'tmp' | 'old', pid: Number(m[2]), mtimeMs: st.mtimeMs})
    } catch {
      // Removed meanwhile by another export's cleanup.
    }
  }
  return found.sort((a, b) => a.mtimeMs - b.mtimeMs)
}

/**
 * Whether the export that made `l` may still be writing. For our own pid only folders this process
 * registered count: others carry a pid reused after a kill (containers restart pid numbering).
 */
export function stillInUse(l: Leftover): boolean {
  if (l.pid === process.pid) return ours.has(l.path)
  return processRunning(l.pid)
}

export function processRunning(pid: number): boolean {
  if (pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A tree whose manifest lists files that are all there with their sizes: not partly removed. */
export function isCompleteExport(dir: string, manifestPath: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, manifestPath), 'utf8')) as {
      files?: Array<{path?: unknown; size?: unknown}>
    }
    if (!Array.isArray(manifest.files)) return false
    return manifest.files.every(
      (f) =>
        typeof f.path === 'string' &&
        typeof f.size === 'number' &&
        statSync(join(dir, ...f.path.split('/'))).size === f.size,
    )
  } catch {
    return false
  }
}

/**
 * Undo what a killed export left: finish a staged-rename commit that passed its commit point
 * (incremental/journal.ts), restore the previous tree if `out` is missing, then remove the
 * leftovers of processes that are gone. Returns what was done, for progress lines.
 */
export function recoverInterruptedExport(
  out: string,
  manifestPath: string,
): {restored?: string; rolledForward?: string; removed: string[]} {
  const stale = findLeftovers(out).filter((l) => !stillInUse(l))
  const result: {restored?: string; rolledForward?: string; removed: string[]} = {removed: []}
  // A journal is only ever written while `out` exists (an incremental commit never moves it).
  for (const l of stale)
    if (l.kind === 'tmp' && existsSync(out) && rollForward(out, l.path))
      result.rolledForward = l.path
  if (!existsSync(out)) {
    const previous = stale
      .filter((l) => l.kind === 'old' && isCompleteExport(l.path, manifestPath))
      .at(-1)
    if (previous) {
      renameSync(previous.path, out)
      result.restored = previous.path
    }
  }
  for (const l of stale) {
    if (l.path === result.restored) continue
    rmSync(l.path, {recursive: true, force: true})
    result.removed.push(l.path)
  }
  return result
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
