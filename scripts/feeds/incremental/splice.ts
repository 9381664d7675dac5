/**
 * Rewriting a long JSON list file (the app bundle's groups, the manifest's entries) after a few
 * entries changed, without rendering the other 100k again: the new file is the old file's bytes
 * for every run of unchanged entries, with the changed entries' new text in between. Pure: the
 * old bytes and the layout (each entry's key and byte length, in file order) come in, the pieces
 * of the new file and its layout go out.
 *
 * A layout is two flat values however long the list: its keys as one string and its lengths as
 * one typed array. At 100k entries, 100k key strings (split, hashed into a set, joined again)
 * cost ~100 ms of a one-document incremental export; a few keys are found by searching the
 * string instead.
 */

/** One list inside a file, in file order. */
export interface ListLayout {
  /** Every entry's key followed by a newline. */
  keys: string
  /** Every entry's byte length in the file, separators excluded. */
  lengths: Uint32Array
}

export interface Insert {
  key: string
  text: string
}

export interface SplicedList<P = Buffer> {
  /** Pieces of the new list, in order: old bytes (`old.subarray`'s) or new text. */
  pieces: Array<P | string>
  layout: ListLayout
  /** Byte length of the new list. */
  bytes: number
  /** The old bytes of each entry dropped, in file order. */
  dropped: P[]
}

/** A layout from its keys (no newline inside a key) and lengths, in file order. */
export function layoutOf(keys: readonly string[], lengths: readonly number[]): ListLayout {
  if (keys.length !== lengths.length)
    throw new RangeError(`layout: ${keys.length} keys but ${lengths.length} lengths`)
  const bad = keys.find((k) => k.includes('\n'))
  if (bad !== undefined) throw new RangeError(`layout: key ${JSON.stringify(bad)} holds a newline`)
  return {keys: keys.length ? `${keys.join('\n')}\n` : '', lengths: Uint32Array.from(lengths)}
}

/** Byte length of a list with this layout. */
export function listBytes(layout: ListLayout, separator: string): number {
  const {lengths} = layout
  let n = 0
  // Indexed, not for…of: these loops run once per export, mostly before V8 optimizes them.
  for (let i = 0; i < lengths.length; i++) n += lengths[i]!
  return n + Math.max(0, lengths.length - 1) * Buffer.byteLength(separator)
}

/** Where each key's newline is in `layout.keys`; a layout whose keys and lengths disagree is refused. */
function keyEnds(layout: ListLayout): Uint32Array {
  const n = layout.lengths.length
  const ends = new Uint32Array(n)
  let at = -1
  for (let i = 0; i < n; i++) {
    at = layout.keys.indexOf('\n', at + 1)
    if (at === -1) throw new RangeError(`layout: ${n} lengths but ${i} keys`)
    ends[i] = at
  }
  if (at + 1 !== layout.keys.length) throw new RangeError(`layout: ${n} lengths but more keys`)
  return ends
}

