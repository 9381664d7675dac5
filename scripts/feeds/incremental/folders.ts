/**
 * Files in the output that its manifest does not list — planted there, or left by another tool —
 * must not outlive the next export. A full export builds a new tree, so they are gone; an
 * incremental one keeps every file it does not change, so it first looks for them. Listing 100k
 * files would cost more than the rest of an incremental export, so it compares each folder's
 * ctime with the one recorded after the last export instead: adding, removing or renaming an
 * entry changes its folder's ctime, and no caller can set a ctime back. Only a changed folder is
 * listed.
 */
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

/** Folder path (relative, `''` for the output itself) → its ctime in ns, as a string. */
export type FolderStamps = Record<string, string>

/** Every folder that holds one of `paths` (relative file paths), and the output itself. */
export function foldersOf(paths: Iterable<string>): Set<string> {
  const folders = new Set([''])
  for (const path of paths) {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const folder = path.slice(0, at)
      if (folders.has(folder)) break
      folders.add(folder)
    }
  }
  return folders
}

/** The ctimes of `folders` of `out` now (folders that do not exist are left out). */
export function folderStamps(out: string, folders: Iterable<string>): FolderStamps {
  const stamps: FolderStamps = {}
  for (const folder of [...folders].sort()) {
    const st = statSync(join(out, ...folder.split('/').filter(Boolean)), {
      bigint: true,
      throwIfNoEntry: false,
    })
    if (st?.isDirectory()) stamps[folder] = String(st.ctimeNs)
  }
  return stamps
}

/**
 * The entries of `out` that are neither listed files nor folders of listed files, looking only
 * into folders whose ctime changed since `stamps` were taken.
 */
export function unlistedEntries(
  out: string,
  stamps: FolderStamps,
  listed: () => ReadonlySet<string>,
): string[] {
  const now = folderStamps(out, Object.keys(stamps))
  const changed = Object.keys(stamps).filter((f) => now[f] !== stamps[f])
  if (changed.length === 0) return []
  const files = listed()
  const unlisted: string[] = []
  for (const folder of changed) {
    if (now[folder] === undefined) continue
    const dir = join(out, ...folder.split('/').filter(Boolean))
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = folder ? `${folder}/${entry.name}` : entry.name
      const known = entry.isDirectory() ? path in stamps : entry.isFile() && files.has(path)
      if (!known) unlisted.push(path)
    }
  }
  return unlisted.sort()
}
