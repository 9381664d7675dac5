/**
 * spliceList against the obvious way of doing the same (split every entry, filter, insert, join)
 * on seeded random lists: keys that are prefixes and suffixes of one another, non-ASCII text,
 * few and many dropped keys (searched for, or found by going through every key), keys to drop
 * that are not there, inserts anywhere.
 */
import {describe, expect, it} from 'vitest'
import {
  layoutOf,
  listBytes,
  spliceList,
  type Insert,
} from '../../scripts/feeds/incremental/splice.ts'
import {layoutKeys} from './helpers.ts'

/** mulberry32: the same lists on every run. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = ['a', 'b', 'é', '/', '.', '-']

function reference(
  entries: Array<{key: string; text: string}>,
  drop: ReadonlySet<string>,
  inserts: readonly Insert[],
  before: (i: Insert, k: string) => boolean,
) {
  const kept = entries.filter((e) => !drop.has(e.key))
  const out: Array<{key: string; text: string}> = []
  const slots = inserts.map((ins) => {
    const at = kept.findIndex((e) => before(ins, e.key))
    return at === -1 ? kept.length : at
  })
  kept.forEach((e, m) => {
    inserts.forEach((ins, i) => slots[i] === m && out.push(ins))
    out.push(e)
  })
  inserts.forEach((ins, i) => slots[i] === kept.length && out.push(ins))
  return {out, dropped: entries.filter((e) => drop.has(e.key)).map((e) => e.text)}
}

describe('spliceList', () => {
  it('gives the same list, layout and dropped entries as splitting, filtering and joining', () => {
    const rand = random(20240601)
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!
    const word = () =>
      Array.from({length: 1 + Math.floor(rand() * 4)}, () => pick(ALPHABET)).join('')
    let sameKeyRounds = 0
    for (let round = 0; round < 300; round++) {
      const keys = [...new Set(Array.from({length: Math.floor(rand() * 120)}, word))].sort()
      const entries = keys.map((key) => ({
        key,
        text: `{"k":${JSON.stringify(key)}${'x'.repeat(Math.floor(rand() * 5))}}`,
      }))
      const many = rand() < 0.3
      const drop = new Set(
        Array.from({length: Math.floor(rand() * (many ? 80 : 8))}, () =>
          rand() < 0.7 && keys.length ? pick(keys) : word(),
        ),
      )
      // New keys, or (an edit) dropped keys again, in their old place or (a renamed entry) another.
      const sortAs = new Map<Insert, string>()
      const edit = rand() < 0.4
      const inserts: Insert[] = edit
        ? keys
            .filter((k) => drop.has(k))
            .map((key) => {
              const ins = {key, text: `{"edited":${JSON.stringify(key)}}`}
              if (rand() < 0.2) sortAs.set(ins, word())
              return ins
            })
        : Array.from({length: Math.floor(rand() * 6)}, () => {
            const key = `${word()}+`
            return {key, text: `{"new":${JSON.stringify(key)}}`}
          })
      const before = (ins: Insert, kept: string) => (sortAs.get(ins) ?? ins.key) < kept
      const prefix = '[\n'
      const sep = rand() < 0.5 ? ',' : ',\n  '
      const file = Buffer.from(`${prefix}${entries.map((e) => e.text).join(sep)}]`)
      const layout = layoutOf(
        keys,
        entries.map((e) => Buffer.byteLength(e.text)),
      )
      const got = spliceList(file, Buffer.byteLength(prefix), layout, drop, inserts, before, sep)
      const want = reference(entries, drop, inserts, before)
      const text = (p: Buffer | string) => (typeof p === 'string' ? p : p.toString('utf8'))
      expect(got.pieces.map(text).join('')).toBe(want.out.map((e) => e.text).join(sep))
      expect(layoutKeys(got.layout)).toEqual(want.out.map((e) => e.key))
      expect([...got.layout.lengths]).toEqual(want.out.map((e) => Buffer.byteLength(e.text)))
      expect(got.bytes).toBe(Buffer.byteLength(want.out.map((e) => e.text).join(sep)))
      expect(got.bytes).toBe(listBytes(got.layout, sep))
      expect(got.dropped.map(text)).toEqual(want.dropped)
      // Keys that come out the same are the same text (not joined again: nothing to rewrite).
      if (edit && sortAs.size === 0) {
        expect(got.layout.keys).toBe(layout.keys)
        sameKeyRounds++
      }
    }
    expect(sameKeyRounds).toBeGreaterThan(50)
  })

  it('refuses a layout whose keys and lengths disagree, and keys with a newline', () => {
    const noop = () => false
    expect(() =>
      spliceList(
        Buffer.from(''),
        0,
        {keys: 'a\nb\n', lengths: new Uint32Array(3)},
        new Set(),
        [],
        noop,
        ',',
      ),
    ).toThrow(/3 lengths but 2 keys/)
    expect(() =>
      spliceList(
        Buffer.from(''),
        0,
        {keys: 'a\nb\nc', lengths: new Uint32Array(2)},
        new Set(),
        [],
        noop,
        ',',
      ),
    ).toThrow(/2 lengths but more keys/)
    expect(() => layoutOf(['a\nb'], [1])).toThrow(/holds a newline/)
    expect(() => layoutOf(['a'], [1, 2])).toThrow(/1 keys but 2 lengths/)
  })
})
