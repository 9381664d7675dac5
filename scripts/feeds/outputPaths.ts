/**
 * Output paths (`web/benefits/x.json`) and where they land on disk. One check for every writer
 * (full export, its writer thread, incremental commits, the commit journal): a path from the data
 * can never reach outside the output folder. No other imports, so the writer thread loads it
 * without the renderers.
 */
import {join, sep} from 'node:path'
import {UsageError} from '../lib/errors.ts'

/** A relative, `/`-separated path with no empty, `.` or `..` segment: it stays inside the tree. */
export function isSafeRelativePath(path: string): boolean {
  return (
    path !== '' &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  )
}

/** Where `path` lands inside `root`; undefined when it would leave it. */
export function targetInside(root: string, path: string): string | undefined {
  if (!isSafeRelativePath(path)) return undefined
  const target = join(root, ...path.split('/'))
  return target.startsWith(root + sep) ? target : undefined
}

/** targetInside, or a UsageError naming the path and the folder it would leave (`shown`: as the user knows it). */
export function requireInside(root: string, path: string, shown: string): string {
  const target = targetInside(root, path)
  if (target === undefined)
    throw new UsageError(`output path ${JSON.stringify(path)} would leave ${shown}`)
  return target
}

/** The files of these paths inside `root`; paths that would leave it are left out (their write reports them). */
export function safeTargets(root: string, paths: readonly string[]): string[] {
  const targets: string[] = []
  for (const path of paths) {
    const target = targetInside(root, path)
    if (target !== undefined) targets.push(target)
  }
  return targets
}
