/** JSON serialization for every JSON file the exporter writes. */

/** Characters written as \u escapes, with their escapes. */
const UNSAFE_IN_HTML: ReadonlyArray<[string, string]> = [
  ['<', '\\u003c'],
  ['>', '\\u003e'],
  ['&', '\\u0026'],
  ['\u2028', '\\u2028'],
  ['\u2029', '\\u2029'],
]

/**
 * JSON.stringify with `<`, `>`, `&`, U+2028 and U+2029 written as \u escapes. They can only occur
 * inside strings, so the result parses to the same value, but it can be pasted into a
 * `<script type="application/ld+json">` (or any HTML) without a `</script>` ending it early, and
 * no file ever holds a literal `<script`.
 */
export function safeJson(value: unknown, indent?: number): string {
  return htmlSafeJsonText(JSON.stringify(value, null, indent))
}

/** The escaping of safeJson applied to JSON text that is already serialized (or to part of it). */
export function htmlSafeJsonText(json: string): string {
  // One literal replaceAll per character: several times faster than a regex with a callback.
  for (const [c, escaped] of UNSAFE_IN_HTML)
    if (json.includes(c)) json = json.replaceAll(c, escaped)
  return json
}

/** A JSON file: pretty unless `compact`, always newline-terminated. */
export function jsonFile(value: unknown, opts: {compact?: boolean} = {}): string {
  return `${safeJson(value, opts.compact ? undefined : 2)}\n`
}

const LT = 0x3c
const GT = 0x3e
const AMP = 0x26
const E2 = 0xe2
const ESCAPE_OF: Record<number, string> = {
  [LT]: '\\u003c',
  [GT]: '\\u003e',
  [AMP]: '\\u0026',
  0xa8: '\\u2028',
  0xa9: '\\u2029',
}

/**
 * htmlSafeJsonText on UTF-8 bytes: copies `src` into `dst` at `at` with `<`, `>`, `&`, U+2028 and
 * U+2029 (E2 80 A8/A9) written as \u escapes; returns the bytes written. `dst` needs room for 6
 * bytes per special character. Same result as escaping the text before encoding it, without
 * making an escaped copy of the text first (the full export's web pages go through here).
 */
export function escapeJsonBytes(src: Buffer, dst: Buffer, at: number): number {
  let out = at
  let from = 0
  const next = (byte: number, pos: number) => src.indexOf(byte, pos)
  let lt = next(LT, 0)
  let gt = next(GT, 0)
  let amp = next(AMP, 0)
  let e2 = next(E2, 0)
  for (;;) {
    // Only E2 80 A8/A9 among E2 sequences is special: skip the others.
    while (e2 !== -1 && !(src[e2 + 1] === 0x80 && (src[e2 + 2] === 0xa8 || src[e2 + 2] === 0xa9)))
      e2 = next(E2, e2 + 1)
    let pos = -1
    for (const p of [lt, gt, amp, e2]) if (p !== -1 && (pos === -1 || p < pos)) pos = p
    if (pos === -1) break
    out += src.copy(dst, out, from, pos)
    const byte = src[pos]!
    const escape = byte === E2 ? ESCAPE_OF[src[pos + 2]!]! : ESCAPE_OF[byte]!
    out += dst.write(escape, out, 'latin1')
    if (byte === E2) {
      from = pos + 3
      e2 = next(E2, from)
    } else {
      from = pos + 1
      if (byte === LT) lt = next(LT, from)
      else if (byte === GT) gt = next(GT, from)
      else amp = next(AMP, from)
    }
  }
  out += src.copy(dst, out, from, src.length)
  return out - at
}

/** The UTF-16 length of a text given whole or in pieces (a bound for its UTF-8 size: × 3). */
export const textLength = (text: string | readonly string[]): number => {
  if (typeof text === 'string') return text.length
  let n = 0
  for (const piece of text) n += piece.length
  return n
}

/**
 * Encode a text, whole or in pieces, as UTF-8 into `dst` at `at`; returns the bytes written.
 * `dst` needs room for textLength(text) × 3 bytes. Pieces are encoded one by one, never joined.
 */
export function encodeUtf8(text: string | readonly string[], dst: Buffer, at: number): number {
  if (typeof text === 'string') return dst.write(text, at, 'utf8')
  let out = at
  for (const piece of text) out += dst.write(piece, out, 'utf8')
  return out - at
}
