/**
 * Opening an output file safely, by a path that target.ts already checked: resolved with
 * realpath and refused unless that is the path itself inside the output folder's real path — the
 * exporter writes no symlinks, so any symlink under the folder is a 404, whether it leaves the tree
 * or points from a public path into a partner's folder — then opened with O_NOFOLLOW and
 * O_NONBLOCK (a FIFO never blocks), and only regular files are served.
 *
 * The exporter swaps a new tree in by two renames (write.ts swapIn: out → old, tmp → out), so
 * for an instant the output folder does not exist, or a lookup started in one tree ends in the
 * next. A lookup that finds nothing is retried while the folder is missing (at most
 * SWAP_WAIT_MS) or was replaced during the attempt; a 404 is answered only when one whole tree
 * was there and the file was not in it. Large trees are committed by staged renames, file by file;
 * with the publisher's commit signal (feeds/commitSignal.ts) a file is opened only outside a
 * commit, so a reader never holds a file from its middle. An open fd keeps its tree's bytes after
 * the swap, so a download in progress completes.
 *
 * The metadata calls are synchronous on purpose: on a local disk each takes microseconds,
 * several times less than a hop through libuv's thread pool, and they are the whole cost of a 304.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs'
import {join, resolve, sep} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {CommitSignal} from '../feeds/commitSignal.ts'

/** How long a request waits for the output folder to reappear during a swap. */
export const SWAP_WAIT_MS = 200

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

export interface OpenFile {
  fd: number
  stat: Stats
  /** Where it was opened (for messages; read through `fd` only). */
  realPath: string
}

const MISSING = Symbol('missing')

/** The output folder's files, opened only inside it. */
export class OutputFolder {
  readonly root: string
  private realRoot: string | undefined
  private readonly commits: CommitSignal | undefined

  /** `commits`: the publisher's, when it commits on another thread (commitSignal.ts). */
  constructor(root: string, commits?: CommitSignal) {
    this.root = resolve(root)
    this.commits = commits
  }

  /**
   * Open `path` (a checked relative path); undefined for anything that is not a file inside. With a
   * commit signal, the file is kept only when no commit ran while it was looked up and opened.
   */
  async open(path: string): Promise<OpenFile | undefined> {
    if (!this.commits) return this.openInTree(path)
    for (;;) {
      const before = this.commits.generation()
      if (before % 2 !== 0) {
        await sleep(1)
        continue
      }
      const file = await this.openInTree(path)
      if (this.commits.generation() === before) return file
      if (file) closeSync(file.fd)
    }
  }

  private async openInTree(path: string): Promise<OpenFile | undefined> {
    const target = join(this.root, ...path.split('/'))
    let attempt = this.tryOpen(target, path)
    if (attempt !== MISSING) return attempt
    const deadline = Date.now() + SWAP_WAIT_MS
    let tree = this.treeIdentity()
    for (;;) {
      if (Date.now() > deadline) return undefined
      if (tree === undefined) {
        await sleep(1)
        tree = this.treeIdentity()
        continue
      }
      attempt = this.tryOpen(target, path)
      if (attempt !== MISSING) return attempt
      const after = this.treeIdentity()
      // The same tree before and after a failed lookup: the file is really not there.
      if (after === tree) return undefined
      tree = after
    }
  }

  private tryOpen(target: string, path: string): OpenFile | undefined | typeof MISSING {
    let real: string
    try {
      real = realpathSync.native(target)
    } catch (e) {
      return missingOrRefused(e)
    }
    if (!this.isExactly(real, path)) return undefined
    let fd: number
    try {
      fd = openSync(real, OPEN_FLAGS)
    } catch (e) {
      return missingOrRefused(e)
    }
    try {
      const stat = fstatSync(fd)
      if (stat.isFile()) return {fd, stat, realPath: real}
    } catch {
      // fstat of an open fd does not fail in practice; refuse rather than guess.
    }
    closeSync(fd)
    return undefined
  }

  /** `real` is `path` under the folder's real path, no link on the way. The folder's real path is
   * looked up again once on a miss, in case the folder itself is a symlink that was re-pointed. */
  private isExactly(real: string, path: string): boolean {
    const tail = sep + path.split('/').join(sep)
    for (let fresh = false; ; fresh = true) {
      if (fresh || this.realRoot === undefined) {
        try {
          this.realRoot = realpathSync.native(this.root)
        } catch {
          return false
        }
      }
      if (real === this.realRoot + tail) return true
      if (fresh) return false
    }
  }

  /** The output folder's inode, or undefined while it is missing (mid-swap). */
  private treeIdentity(): string | undefined {
    try {
      const s = statSync(this.root)
      return `${s.dev}:${s.ino}`
    } catch {
      return undefined
    }
  }
}

function missingOrRefused(e: unknown): undefined | typeof MISSING {
  const code = (e as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR' ? MISSING : undefined
}
