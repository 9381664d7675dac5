/**
 * The sha256 of each served file, computed from the open fd whose bytes are sent (so a tag and
 * its body never disagree, even while a publish swaps the tree) and cached by file identity
 * (device, inode, size, mtime): a conditional GET of an unchanged file needs a stat only. The
 * exporter never rewrites a file in place (a publish writes new files and renames them), so an
 * identity stands for one content. Not the ctime: an incremental publish hard-links every
 * unchanged file into the new tree, which changes their ctime and nothing else.
 */
import {createHash} from 'node:crypto'
import {read, readSync, type Stats} from 'node:fs'
import {promisify} from 'node:util'

export interface Digest {
  /** sha256 of the bytes, hex. */
  sha256: string
  /**
   * The bytes start like gzip or zlib data. @fastify/compress passes such payloads through
   * unchanged (it takes them for already compressed), so they are served uncompressed.
   */
  looksCompressed: boolean
}

/** Entries kept; a map of this size holds every page of a 100k-page site and its previous publish. */
const MAX_ENTRIES = 1 << 18
const CHUNK = 256 * 1024
const readAsync = promisify(read)

const identity = (s: Stats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`

/** gzip's magic, or a zlib header (CM 8, CINFO ≤ 7, FCHECK): @fastify/compress's own test. */
function looksCompressed(b: Uint8Array): boolean {
  if (b.length > 2 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) return true
  return b.length > 1 && (b[0]! & 0x8f) === 0x08 && ((b[0]! << 8) | b[1]!) % 31 === 0
}

export function digestOf(bytes: Uint8Array): Digest {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    looksCompressed: looksCompressed(bytes),
  }
}

/** Every byte of an open file from position 0 (one pread for a small file). */
export function readWhole(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size)
  let done = 0
  while (done < size) {
    const n = readSync(fd, buf, done, size - done, done)
    if (n === 0) break
    done += n
  }
  return done === size ? buf : buf.subarray(0, done)
}

/** The digest of an open file read in chunks from position 0, without holding it in memory. */
export async function digestOfFd(fd: number): Promise<Digest> {
  const hash = createHash('sha256')
  const buf = Buffer.allocUnsafe(CHUNK)
  let head: Buffer | undefined
  for (let position = 0; ;) {
    const {bytesRead} = await readAsync(fd, buf, 0, CHUNK, position)
    if (bytesRead === 0) break
    head ??= Buffer.from(buf.subarray(0, Math.min(bytesRead, 3)))
    hash.update(buf.subarray(0, bytesRead))
    position += bytesRead
  }
  return {sha256: hash.digest('hex'), looksCompressed: looksCompressed(head ?? Buffer.alloc(0))}
}

/** Digests by file identity, the oldest dropped first beyond MAX_ENTRIES. */
export class DigestCache {
  private readonly entries = new Map<string, Digest>()
  private readonly max: number

  constructor(max = MAX_ENTRIES) {
    this.max = max
  }

  get(stat: Stats): Digest | undefined {
    return this.entries.get(identity(stat))
  }

  set(stat: Stats, digest: Digest): void {
    const key = identity(stat)
    if (!this.entries.has(key) && this.entries.size >= this.max)
      this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(key, digest)
  }
}
