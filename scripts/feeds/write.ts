/**
 * Replace an output directory as a whole: write the new tree next to it (`<out>.tmp-<rand>`), then
 * rename the old one aside, rename the new one into place and remove the old one. Readers see the
 * old export or the new one, never a mix; a failure before the swap leaves the old one untouched.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {basename, dirname, join, resolve, sep} from 'node:path'
import {UsageError} from '../lib/errors.ts'
import {MANIFEST_PATH} from './build.ts'
import type {OutputFile} from './safety.ts'

export interface WriteOptions {
  /** Suffix for the temporary and old directories (tests pin it). */
  random?: () => string
}

/** A relative, `/`-separated path with no empty, `.` or `..` segment: it stays inside the tree. */
export function isSafeRelativePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.includes('\\') && path.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
}

/**
 * Refuse to replace something that is not an earlier export: `--out .` or `--out ~` must never
 * move a project or a home directory aside.
 */
function assertReplaceable(out: string): void {
  if (!existsSync(out)) return
  if (!statSync(out).isDirectory()) throw new UsageError(`refusing to replace ${out}: it is a file, not an export directory`)
  const entries = readdirSync(out)
  if (entries.length > 0 && !entries.includes(MANIFEST_PATH)) {
    throw new UsageError(`refusing to replace ${out}: it is not empty and has no ${MANIFEST_PATH}, so it is not an earlier export`)
  }
}

/**
 * Build a new tree with `fill` (which writes files through the function it is given) in a
 * temporary folder beside `outDir`, then swap it into place. If `fill` throws, the temporary
 * folder is removed and `outDir` is left exactly as it was.
 */
export function replaceDirectory<T>(outDir: string, fill: (write: (file: OutputFile) => void) => T, opts: WriteOptions = {}): T {
  const out = resolve(outDir)
  if (dirname(out) === out) throw new UsageError(`refusing to write an export to the root directory ${out}`)
  assertReplaceable(out)

  const suffix = opts.random?.() ?? randomBytes(6).toString('hex')
  const tmp = join(dirname(out), `${basename(out)}.tmp-${suffix}`)
  const old = join(dirname(out), `${basename(out)}.old-${suffix}`)
  mkdirSync(dirname(out), {recursive: true})
  let result: T
  try {
    mkdirSync(tmp)
    const dirs = new Set<string>()
    result = fill((f) => {
      if (!isSafeRelativePath(f.path)) throw new UsageError(`output path ${JSON.stringify(f.path)} would leave ${out}`)
      const target = join(tmp, ...f.path.split('/'))
      if (!target.startsWith(tmp + sep)) throw new UsageError(`output path ${JSON.stringify(f.path)} would leave ${out}`)
      const dir = dirname(target)
      if (!dirs.has(dir)) {
        mkdirSync(dir, {recursive: true})
        dirs.add(dir)
      }
      writeFileSync(target, f.content)
    })
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true})
    throw e
  }

  const hadOld = existsSync(out)
  if (hadOld) renameSync(out, old)
  try {
    renameSync(tmp, out)
  } catch (e) {
    // Put the previous export back before reporting.
    if (hadOld) renameSync(old, out)
    rmSync(tmp, {recursive: true, force: true})
    throw e
  }
  if (hadOld) rmSync(old, {recursive: true, force: true})
  return result
}

/** Replace `outDir` with exactly these files. */
export function writeTreeAtomically(outDir: string, files: readonly OutputFile[], opts: WriteOptions = {}): void {
  replaceDirectory(outDir, (write) => files.forEach(write), opts)
}
