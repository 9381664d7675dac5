/**
 * Files written from pieces: text, bytes and ranges of another open file (an incremental export's
 * app bundle is mostly the last bundle's bytes, copied through one small buffer).
 */
import {closeSync, openSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {layoutOf, spliceList} from '../../scripts/feeds/incremental/splice.ts'
import {eachChunk, pieceBytes, type FileRange, type Piece} from '../../scripts/feeds/pieces.ts'
import {writePieces} from '../../scripts/feeds/write.ts'
import {tempDir} from './helpers.ts'

const fds: number[] = []
const cleanups: Array<() => void> = []
afterEach(() => {
  while (fds.length) closeSync(fds.pop()!)
  while (cleanups.length) cleanups.pop()!()
})
const folder = (): string => {
  const {dir, cleanup} = tempDir('pieces-')
  cleanups.push(cleanup)
  return dir
}

/** A file of `size` bytes with a recognizable pattern, opened for reading. */
function source(dir: string, size: number): {bytes: Buffer; fd: number} {
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 12)) & 0xff
  const path = join(dir, `source-${size}`)
  writeFileSync(path, bytes)
  const fd = openSync(path, 'r')
  fds.push(fd)
  return {bytes, fd}
}

describe('pieces', () => {
  it('writes text, bytes (Buffer or Uint8Array) and file ranges (larger than the copy buffer too) in order', () => {
    const dir = folder()
    const big = source(dir, 9 * 1024 * 1024 + 123)
    // A plain Uint8Array too: bytes that crossed to another thread arrive as one.
    const pieces: Piece[] = [
      '{"a":',
      Buffer.from('[1,2]'),
      {fd: big.fd, start: 5, end: 5 + 9 * 1024 * 1024},
      'é',
      new TextEncoder().encode('ü!'),
      {fd: big.fd, start: 0, end: 0},
      {fd: big.fd, start: 100, end: 117},
    ]
    const expected = Buffer.concat([
      Buffer.from('{"a":'),
      Buffer.from('[1,2]'),
      big.bytes.subarray(5, 5 + 9 * 1024 * 1024),
      Buffer.from('é'),
      Buffer.from('ü!'),
      big.bytes.subarray(100, 117),
    ])
    writePieces(join(dir, 'out'), pieces)
    expect(readFileSync(join(dir, 'out')).equals(expected)).toBe(true)
    const chunks: Buffer[] = []
    eachChunk(pieces, (b) => chunks.push(Buffer.from(b)))
    expect(Buffer.concat(chunks).equals(expected)).toBe(true)
    expect(pieces.reduce((n, p) => n + pieceBytes(p), 0)).toBe(expected.length)
  })

  it('fails, naming the byte, when a range runs past the end of its file', () => {
    const dir = folder()
    const small = source(dir, 10)
    expect(() => eachChunk([{fd: small.fd, start: 4, end: 20}], () => {})).toThrow(
      /file ended at byte 10 of a range that ends at 20/,
    )
  })

  it('splices a list the same from file ranges as from its bytes', () => {
    const dir = folder()
    const text = '[{"k":"a"},{"k":"b"},{"k":"c"},{"k":"d"}]'
    const path = join(dir, 'list.json')
    writeFileSync(path, text)
    const fd = openSync(path, 'r')
    fds.push(fd)
    const layout = layoutOf(['a', 'b', 'c', 'd'], [9, 9, 9, 9])
    const args = [
      1,
      layout,
      new Set(['b']),
      [{key: 'bb', text: '{"k":"bb"}'}],
      (ins: {key: string}, kept: string) => ins.key < kept,
      ',',
    ] as const
    const fromBytes = spliceList(Buffer.from(text), ...args)
    const fromFile = spliceList({subarray: (start, end): FileRange => ({fd, start, end})}, ...args)
    expect(fromFile.layout).toEqual(fromBytes.layout)
    const joined = (pieces: readonly Piece[]) => {
      const out: Buffer[] = []
      eachChunk(pieces, (b) => out.push(Buffer.from(b)))
      return Buffer.concat(out).toString()
    }
    expect(joined(fromFile.pieces)).toBe(joined(fromBytes.pieces))
    expect(`[${joined(fromFile.pieces)}]`).toBe('[{"k":"a"},{"k":"bb"},{"k":"c"},{"k":"d"}]')
  })
})
