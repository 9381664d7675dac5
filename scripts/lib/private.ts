/**
 * Files only their owner may read: the dataset holds unpublished drafts, history and private
 * documents, so its folder is 0700 and its files 0600 whatever the umask. SQLite gives its `-wal`
 * and `-shm` files the mode of the database file, so creating that file 0600 before SQLite opens
 * it is enough; files an earlier version left readable are tightened.
 */
import {chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

/** Group and other permission bits. */
const SHARED_BITS = 0o077

function tighten(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & SHARED_BITS) !== 0) chmodSync(path, mode)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
}

/**
 * Make `dir` (and missing parents) 0700. An existing folder is tightened only when `owned`: a
 * dataset passed as `/tmp/x.sqlite` must never change the mode of `/tmp`.
 */
export function privateDir(dir: string, owned: boolean): void {
  if (!existsSync(dir)) mkdirSync(dir, {recursive: true, mode: 0o700})
  else if (owned) tighten(dir, 0o700)
}

/**
 * Prepare an SQLite file to be opened: its folder made (0700 when new), the file created 0600 when
 * missing, and it and its `-wal`/`-shm` tightened to 0600 when an earlier run left them readable.
 * `ownedDir`: the folder is the project's own (e.g. `.data/`), so an existing one is tightened too.
 */
export function privateSqliteFile(path: string, opts: {ownedDir?: boolean} = {}): void {
  privateDir(dirname(path), opts.ownedDir ?? false)
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600))
  for (const file of [path, `${path}-wal`, `${path}-shm`]) tighten(file, 0o600)
}
