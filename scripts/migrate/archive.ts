/**
 * A dataset export archive in the layout `sanity dataset export` writes — a gzipped tar holding
 * `<name>/data.ndjson` and `<name>/assets.json` — so Sanity's own CLI can dry-run our migration
 * files offline: `sanity migration run <id> --from-export <file>`. Pure: documents in, bytes out.
 */
import {gzipSync} from 'node:zlib'
import {isSystemId} from '../store/ids.ts'

export interface ArchiveEntry {
  name: string
  content: string | Uint8Array
}

const BLOCK = 512

/** A POSIX ustar archive of regular files (names up to 100 bytes). */
export function tarArchive(entries: readonly ArchiveEntry[], mtime: Date): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const body =
      typeof entry.content === 'string'
        ? Buffer.from(entry.content, 'utf8')
        : Buffer.from(entry.content)
    parts.push(
      header(entry.name, body.length, mtime),
      body,
      Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK),
    )
  }
  parts.push(Buffer.alloc(BLOCK * 2)) // end-of-archive marker
  return Buffer.concat(parts)
}

function header(name: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(BLOCK)
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`)
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`
  h.write(name, 0, 100, 'utf8')
  h.write(octal(0o644, 8), 100, 'ascii')
  h.write(octal(0, 8), 108, 'ascii')
  h.write(octal(0, 8), 116, 'ascii')
  h.write(octal(size, 12), 124, 'ascii')
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii')
  h.write('        ', 148, 'ascii') // checksum counts as spaces while summing
  h.write('0', 156, 'ascii') // regular file
  h.write('ustar\u000000', 257, 'ascii')
  let sum = 0
  for (const byte of h) sum += byte
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
  return h
}

/**
 * The archive for a dataset's documents. Like `sanity dataset export`, system documents
 * (`_.` ids, e.g. the migration ledger) are left out; drafts stay in.
 */
export function exportArchive(
  docs: readonly {_id: string}[],
  opts: {name: string; now: Date},
): Buffer {
  const lines = docs.filter((d) => !isSystemId(d._id)).map((d) => JSON.stringify(d))
  const data = lines.length > 0 ? `${lines.join('\n')}\n` : ''
  return gzipSync(
    tarArchive(
      [
        {name: `${opts.name}/data.ndjson`, content: data},
        {name: `${opts.name}/assets.json`, content: '{}\n'},
      ],
      opts.now,
    ),
  )
}
