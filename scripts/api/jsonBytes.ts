/**
 * JSON with a size limit, decided before the text is built. A GROQ result can be small in memory
 * and huge as text (`*{"a": *}` repeats the whole dataset once per document), and
 * `JSON.stringify` has no limit of its own: past V8's longest string it throws "Invalid string
 * length", after seconds of work and gigabytes of memory.
 */

/**
 * A lower bound of the UTF-8 size of `JSON.stringify(value)`, counted without recursion; counting
 * stops as soon as it passes `max` (then the answer is just some number above `max`). A lower
 * bound, so a value is never refused for a size it does not have: strings count their UTF-16
 * length (UTF-8 never takes fewer bytes), other scalars their shortest form, commas not at all.
 */
export function jsonBytesAtLeast(value: unknown, max: number): number {
  let size = 0
  const stack: unknown[] = [value]
  while (stack.length > 0 && size <= max) {
    const v = stack.pop()
    if (typeof v === 'string') size += v.length + 2
    else if (typeof v === 'number') size += 1
    else if (v === null || typeof v === 'boolean') size += 4
    else if (Array.isArray(v)) {
      size += 2
      for (const item of v) {
        if (item === undefined) size += 4
        else stack.push(item)
      }
    } else if (typeof v === 'object') {
      size += 2
      for (const key in v) {
        const item = (v as Record<string, unknown>)[key]
        if (item === undefined || typeof item === 'function') continue
        size += key.length + 3
        stack.push(item)
      }
    }
  }
  return size
}

const encoder = new TextEncoder()

/**
 * `value` as JSON in UTF-8, or undefined when that would take more than `maxBytes`. The bytes own
 * their ArrayBuffer (TextEncoder allocates one per call), so it can be transferred to another
 * thread instead of copied.
 */
export function encodeJsonWithin(value: unknown, maxBytes: number): Uint8Array | undefined {
  if (jsonBytesAtLeast(value, maxBytes) > maxBytes) return undefined
  const text = JSON.stringify(value) ?? 'null'
  if (text.length > maxBytes) return undefined
  const bytes = encoder.encode(text)
  return bytes.byteLength > maxBytes ? undefined : bytes
}
