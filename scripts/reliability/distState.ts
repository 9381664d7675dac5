/**
 * What an export folder holds, checked from the outside: complete (its manifest lists exactly the
 * files present, with matching sizes and sha256) or not, and a digest to compare with the exports
 * a run may leave. Plus what lies beside it (work folders of an interrupted export).
 */
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {basename, dirname, join, relative, sep} from 'node:path'

export interface ExportState {
  exists: boolean
  /** Manifest present and every file matches it, no file missing or extra. */
  complete: boolean
  /** sha256 of manifest.json (which hashes every other file); '' when incomplete or missing. */
  digest: string
  problems: string[]
  /** Sibling entries named `<out>.*` (work folders of exports). */
  siblings: string[]
}

function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.push(relative(dir, p).split(sep).join('/'))
    }
  }
  walk(dir)
  return out.sort()
}

export function inspectExport(out: string, manifestPath = 'manifest.json'): ExportState {
  const parent = dirname(out)
  const siblings = existsSync(parent)
    ? readdirSync(parent)
        .filter((n) => n.startsWith(`${basename(out)}.`))
        .sort()
    : []
  if (!existsSync(out))
    return {exists: false, complete: false, digest: '', problems: ['missing'], siblings}
  if (!statSync(out).isDirectory())
    return {exists: true, complete: false, digest: '', problems: ['not a directory'], siblings}
  return {exists: true, ...verifyTree(out, manifestPath), siblings}
}

/** Check a tree against its manifest. */
export function verifyTree(
  dir: string,
  manifestPath = 'manifest.json',
): {complete: boolean; digest: string; problems: string[]} {
  const problems: string[] = []
  let manifestText: string
  let manifest: {files?: Array<{path: string; size: number; sha256: string}>}
  try {
    manifestText = readFileSync(join(dir, manifestPath), 'utf8')
    manifest = JSON.parse(manifestText) as typeof manifest
  } catch (e) {
    return {complete: false, digest: '', problems: [`manifest unreadable: ${(e as Error).message}`]}
  }
  const listed = new Map((manifest.files ?? []).map((f) => [f.path, f]))
  const present = listFiles(dir).filter((p) => p !== manifestPath)
  for (const p of present) if (!listed.has(p)) problems.push(`${p}: not in the manifest`)
  for (const [p, f] of listed) {
    const file = join(dir, ...p.split('/'))
    if (!existsSync(file)) {
      problems.push(`${p}: missing`)
      continue
    }
    const bytes = readFileSync(file)
    if (bytes.length !== f.size)
      problems.push(`${p}: ${bytes.length} bytes, manifest says ${f.size}`)
    else if (createHash('sha256').update(bytes).digest('hex') !== f.sha256)
      problems.push(`${p}: sha256 differs from the manifest`)
  }
  const complete = problems.length === 0
  return {
    complete,
    digest: complete ? createHash('sha256').update(manifestText).digest('hex') : '',
    problems: problems.slice(0, 20),
  }
}
