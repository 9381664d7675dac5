/**
 * The files a partner is served now: every regular file under `<out>/partners/<name>/`, hashed from
 * its bytes (streamed; a partner has a few files, so this is cheaper than reading the manifest of
 * a 100k-page export). Symlinks are not followed.
 *
 * The exporter replaces the output folder by renames (feeds/write.ts); a look that falls into a
 * swap (the folder or a file vanishing under it) is taken again, and while `out` itself is missing
 * the answer is undefined (the caller skips the round rather than report every file removed).
 */
import {createHash} from 'node:crypto'
import {createReadStream, promises as fsp} from 'node:fs'
import {join} from 'node:path'
import type {FileHashes} from './changes.ts'

const LOOKS = 3

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT'

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function walk(out: string, rel: string, into: FileHashes): Promise<void> {
  for (const entry of await fsp.readdir(join(out, rel), {withFileTypes: true})) {
    const path = `${rel}/${entry.name}`
    if (entry.isDirectory()) await walk(out, path, into)
    else if (entry.isFile()) into[path] = await sha256File(join(out, path))
  }
}

const exists = (path: string) =>
  fsp.stat(path).then(
    () => true,
    (e: unknown) => {
      if (isMissing(e)) return false
      throw e
    },
  )

async function look(out: string, partner: string): Promise<FileHashes | undefined> {
  const dir = `partners/${partner}`
  const files: FileHashes = {}
  try {
    await walk(out, dir, files)
  } catch (e) {
    if (!isMissing(e)) throw e
    if (!(await exists(out))) return undefined
    if (!(await exists(join(out, dir)))) return {}
    throw e // a file vanished mid-walk: look again
  }
  return files
}

/**
 * The partner's files (output path → sha256); `{}` when it has no folder; undefined while the
 * output folder itself is missing.
 */
export async function partnerFiles(out: string, partner: string): Promise<FileHashes | undefined> {
  for (let n = 1; ; n++) {
    try {
      return await look(out, partner)
    } catch (e) {
      if (!isMissing(e) || n >= LOOKS) throw e
    }
  }
}
