/** Small text helpers: slugs, titles, first sentences. */

// Shared with the Studio (browser code: no node:path there), re-exported for the importer's modules.
export {slugify} from '../../schemas/rules/slug.ts'
export {titleFromFileName} from '../../schemas/rules/titles.ts'

/** A title line has at most this many words… */
export const MAX_TITLE_LINE_WORDS = 12
/** …and characters: headlines run 6–12 words; a longer first line is the intro's first sentence. */
export const MAX_TITLE_LINE_LENGTH = 100

/** Lines that label a part of the text, not the article. */
const SECTION_LABELS = new Set(['intro', 'introduction', 'overview', 'summary', 'contents'])

/**
 * Whether a first line, standing alone, reads as a title rather than the intro's first sentence:
 * short (MAX_TITLE_LINE_WORDS, MAX_TITLE_LINE_LENGTH), starting with a capital or a digit, and not
 * ending like a sentence or a lead-in (`.`, `,`, `;`, `:`, `…`; closing quotes and brackets are
 * looked through). `?` and `!` may end a title ("Is Microneedling Worth It?"). Section labels
 * ("Introduction") are not titles.
 */
export function isTitleLine(text: string): boolean {
  const t = text.replace(/\s+/g, ' ').trim()
  return (
    t.length <= MAX_TITLE_LINE_LENGTH &&
    t.split(' ').length <= MAX_TITLE_LINE_WORDS &&
    /^["'“‘(]?[\p{Lu}\d]/u.test(t) &&
    /\p{L}/u.test(t) &&
    !/[.,;:…]$/.test(t.replace(/["'”’)\]]+$/, '')) &&
    !SECTION_LABELS.has(t.toLowerCase())
  )
}

/** Longest summary we store; the schema warns above 300 characters. */
export const MAX_SUMMARY = 300

/**
 * The first sentence of a text (whitespace collapsed), for summaries. A sentence ends at `.`, `!`
 * or `?` followed by a capital, a digit or the end; capped at MAX_SUMMARY on a word boundary.
 */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const m = /^.*?[.!?]["”’)]?(?=\s+["“‘(]?[\p{Lu}\d]|$)/u.exec(flat)
  const sentence = m ? m[0] : flat
  if (sentence.length <= MAX_SUMMARY) return sentence
  const cut = sentence.slice(0, MAX_SUMMARY - 1)
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[\s,;:]+$/, '')}…`
}

/** 0-based count of newlines before `index`: the line offset of a position inside a multi-line text. */
export function linesBefore(text: string, index: number): number {
  let n = 0
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) n++
  return n
}
