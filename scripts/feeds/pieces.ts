/**
 * The pieces a file is written from: text, bytes, or a range of another file held open (an
 * incremental export's app bundle is mostly the last bundle's bytes). Only node built-ins: the
 * hashing thread (incremental/hashWorker.ts) loads this and nothing else of the exporter.
 */
import {createHash} from 'node:crypto'
import {readSync} from 'node:fs'

/**
 * Bytes of a file held open by the caller, copied where they are needed and never held whole: an
 * incremental export's app bundle is mostly the last bundle's bytes (130 MB at 100k pages), and
 * reading those into fresh memory cost more than copying them through one small buffer.
 */
export interface FileRange {
  fd: number
  start: number
  end: number
}

/** A piece of a file being written: text, bytes, or a range of another file. */
export type Piece = string | Uint8Array | FileRange

// Bytes sent to another thread arrive as a plain Uint8Array: bytes all the same.
export const isFileRange = (piece: Piece): piece is FileRange =>
  typeof piece === 'object' && !ArrayBuffer.isView(piece)

export const pieceBytes = (piece: Piece): number =>
  typeof piece === 'string'
    ? Buffer.byteLength(piece)
    : isFileRange(piece)
      ? piece.end - piece.start
      : piece.byteLength

let chunk: Buffer | undefined

/**
 * Every byte of `pieces`, in order, handed to `use` in chunks. A FileRange is read into one
 * reused buffer: `use` must be done with a chunk when it returns.
 */
export function eachChunk(pieces: readonly Piece[], use: (bytes: Buffer) => void): void {
  for (const piece of pieces) {
    if (!isFileRange(piece)) {
      use(
        typeof piece === 'string'
          ? Buffer.from(piece)
          : Buffer.isBuffer(piece)
            ? piece
            : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength),
      )
      continue
    }
    chunk ??= Buffer.allocUnsafe(1 << 22)
    for (let at = piece.start; at < piece.end;) {
      const n = readSync(piece.fd, chunk, 0, Math.min(chunk.length, piece.end - at), at)
      if (n === 0) throw new Error(`file ended at byte ${at} of a range that ends at ${piece.end}`)
      use(chunk.subarray(0, n))
      at += n
    }
  }
}

/** SHA-256 (hex) of pieces' bytes, read in chunks (a file range is never held whole). */
export function sha256OfPieces(pieces: readonly Piece[]): string {
  const hash = createHash('sha256')
  eachChunk(pieces, (bytes) => hash.update(bytes))
  return hash.digest('hex')
}
