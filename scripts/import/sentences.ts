/**
 * Sentences of a text block, with offsets. A sentence ends at `.`, `!` or `?` (and closing quotes
 * or brackets) before a capital letter or a digit, as in firstSentence (text.ts); "e.g." and
 * similar abbreviations do not end one.
 */
export interface Sentence {
  /** As written, trimmed, with runs of whitespace (the source's line breaks) as one space. */
  text: string
  /** Offsets of the untrimmed slice in the block. */
  start: number
  end: number
}

const END = /[.!?]+["”’)]*(?=\s+["“‘(]?[\p{Lu}\d])/gu
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|approx|dr|mr|mrs|ms|prof|st|no)\.$/i

export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = []
  let start = 0
  for (const m of text.matchAll(END)) {
    const end = m.index + m[0].length
    if (ABBREVIATION.test(text.slice(Math.max(0, end - 8), end))) continue
    push(out, text, start, end)
    start = end
  }
  push(out, text, start, text.length)
  return out
}

function push(out: Sentence[], text: string, start: number, end: number) {
  const slice = text.slice(start, end)
  const clean = slice.replace(/\s+/g, ' ').trim()
  if (clean) out.push({text: clean, start, end})
}
