/**
 * How deep documents may nest. Real content is shallow (Portable Text: about six levels of
 * objects and arrays), but a hostile NDJSON line or API request can nest 10,000 arrays deep, and
 * recursive code downstream (JSON.stringify with a replacer, the patch engine, GROQ, renderers)
 * overflows its stack on it — an internal error instead of a clear one. The store refuses such
 * input up front. Pure.
 */

/** Deepest nesting of objects and arrays accepted in a document or mutation. */
export const MAX_DEPTH = 100

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
