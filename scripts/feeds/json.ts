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
  let json = JSON.stringify(value, null, indent)
  // One literal replaceAll per character: several times faster than a regex with a callback.
  for (const [c, escaped] of UNSAFE_IN_HTML) if (json.includes(c)) json = json.replaceAll(c, escaped)
  return json
}

/** A JSON file: pretty unless `compact`, always newline-terminated. */
export function jsonFile(value: unknown, opts: {compact?: boolean} = {}): string {
  return `${safeJson(value, opts.compact ? undefined : 2)}\n`
}
