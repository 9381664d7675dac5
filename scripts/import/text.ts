/** Small text helpers: slugs, titles from file names, first sentences. */
import {basename, extname} from 'node:path'

/** URL slug: ASCII lower case, words joined by `-`, at most 96 characters (the schema's maxLength). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 96)
    .replace(/-+$/, '')
}

const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'for',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'vs',
  'with',
])

/** "microneedling-benefits.txt" → "Microneedling Benefits" (title case, small words lower). */
export function titleFromFileName(file: string): string {
  const words = basename(file, extname(file))
    .split(/[-_\s.]+/)
    .filter(Boolean)
  return words
    .map((w, i) =>
      i > 0 && SMALL_WORDS.has(w.toLowerCase())
        ? w.toLowerCase()
        : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join(' ')
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
