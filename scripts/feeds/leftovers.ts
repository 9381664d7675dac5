/**
 * What an interrupted export leaves beside its output folder, and how the next export deals with it.
 * Exports work in `<out>.tmp-<pid>-<hex>` (the new tree, or an incremental export's staged files)
 * and `<out>.old-<pid>-<hex>` (the previous tree, between the two renames of the swap and while it
 * is removed). A process killed (kill -9, OOM, a container stopped) can leave either behind.
 *
 * Only folders this output's own exports made are ever touched: before it makes them, an export
 * records their paths in the work record (`<hash of out>.work.json` in the export cache's folder,
 * private like the dataset), and removes them from it once they are gone. A folder that merely has
 * such a name — planted, or another tool's — is left alone and reported. The next export, before
 * anything else:
 * - refuses an `<out>` that is not an earlier export (a project folder, a PWA's `public/`);
 * - finishes an incremental commit that reached its commit point (a journal in a recorded `tmp`
 *   folder: incremental/journal.ts), so the output is the export that was being committed;
 * - puts the previous tree back when `<out>` itself is missing (a kill between the two renames);
 * - removes its other recorded leftovers whose process is gone.
 * Without a work record (no export cache: remote sources, `cacheDir: false`) only this process's
 * own folders are known, so leftovers of a killed export are reported, never applied.
 */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {UsageError} from '../lib/errors.ts'
import {rollForward} from './incremental/journal.ts'
import {MANIFEST_PATH} from './outputs/files.ts'

export interface Leftover {
  path: string
  kind: 'tmp' | 'old'
  pid: number
  mtimeMs: number
  /** A real folder (not a symlink or a file named like one). */
  folder: boolean
}

export interface Recovery {
  restored?: string
  rolledForward?: string
  removed: string[]
  /** Folders named like work folders that no export of this output recorded: left as they are. */
  ignored: string[]
}

/** Work folders of exports running in this process (an async export may overlap another). */
const ours = new Set<string>()

/** The work folders an output's exports made and have not removed yet (absolute paths). */
function readRecord(file: string): string[] {
  try {
    const paths = (JSON.parse(readFileSync(file, 'utf8')) as {folders?: unknown}).folders
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : []
  } catch {
    return []
  }
}

function writeRecord(file: string, folders: readonly string[]): void {
  if (folders.length === 0) {
    rmSync(file, {force: true})
    return
  }
  const part = `${file}.${process.pid}.part`
  writeFileSync(part, JSON.stringify({folders}), {mode: 0o600})
  renameSync(part, file)
}

/**
 * The work folders for one export of `out`: named with this process's pid (so other processes can
 * tell whether their owner still runs) and a random part, registered as in use, and recorded in
 * `record` (when the output has one) before either exists.
 */
export function workDirs(out: string, random: string, record?: string): {tmp: string; old: string} {
  const base = join(dirname(out), `${basename(out)}.`)
  const dirs = {
    tmp: `${base}tmp-${process.pid}-${random}`,
    old: `${base}old-${process.pid}-${random}`,
  }
  ours.add(dirs.tmp).add(dirs.old)
  if (record) writeRecord(record, [...new Set([...readRecord(record), dirs.tmp, dirs.old])])
  return dirs
}

/** The folders of `workDirs` are gone: forget them. */
export function releaseWorkDirs(dirs: {tmp: string; old: string}, record?: string): void {
  ours.delete(dirs.tmp)
  ours.delete(dirs.old)
  if (record)
    writeRecord(
      record,
      readRecord(record).filter((p) => p !== dirs.tmp && p !== dirs.old),
    )
}

/** Folders beside `out` named like its work folders (any process, recorded or not), oldest first. */
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
      // lstat: a symlink named like a work folder is never followed, only reported.
      const st = lstatSync(path)
      found.push({
        path,
        kind: m[1] as 'tmp' | 'old',
        pid: Number(m[2]),
        mtimeMs: st.mtimeMs,
        folder: st.isDirectory(),
      })
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
 * Refuse to replace something that is not an earlier export: `--out .` or `--out ~` must never
 * move a project or a home directory aside.
 */
export function assertReplaceable(out: string): void {
  if (!existsSync(out)) return
  if (!statSync(out).isDirectory())
    throw new UsageError(`refusing to replace ${out}: it is a file, not an export directory`)
  const entries = readdirSync(out)
  if (entries.length > 0 && !entries.includes(MANIFEST_PATH)) {
    throw new UsageError(
      `refusing to replace ${out}: it is not empty and has no ${MANIFEST_PATH}, so it is not an earlier export`,
    )
  }
  // A web app's `public/` often has a manifest.json too (a PWA manifest): only ours counts.
  if (entries.length > 0 && !isExportManifest(join(out, MANIFEST_PATH))) {
    throw new UsageError(
      `refusing to replace ${out}: its ${MANIFEST_PATH} is not an export manifest, so it is not an earlier export`,
    )
  }
}

function isExportManifest(file: string): boolean {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as {$schema?: unknown; files?: unknown}
    return (
      typeof m.$schema === 'string' &&
      /\/manifest\.v\d+\.schema\.json$/.test(m.$schema) &&
      Array.isArray(m.files)
    )
  } catch {
    return false
  }
}

/**
 * Before an export: check `out` may be replaced, then undo what a killed export of it left —
 * finish a staged-rename commit that passed its commit point, restore the previous tree if `out`
 * is missing, remove its other leftovers — touching only folders `record` lists (or this process
 * made). Returns what was done, and what was left alone, for progress lines and warnings.
 */
export function recoverInterruptedExport(out: string, record?: string): Recovery {
  assertReplaceable(out)
  const recorded = new Set(record ? readRecord(record) : [])
  const result: Recovery = {removed: [], ignored: []}
  const stale: Leftover[] = []
  for (const l of findLeftovers(out)) {
    if (stillInUse(l)) continue
    if (recorded.has(l.path) && l.folder) stale.push(l)
    else result.ignored.push(l.path)
  }
  // A journal is only ever written while `out` exists (an incremental commit never moves it).
  for (const l of stale)
    if (l.kind === 'tmp' && existsSync(out) && rollForward(out, l.path))
      result.rolledForward = l.path
  if (!existsSync(out)) {
    const previous = stale
      .filter((l) => l.kind === 'old' && isCompleteExport(l.path, MANIFEST_PATH))
      .at(-1)
    if (previous) {
      renameSync(previous.path, out)
      result.restored = previous.path
    }
  }
  for (const l of stale) {
    if (l.path !== result.restored) {
      rmSync(l.path, {recursive: true, force: true})
      result.removed.push(l.path)
    }
  }
  // Forget what is gone now, and what a killed export recorded but never made.
  if (record && recorded.size) {
    const kept = readRecord(record).filter((p) =>
      p === result.restored ? false : ours.has(p) || (existsSync(p) && !result.removed.includes(p)),
    )
    writeRecord(record, kept)
  }
  return result
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