/** First index in a nondecreasing array whose value is greater than `v`. */
function upperBound(a: ArrayLike<number>, v: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (a[mid]! <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Up to this many keys are looked for by searching the keys' text; more, by going through every key. */
const SEARCHED_KEYS = 32

/** Indexes, in order, of the entries whose key is in `keys`. */
function indexesOf(layout: ListLayout, ends: Uint32Array, keys: ReadonlySet<string>): number[] {
  const text = layout.keys
  const found = new Set<number>()
  if (keys.size <= SEARCHED_KEYS) {
    for (const key of keys) {
      if (key.includes('\n')) continue
      const needle = `${key}\n`
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
        // A match is a key only where a key starts: at the beginning or after a newline.
        if (at === 0 || text.charCodeAt(at - 1) === 10)
          found.add(upperBound(ends, at + key.length - 1))
      }
    }
  } else {
    for (let i = 0, start = 0; i < ends.length; start = ends[i]! + 1, i++)
      if (keys.has(text.slice(start, ends[i]))) found.add(i)
  }
  return [...found].sort((a, b) => a - b)
}

/**
 * The list without the entries in `drop`, with `inserts` placed among the kept ones.
 * `before(insert, keptKey)` says whether an insert sorts before a kept entry: each insert goes
 * right before the first kept entry it sorts before (kept entries are in order, so that is a
 * binary search), inserts at the same place in `inserts` order.
 */
export function spliceList<P = Buffer>(
  /** The old file's bytes, or anything that stands for a range of them (pieces.ts FileRange). */
  old: {subarray(start: number, end: number): P},
  start: number,
  layout: ListLayout,
  drop: ReadonlySet<string>,
  inserts: readonly Insert[],
  before: (insert: Insert, keptKey: string) => boolean,
  separator: string,
): SplicedList<P> {
  const sep = Buffer.byteLength(separator)
  const {lengths} = layout
  const n = lengths.length
  const ends = keyEnds(layout)
  const keyStart = (i: number) => (i === 0 ? 0 : ends[i - 1]! + 1)
  const keyAt = (i: number) => layout.keys.slice(keyStart(i), ends[i])
  const dropped = indexesOf(layout, ends, drop)
  // The m-th kept entry is entry m + (the number of j with dropped[j] - j <= m).
  const shifts = dropped.map((d, j) => d - j)
  const keptAt = (m: number) => m + upperBound(shifts, m)
  const kept = n - dropped.length
  // Where each insert goes: the number of kept entries before it.
  const slots = inserts.map((insert) => {
    let lo = 0
    let hi = kept
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const i = keptAt(mid)
      if (before(insert, keyAt(i))) hi = mid
      else lo = mid + 1
    }
    return lo
  })
  const order = inserts.map((_, i) => i).sort((a, b) => slots[a]! - slots[b]! || a - b)
  // The new keys are the old ones when each insert takes the place of the entry dropped there
  // under the same key (an edit): then the keys' text is neither joined again nor rewritten.
  const sameKeys =
    dropped.length === inserts.length &&
    order.every((i, j) => slots[i] === dropped[j]! - j && inserts[i]!.key === keyAt(dropped[j]!))
  // Byte offset of an entry in the old file, asked for in increasing order of entries.
  let offsetIndex = 0
  let offsetAt = start
  const offsetOf = (i: number) => {
    for (; offsetIndex < i; offsetIndex++) offsetAt += lengths[offsetIndex]! + sep
    return offsetAt
  }

  const pieces: Array<P | string> = []
  const keys: string[] = []
  const removed: P[] = []
  const newLengths = new Uint32Array(kept + inserts.length)
  let count = 0
  const emitSeparator = () => {
    if (count > 0) pieces.push(separator)
  }
  // Copy the kept entries [pos, limit) as runs of contiguous old bytes, passing over dropped ones.
  let pos = 0
  let next = 0
  const copyUntil = (limit: number) => {
    while (pos < limit) {
      while (next < dropped.length && dropped[next]! < pos) next++
      const stop = Math.min(limit, next < dropped.length ? dropped[next]! : n)
      if (stop === pos) {
        removed.push(old.subarray(offsetOf(pos), offsetOf(pos) + lengths[pos]!))
        pos++
        continue
      }
      emitSeparator()
      pieces.push(old.subarray(offsetOf(pos), offsetOf(stop - 1) + lengths[stop - 1]!))
      if (!sameKeys) keys.push(layout.keys.slice(keyStart(pos), ends[stop - 1]! + 1))
      newLengths.set(lengths.subarray(pos, stop), count)
      count += stop - pos
      pos = stop
    }
  }
  for (const i of order) {
    copyUntil(slots[i]! < kept ? keptAt(slots[i]!) : n)
    const insert = inserts[i]!
    if (insert.key.includes('\n'))
      throw new RangeError(`layout: key ${JSON.stringify(insert.key)} holds a newline`)
    emitSeparator()
    pieces.push(insert.text)
    if (!sameKeys) keys.push(`${insert.key}\n`)
    newLengths[count++] = Buffer.byteLength(insert.text)
  }
  copyUntil(n)
  const result: ListLayout = {keys: sameKeys ? layout.keys : keys.join(''), lengths: newLengths}
  return {pieces, layout: result, bytes: listBytes(result, separator), dropped: removed}
}
