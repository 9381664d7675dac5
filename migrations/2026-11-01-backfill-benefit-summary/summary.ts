/**
 * A summary from Portable Text: the first sentence of the first plain paragraph — the importer's
 * rule, plus not stopping at "Dr." and the like. Kept inside the migration folder (not imported
 * from the importer) so the migration stays what it was when it ran, whatever the importer later
 * becomes; a test checks the two still agree on the seed.
 */

/** The schema warns above 300 characters. */
export const MAX_SUMMARY = 300

interface Span {
  _type?: string
  text?: unknown
}
interface Block {
  _type?: string
  style?: string
  listItem?: string
  children?: Span[]
}

const blockText = (block: Block): string =>
  (block.children ?? [])
    .map((c) => (c._type === 'span' && typeof c.text === 'string' ? c.text : ''))
    .join('')

/** Titles and Latin abbreviations whose full stop does not end a sentence ("Dr. Lee says…"). */
const ABBREVIATION = /(?:^|[\s(])(?:dr|prof|mr|mrs|ms|st|vs|e\.g|i\.e|approx|ca)\.$/i

/** The first sentence of a text (whitespace collapsed), cut at MAX_SUMMARY on a word boundary. */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  // A sentence ends at . ! or ? (maybe closed by a quote or bracket) before a capital, a digit or the end.
  let sentence = flat
  for (const m of flat.matchAll(/[.!?]["”’)]?(?=\s+["“‘(]?[\p{Lu}\d]|$)/gu)) {
    const candidate = flat.slice(0, m.index + m[0].length)
    if (m[0] === '.' && ABBREVIATION.test(candidate)) continue
    sentence = candidate
    break
  }
  if (sentence.length <= MAX_SUMMARY) return sentence
  const cut = sentence.slice(0, MAX_SUMMARY - 1)
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[\s,;:]+$/, '')}…`
}

/**
 * The summary a body implies, or undefined when it has no text. Like the importer: the first plain
 * paragraph (normal style, not a list item), else the first text block of any kind.
 */
export function summaryFromBody(body: unknown): string | undefined {
  if (!Array.isArray(body)) return undefined
  const blocks = (body as Block[]).filter(
    (b) => b && b._type === 'block' && blockText(b).trim() !== '',
  )
  const first = blocks.find((b) => (b.style ?? 'normal') === 'normal' && !b.listItem) ?? blocks[0]
  return first ? firstSentence(blockText(first)) : undefined
}
