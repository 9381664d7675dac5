/**
 * The incremental export's hashing thread: the SHA-256 of text, bytes and ranges of an open file
 * (read through the caller's descriptor), as node:crypto gives it here; a range past the end of
 * its file is an error naming the byte; the thread keeps answering after one, and stops on close.
 */
import {createHash} from 'node:crypto'
import {closeSync, openSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {startHasher, type Hasher} from '../../scripts/feeds/incremental/hasher.ts'
import type {Piece} from '../../scripts/feeds/pieces.ts'
import {tempDir} from './helpers.ts'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

describe('hashing thread', () => {
  it('hashes pieces as node:crypto does, reports a bad range, and stops on close', async () => {
    const {dir, cleanup} = tempDir('hasher-')
    cleanups.push(cleanup)
    const bytes = Buffer.alloc(9 * 1024 * 1024 + 7)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff
    writeFileSync(join(dir, 'old'), bytes)
    const fd = openSync(join(dir, 'old'), 'r')
    cleanups.push(() => closeSync(fd))
    const hasher: Hasher = startHasher()
    cleanups.push(() => hasher.close())

    const pieces: Piece[] = [
      '{"é":',
      Buffer.from([1, 2, 3]),
      {fd, start: 3, end: bytes.length},
      '}',
    ]
    const expected = createHash('sha256')
      .update('{"é":')
      .update(Buffer.from([1, 2, 3]))
      .update(bytes.subarray(3))
      .update('}')
      .digest('hex')
    expect(await hasher.sha256(pieces)).toBe(expected)
    await expect(hasher.sha256([{fd, start: 10, end: bytes.length + 5}])).rejects.toThrow(
      `file ended at byte ${bytes.length} of a range that ends at ${bytes.length + 5}`,
    )
    expect(await hasher.sha256([])).toBe(createHash('sha256').digest('hex'))
    await hasher.close()
    await expect(hasher.sha256(['x'])).rejects.toThrow(/stopped|terminated/)
  })
})
