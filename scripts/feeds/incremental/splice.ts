/**
 * Rewriting a long JSON list file (the app bundle's groups, the manifest's entries) after a few
 * entries changed, without rendering the other 100k again: the new file is the old file's bytes
 * for every run of unchanged entries, with the changed entries' new text in between. Pure: the
 * old bytes and the layout (each entry's key and byte length, in file order) come in, the pieces
 * of the new file and its layout go out.
 */

/** One list inside a file, in file order: entry keys and byte lengths (separators excluded). */
export interface ListLayout {
  keys: string[]
  lengths: number[]
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
}

/** Byte length of a list with this layout. */
export function listBytes(layout: ListLayout, separator: string): number {
  let n = 0
  for (const l of layout.lengths) n += l
  return n + Math.max(0, layout.lengths.length - 1) * Buffer.byteLength(separator)
}

/**
 * The list without the entries in `drop`, with `inserts` placed among the kept ones.
 * `before(insert, keptKey)` says whether an insert sorts before a kept entry: each insert goes
 * right before the first kept entry it sorts before (kept entries are in order, so that is a
 * binary search), inserts at the same place in `inserts` order.
 */
export function spliceList<P = Buffer>(
  /** The old file's bytes, or anything that stands for a range of them (write.ts FileRange). */
  old: {subarray(start: number, end: number): P},
  start: number,
  layout: ListLayout,
  drop: ReadonlySet<string>,
  inserts: readonly Insert[],
  before: (insert: Insert, keptKey: string) => boolean,
  separator: string,
): SplicedList<P> {
  const sep = Buffer.byteLength(separator)
  // Kept entries with their old offsets.
  const keptIndex: number[] = []
  const offsets = new Array<number>(layout.keys.length)
  let at = start
  for (let i = 0; i < layout.keys.length; i++) {
    offsets[i] = at
    at += layout.lengths[i]! + sep
    if (!drop.has(layout.keys[i]!)) keptIndex.push(i)
  }
  // Where each insert goes: the number of kept entries before it.
  const slots = inserts.map((insert) => {
    let lo = 0
    let hi = keptIndex.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (before(insert, layout.keys[keptIndex[mid]!]!)) hi = mid
      else lo = mid + 1
    }
    return lo
  })
  const order = inserts.map((_, i) => i).sort((a, b) => slots[a]! - slots[b]! || a - b)

  const pieces: Array<P | string> = []
  const keys: string[] = []
  const lengths: number[] = []
  let first = true
  const emitSeparator = () => {
    if (!first) pieces.push(separator)
    first = false
  }
  // Copy kept entries [from, to) of keptIndex as runs of contiguous old bytes.
  const copyKept = (from: number, to: number) => {
    let i = from
    while (i < to) {
      let j = i
      while (j + 1 < to && keptIndex[j + 1] === keptIndex[j]! + 1) j++
      const a = keptIndex[i]!
      const b = keptIndex[j]!
      emitSeparator()
      pieces.push(old.subarray(offsets[a]!, offsets[b]! + layout.lengths[b]!))
      for (let k = a; k <= b; k++) {
        keys.push(layout.keys[k]!)
        lengths.push(layout.lengths[k]!)
      }
      i = j + 1
    }
  }
  let keptDone = 0
  for (const i of order) {
    copyKept(keptDone, slots[i]!)
    keptDone = slots[i]!
    const insert = inserts[i]!
    emitSeparator()
    pieces.push(insert.text)
    keys.push(insert.key)
    lengths.push(Buffer.byteLength(insert.text))
  }
  copyKept(keptDone, keptIndex.length)
  const result: ListLayout = {keys, lengths}
  return {pieces, layout: result, bytes: listBytes(result, separator)}
}
