/**
 * Recognises a numbered section title in one line of plain text: `1. Title`, `1) Title`,
 * `8.. Title` (a typo the seed has), `1.Title`, `1: Title`. The title is kept exactly as written,
 * trimmed; the marker is returned so odd ones can be reported to the editor.
 */
export interface NumberedTitle {
  number: number
  title: string
  /** The marker as written, e.g. `.`, `)`, `..`. */
  marker: string
  /** `.` or `)` followed by a space: anything else gets an editorial warning. */
  wellFormed: boolean
}

// The title must start like a word ("3.5 million people" is not section 3) and carry a letter;
// it may start with a digit ("24-Hour Hydration") only after a space ("10.5x" is a number).
const NUMBERED = /^(\d{1,3})(\s*)([.)]{1,3}|:)(\s*)(["'“‘(\p{L}].*|(?<=\s)\d+[-\p{L}].*)$/u

/** Longest title we treat as a heading; longer numbered lines are sentences in a list. */
export const MAX_TITLE_LENGTH = 120

export function parseNumberedTitle(line: string): NumberedTitle | undefined {
  const m = NUMBERED.exec(line.trim())
  if (!m) return undefined
  const [, digits, spaceBefore, marker, spaceAfter, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  const title = rest.trim()
  if (!/\p{L}/u.test(title) || title.length > MAX_TITLE_LENGTH) return undefined
  const wellFormed = spaceBefore === '' && (marker === '.' || marker === ')') && spaceAfter !== ''
  return {number: Number(digits), title, marker, wellFormed}
}

/** A list-item first line is a title only if it reads like one (not a sentence ending in `:`/`,`). */
export function looksLikeTitle(text: string): boolean {
  const t = text.trim()
  return (
    t.length > 0 &&
    t.length <= MAX_TITLE_LENGTH &&
    /\p{L}/u.test(t) &&
    !/[:;,]$/.test(t) &&
    t.split(/\s+/).length <= 15
  )
}
