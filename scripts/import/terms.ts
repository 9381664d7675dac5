/**
 * Finding taxonomy phrases in text: whole words, any case, hyphen/space variants ("acne-prone" =
 * "acne prone"), simple plurals, and shared heads of coordinated adjectives ("thin or sensitive
 * skin" mentions thin skin; "large, congested pores" mentions large pores). When phrases overlap,
 * the longer one wins ("acne scars" is not also "scars"), and a phrase that would split a
 * hyphenated word gives way to one that does not ("active acne-prone" is acne-prone, not active
 * acne). Matching only finds mentions: what a sentence says about them is relations.ts's job.
 */
import type {TaxonomyDoc, TaxonomyType} from './taxonomy.ts'

export interface CompiledTerm {
  targetId: string
  targetType: TaxonomyType
  /** The title or synonym this pattern was built from. */
  term: string
  patterns: RegExp[]
}

export interface TermMatch {
  targetId: string
  targetType: TaxonomyType
  term: string
  /** Offsets of the words that name the entry (for overlap decisions). */
  start: number
  end: number
  /** The words as written, including a coordinated head ("thin or sensitive skin"). */
  phrase: string
}

const DASH = '[-\\u2010\\u2011\\u2013\\u2014]'
const SEP = `(?:\\s*${DASH}\\s*|\\s+)`
const BEFORE = '(?<![\\p{L}\\p{N}])'
const AFTER = '(?![\\p{L}\\p{N}])'
const WORD = "[\\p{L}][\\p{L}\\p{N}'\\u2019-]*"
const CONJ = '(?:\\s*,\\s*(?:(?:and|or)\\s+)?|\\s+(?:and/or|and|or)\\s+|\\s*/\\s*)'
const CONJUNCT = `(?:${WORD}\\s+)?${WORD}`

const escape = (s: string) =>
  s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/['\u2019]/g, "['\\u2019]")

/** The last word may be singular or plural: "stretch mark(s)", "complexion(s)", "laxit(y|ies)". */
function pluralTolerant(original: string, multiWord: boolean): string {
  // Acronyms (PRP), numerals (III) and short words are matched exactly.
  if (/^[A-Z0-9]+$/.test(original) || !/^[a-z]{3,}$/i.test(original)) return escape(original)
  const word = original.toLowerCase()
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}(?:y|ies)`
  if (word.endsWith('ss')) return `${word}(?:es)?`
  // "acne scars" also finds "acne scar"; a single plural word ("pores", "scars") stays exact so
  // "scar tissue" is not "scars".
  if (word.endsWith('s')) return multiWord ? `${word.slice(0, -1)}s?` : word
  return `${word}(?:e?s)?`
}

export function compileTerms(docs: readonly TaxonomyDoc[]): CompiledTerm[] {
  const compiled: CompiledTerm[] = []
  for (const doc of docs) {
    const terms = [doc.title, ...(doc.synonyms ?? [])]
    const seen = new Set<string>()
    for (const term of terms) {
      const key = term.trim().toLowerCase()
      if (!key || seen.has(key)) continue
      seen.add(key)
      compiled.push({targetId: doc._id, targetType: doc._type, term, patterns: termPatterns(term)})
    }
  }
  return compiled
}

export function termPatterns(term: string): RegExp[] {
  const words = term
    .trim()
    .split(new RegExp(`\\s+|${DASH}`, 'u'))
    .filter(Boolean)
  const last = words.length - 1
  const parts = words.map((w, i) => (i === last ? pluralTolerant(w, words.length > 1) : escape(w)))
  const patterns = [new RegExp(`${BEFORE}${parts.join(SEP)}${AFTER}`, 'giu')]
  if (words.length === 2) {
    // "thin or sensitive skin", "large, congested pores", "aging and active acne-prone complexions":
    // the first word, followed by up to three coordinated modifiers sharing the head noun.
    patterns.push(
      new RegExp(
        `${BEFORE}${parts[0]}${AFTER}(?=((?:${CONJ}${CONJUNCT}){1,3}\\s+${parts[1]}${AFTER}))`,
        'giu',
      ),
    )
  }
  return patterns
}

/** True when [start, end) cuts a hyphenated word: "active acne" in "active acne-prone". */
function splitsWord(text: string, start: number, end: number): boolean {
  const joined = /^[-\u2010\u2011][\p{L}\p{N}]/u
  return (
    joined.test(text.slice(end, end + 2)) ||
    /[\p{L}\p{N}][-\u2010\u2011]$/u.test(text.slice(Math.max(0, start - 2), start))
  )
}

/** Every taxonomy phrase in `text`, longest-wins, in order of appearance. */
export function matchTerms(text: string, terms: readonly CompiledTerm[]): TermMatch[] {
  const all: TermMatch[] = []
  for (const t of terms) {
    for (const re of t.patterns) {
      re.lastIndex = 0
      for (const m of text.matchAll(re)) {
        const start = m.index
        const end = start + m[0].length
        const phrase = text.slice(start, end + (m[1]?.length ?? 0)).replace(/\s+/g, ' ')
        all.push({targetId: t.targetId, targetType: t.targetType, term: t.term, start, end, phrase})
      }
    }
  }
  // Longest first, so "acne scars" claims its words before "scars" can.
  all.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
  const accepted: TermMatch[] = []
  for (const m of all) {
    const inside = accepted.some(
      (a) =>
        a.start <= m.start &&
        m.end <= a.end &&
        (a.end - a.start > m.end - m.start || a.targetId === m.targetId),
    )
    if (inside) continue
    // Two entries' phrases crossing: the one that keeps hyphenated words whole names the words.
    const crossing = accepted.filter(
      (a) => a.targetId !== m.targetId && a.start < m.end && m.start < a.end,
    )
    const splits = (x: TermMatch) => splitsWord(text, x.start, x.end)
    if (splits(m) && crossing.some((a) => !splits(a))) continue
    if (!splits(m)) for (const a of crossing.filter(splits)) accepted.splice(accepted.indexOf(a), 1)
    // Overlapping phrases for the same entry ("active acne" + "acne-prone") are one mention.
    const same = accepted.find(
      (a) => a.targetId === m.targetId && a.start < m.end && m.start < a.end,
    )
    if (same) {
      const start = Math.min(same.start, m.start)
      const end = Math.max(same.end, m.end)
      Object.assign(same, {start, end, phrase: text.slice(start, end).replace(/\s+/g, ' ')})
    } else accepted.push({...m})
  }
  return accepted.sort((a, b) => a.start - b.start || a.targetId.localeCompare(b.targetId))
}
