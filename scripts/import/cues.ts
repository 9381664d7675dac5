/**
 * Finding the cue lexicon's phrases in a sentence. Phrases match whole word tokens (so "not" never
 * matches inside "notice"), pseudo-cues ("not only") cancel the cues they overlap, and a cue inside
 * a longer one ("not" in "may not be ideal") gives way to it, as in NegEx.
 */
import {CUES, PSEUDO_CUES, type CueEntry} from './cueLexicon.ts'

export interface Token {
  /** Lower case, with ’ read as '. */
  word: string
  start: number
  end: number
  /** False for punctuation. */
  isWord: boolean
}

export interface Cue {
  entry: CueEntry
  /** Token range [start, end). */
  start: number
  end: number
  /** The cue's words as written. */
  text: string
}

const TOKEN =
  /[\p{L}\p{N}][\p{L}\p{N}'’]*(?:[-\u2010\u2011\u2013][\p{L}\p{N}][\p{L}\p{N}'’]*)*|[,;:()/\u2013\u2014]|(?<=\s)-(?=\s)/gu

/** Words (hyphenated compounds and "IV–VI" stay one word) and the punctuation that separates them. */
export function tokenize(text: string): Token[] {
  return [...text.matchAll(TOKEN)].map((m) => ({
    word: m[0].toLowerCase().replace(/’/g, "'"),
    start: m.index,
    end: m.index + m[0].length,
    isWord: /^[\p{L}\p{N}]/u.test(m[0]),
  }))
}

interface Element {
  words: ReadonlySet<string>
  optional: boolean
}

/** "not suitable|safe for?" → [{not}, {suitable, safe}, {for}?]; punctuation elements match punctuation tokens. */
export function compilePhrase(pattern: string): Element[] {
  return pattern
    .replace(/^,/, ', ')
    .split(/\s+/)
    .map((part) => ({
      words: new Set(part.replace(/\?$/, '').split('|')),
      optional: part.length > 1 && part.endsWith('?'),
    }))
}

/** End (exclusive) of the longest match of `phrase` at token `at`, or -1. */
function matchAt(phrase: readonly Element[], tokens: readonly Token[], at: number): number {
  const step = (e: number, t: number): number => {
    if (e === phrase.length) return t
    const el = phrase[e]!
    const here = t < tokens.length && el.words.has(tokens[t]!.word) ? step(e + 1, t + 1) : -1
    const skipped = el.optional ? step(e + 1, t) : -1
    return Math.max(here, skipped)
  }
  return step(0, at)
}

/** Every match of any of `phrases`, as token ranges. */
export function findPhrases(
  phrases: ReadonlyArray<readonly Element[]>,
  tokens: readonly Token[],
): Array<[number, number]> {
  const found: Array<[number, number]> = []
  for (let i = 0; i < tokens.length; i++)
    for (const p of phrases) {
      const end = matchAt(p, tokens, i)
      if (end > i) found.push([i, end])
    }
  return found
}

const COMPILED = CUES.map((entry) => ({entry, phrase: compilePhrase(entry.pattern)}))
const PSEUDO = PSEUDO_CUES.map(compilePhrase)

/** The cues of a sentence, in order: pseudo-cues removed, cues nested in longer cues removed. */
export function findCues(text: string, tokens: readonly Token[]): Cue[] {
  const pseudo = findPhrases(PSEUDO, tokens)
  const all: Cue[] = []
  for (let i = 0; i < tokens.length; i++) {
    for (const {entry, phrase} of COMPILED) {
      const end = matchAt(phrase, tokens, i)
      if (end <= i || pseudo.some(([s, e]) => s < end && i < e)) continue
      all.push({entry, start: i, end, text: text.slice(tokens[i]!.start, tokens[end - 1]!.end)})
    }
  }
  // A backward and a forward cue may share words ("higher risk of": who is at risk, and of what).
  const opposite = (a: Cue, b: Cue) =>
    (a.entry.direction === 'forward' && b.entry.direction === 'backward') ||
    (a.entry.direction === 'backward' && b.entry.direction === 'forward')
  const inside = (a: Cue, b: Cue) =>
    a !== b &&
    b.start <= a.start &&
    a.end <= b.end &&
    b.end - b.start > a.end - a.start &&
    !opposite(a, b)
  // Two entries matching the same words: the first in the lexicon reads them.
  const same = (a: Cue, b: Cue, i: number, j: number) =>
    j < i && a.start === b.start && a.end === b.end
  return all
    .filter((c, i) => !all.some((o, j) => inside(c, o) || same(c, o, i, j)))
    .sort((a, b) => a.start - b.start || a.end - b.end)
}
