/**
 * Limits on a source before it reaches remark. The Markdown parser is fine on anything an editor
 * writes, but some inputs make it super-linear: 400 nested list levels take seconds and 3,000
 * never finish, 20,000 nested blockquotes overflow the stack, 20,000 unclosed `[` take seconds
 * per line. A listicle is a few kilobytes of shallow text (the sample: 6 KB; 400 long benefits:
 * 250 KB), so generous limits cost real sources nothing and turn every such input into a clear
 * error with its line instead of a hang or a crash. Pure.
 */
import type {Problem} from '../lib/errors.ts'

/** Largest source accepted, in bytes. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024
/** Longest line, in characters (a paragraph is usually one line). */
export const MAX_LINE_CHARS = 10_000
/** Deepest nesting of blockquotes and lists, and of `[` brackets inside a paragraph. */
export const MAX_NESTING = 16

/** Why the raw bytes are too big, if they are. */
export function sizeProblems(byteLength: number, file: string): Problem[] {
  if (byteLength <= MAX_SOURCE_BYTES) return []
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
  return [
    {
      file,
      line: 1,
      level: 'error',
      message: `file is ${mb(byteLength)}; sources of up to ${mb(MAX_SOURCE_BYTES)} are accepted (a listicle is a few kilobytes)`,
    },
  ]
}

/** Lines that are too long or nest too deep (one problem per kind and line, first 20 lines at most). */
export function shapeProblems(lines: readonly string[], file: string): Problem[] {
  const problems: Problem[] = []
  let brackets = 0
  for (let i = 0; i < lines.length && problems.length < 20; i++) {
    const text = lines[i]!
    const line = i + 1
    if (text.length > MAX_LINE_CHARS) {
      problems.push({
        file,
        line,
        level: 'error',
        message: `line is ${text.length} characters long; at most ${MAX_LINE_CHARS} are accepted (split the paragraph)`,
      })
      continue
    }
    const depth = containerDepth(text)
    if (depth > MAX_NESTING) {
      problems.push({
        file,
        line,
        level: 'error',
        message: `blockquotes/lists nested ${depth} levels deep; at most ${MAX_NESTING} are accepted`,
      })
      continue
    }
    if (text.trim() === '') {
      brackets = 0 // a paragraph ends: its brackets cannot pair with the next one's
      continue
    }
    let deepest = brackets
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k)
      if (c === 0x5c)
        k++ // `\[` is text, not a bracket
      else if (c === 0x5b) deepest = Math.max(deepest, ++brackets)
      else if (c === 0x5d && brackets > 0) brackets--
    }
    if (deepest > MAX_NESTING)
      problems.push({
        file,
        line,
        level: 'error',
        message: `[ brackets nested ${deepest} levels deep; at most ${MAX_NESTING} are accepted`,
      })
  }
  return problems
}

/**
 * Blockquote markers plus list levels at the start of a line: the indentation counts (two columns
 * per level) only before a list marker, so indented prose or code is never refused.
 */
function containerDepth(text: string): number {
  let quotes = 0
  let indent = 0
  let k = 0
  for (; k < text.length; k++) {
    const c = text[k]!
    if (c === '>') {
      quotes++
      indent = 0
    } else if (c === ' ') indent++
    else if (c === '\t') indent += 4
    else break
  }
  const listItem = /^(?:[-*+]|\d{1,9}[.)])(?:\s|$)/.test(text.slice(k))
  return quotes + (listItem ? Math.floor(indent / 2) : 0)
}
