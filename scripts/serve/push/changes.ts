/**
 * What changed in a partner's folder between two looks: each file is known by its output path
 * (`partners/<name>/rss.xml`) and the sha256 of its bytes, so a file rewritten with the same bytes
 * is no change. Pure.
 */

/** A partner's files: output path → sha256 (hex) of the file's bytes. */
export type FileHashes = Record<string, string>

/** One file a delivery names: its new hash, or that it is gone. */
export type FileChange = {path: string; sha256: string} | {path: string; removed: true}

/** Changed, added and removed files, by path (code-unit order, so equal inputs give equal lists). */
export function diffFiles(before: FileHashes, after: FileHashes): FileChange[] {
  const paths = new Set([...Object.keys(before), ...Object.keys(after)])
  const changes: FileChange[] = []
  for (const path of [...paths].sort()) {
    const was = Object.hasOwn(before, path) ? before[path] : undefined
    const now = Object.hasOwn(after, path) ? after[path] : undefined
    if (now === undefined) changes.push({path, removed: true})
    else if (was !== now) changes.push({path, sha256: now})
  }
  return changes
}
