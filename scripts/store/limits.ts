/**
 * How deep and how large documents may be. Real content is shallow (Portable Text: about six
 * levels of objects and arrays) and small (a long article is a few hundred kB), but a hostile
 * NDJSON line or API request can nest 10,000 arrays deep, and a 70-byte patch can grow a document
 * to hundreds of MB: recursive code downstream (JSON.stringify with a replacer, the patch engine,
 * GROQ, renderers) overflows its stack on the one, and every write and read of the other blocks
 * the process for seconds. The store refuses such input up front. Pure.
 */

/** Deepest nesting of objects and arrays accepted in a document or mutation. */
export const MAX_DEPTH = 100

/**
 * Largest document, as the JSON the store writes, in bytes: Content Lake's "Maximum JSON document
 * size: 32 MB" (SI units, sanity.io/docs/content-lake/technical-limits).
 */
export const MAX_DOCUMENT_BYTES = 32_000_000

/**
 * Longest JSONMatch path a patch may use, in characters: room for MAX_DEPTH levels of 100-character
 * keys, while reading a path (the patch engine and the index check both do) stays a matter of
 * microseconds. A 3 MB path took seconds.
 */
export const MAX_PATH_LENGTH = 10_000

/** True when `value` nests objects/arrays more than `max` levels deep (checked without recursion). */
export function nestsDeeperThan(value: unknown, max: number = MAX_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth + 1 > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/**
 * True when `JSON.stringify(value)` would take more than `max` UTF-8 bytes. Counted without
 * building the string, and the count stops as soon as it passes `max`: a patch that sets one
 * 1 MB string into 10,000 array slots shares the string in memory, and stringifying it to find
 * out would build a 10 GB string. Iterative, like nestsDeeperThan.
 */
export function jsonLargerThan(value: unknown, max: number = MAX_DOCUMENT_BYTES): boolean {
  let bytes = 0
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const v = pending.pop()
    if (Array.isArray(v)) {
      bytes += 2 + Math.max(0, v.length - 1)
      // Every item takes at least a byte: a long (or sparse) array is refused before it is walked.
      if (bytes + v.length > max) return true
      // Holes and undefined items are written as null (4 bytes, like null itself).
      for (let i = 0; i < v.length; i++) pending.push(v[i])
    } else if (v !== null && typeof v === 'object') {
      let members = 0
      for (const [key, child] of Object.entries(v)) {
        if (child === undefined || typeof child === 'function' || typeof child === 'symbol')
          continue
        bytes += Buffer.byteLength(JSON.stringify(key)) + 1
        members++
        pending.push(child)
      }
      bytes += 2 + Math.max(0, members - 1)
    } else {
      bytes += scalarBytes(v)
    }
    if (bytes > max) return true
  }
  return false
}

function scalarBytes(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return Buffer.byteLength(JSON.stringify(v))
    case 'number':
      return Number.isFinite(v) ? String(v).length : 4
    case 'boolean':
      return v ? 4 : 5
    default:
      // null, and what JSON.stringify writes as null in an array (undefined, a hole)
      return 4
  }
}
