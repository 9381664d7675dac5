import {describe, expect, it} from 'vitest'
import {encodeJsonWithin, jsonBytesAtLeast} from '../../scripts/api/jsonBytes.ts'

const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

const VALUES: unknown[] = [
  null,
  true,
  12.5,
  'plain',
  'é and 😀 and "quotes" and \n',
  [],
  [1, undefined, null, 'x'],
  {a: 1, skipped: undefined, nested: {b: [true, {c: 'ü'}]}},
  Array.from({length: 50}, (_, i) => ({_id: `doc-${i}`, title: `Title ${i}`, n: i * 1000})),
]

describe('jsonBytesAtLeast', () => {
  it('never counts more than JSON.stringify writes', () => {
    for (const value of VALUES)
      expect(jsonBytesAtLeast(value, Infinity)).toBeLessThanOrEqual(utf8(value))
  })

  it('stops counting once past the limit: a value shared a million times is not walked through', () => {
    const doc = {title: 'x'.repeat(1000)}
    const shared = Array.from({length: 1_000_000}, () => doc)
    const counted = jsonBytesAtLeast(shared, 10_000)
    expect(counted).toBeGreaterThan(10_000)
    // Stopped within a few items of the limit, not after a billion bytes.
    expect(counted).toBeLessThan(20_000)
  })
})

describe('encodeJsonWithin', () => {
  it('is the UTF-8 of JSON.stringify within the limit, in a buffer of its own', () => {
    for (const value of VALUES) {
      const bytes = encodeJsonWithin(value, utf8(value))!
      expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(value))
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength)
    }
  })

  it('is undefined one byte past the limit, counting multi-byte characters as their bytes', () => {
    for (const value of VALUES) expect(encodeJsonWithin(value, utf8(value) - 1)).toBeUndefined()
    expect(encodeJsonWithin('ééé', 8)).toEqual(new TextEncoder().encode('"ééé"'))
    expect(encodeJsonWithin('ééé', 7)).toBeUndefined()
  })
})
