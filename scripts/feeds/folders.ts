/**
 * Folders of an output tree: made once each while files are written, removed when a removal
 * leaves them empty. Below write.ts and incremental/journal.ts, which both use them (the journal
 * is applied by leftovers.ts, which write.ts imports: these cannot live in write.ts).
 */
import {existsSync, mkdirSync, readdirSync, rmdirSync} from 'node:fs'
import {dirname, sep} from 'node:path'

/** Remove `dir` and its parents up to (not including) `root` while they are empty. */
export function removeEmptyDirs(dir: string, root: string): void {
  while (dir.startsWith(root + sep) && existsSync(dir) && readdirSync(dir).length === 0) {
    rmdirSync(dir)
    dir = dirname(dir)
  }
}

/** `ensure(target)` makes the folder of `target` once per folder (a set remembers which exist). */
export function folderMaker(): (target: string) => void {
  const made = new Set<string>()
  return (target) => {
    const dir = dirname(target)
    if (made.has(dir)) return
    mkdirSync(dir, {recursive: true})
    made.add(dir)
  }
}
