/**
 * How one sentence relates the taxonomy terms it names: a cue-and-scope reading after NegEx/ConText
 * (Chapman et al.), explained in scripts/import/README.md. A cue's scope runs forward (or back, for
 * post-triggers) over the terms it can reach, a coordinated list included, and stops at a clause
 * break ("but", ";"), a scope break ("because"), another cue or the sentence's end. Terms a cue
 * reaches take its meaning; terms in its clause that it does not reach, or that it reaches only
 * through a hedge, are flagged for an editor: a caution must never be read as "good for".
 */
import {
  ABSENCE_SUFFIXES,
  CLAUSE_BREAKS,
  CLAUSE_STARTERS,
  CONJUNCTIONS,
  GAP_WORDS,
  OTHER_TREATMENTS,
  REACH,
  SCOPE_BREAKS,
  TIME_BOUND,
} from './cueLexicon.ts'
import {compilePhrase, findCues, findPhrases, tokenize, type Cue, type Token} from './cues.ts'
import type {TaxonomyType} from './taxonomy.ts'

export type RelationKind = 'suits' | 'caution' | 'contraindicated'

/** A term's place in a sentence: [start, end) offsets of the words that name it. */
export interface Mention {
  start: number
  end: number
  targetType: TaxonomyType
}

export interface Reading {
  /** Absent when the sentence only names the term as an effect, or flags it. */
  kind?: RelationKind
  advice?: string
  /** Why an editor should check this mention; it is not linked positively. */
  flag?: string
  /**
   * The cue ("risk of", "-free") when the term is named as something the treatment may cause or
   * prevent, or as absent: not a relation.
   */
  effect?: string
  /** True when any cue reached the term (not a plain mention). */
  cued: boolean
}

const CLAUSE = CLAUSE_BREAKS.map(compilePhrase)
const SCOPE = SCOPE_BREAKS.map(compilePhrase)
const OTHER = OTHER_TREATMENTS.map(compilePhrase)
const GAP = new Set(GAP_WORDS)
const STARTERS = new Set(CLAUSE_STARTERS)
const JOINERS = new Set(CONJUNCTIONS)
const TIME = new Set(TIME_BOUND)
const MAX_ADVICE = 200
const ABSENT = new RegExp(
  `^[-\u2010\u2011](?:${ABSENCE_SUFFIXES.join('|')})(?![\\p{L}\\p{N}])`,
  'iu',
)

interface Sentence {
  text: string
  tokens: Token[]
  cues: Cue[]
  /** Each mention's token range [start, end). */
  spans: Array<[number, number]>
  /** Tokens that end an independent clause / only a scope. */
  clauseStop: boolean[]
  scopeStop: boolean[]
}

/** Read every mention of one sentence (`text`; mention offsets relative to it). */
export function readSentence(text: string, mentions: readonly Mention[]): Reading[] {
  const s = analyse(text, mentions)
  const relations = mentions.map(() => [] as Array<{kind: RelationKind; advice?: string}>)
  const flags = mentions.map(() => [] as string[])
  const effects = mentions.map(() => undefined as string | undefined)
  const inClauseOf = mentions.map(() => undefined as Cue | undefined)
  const cued = mentions.map((m, i) => {
    const absent = ABSENT.exec(text.slice(m.end))
    if (absent) effects[i] = absent[0]
    return Boolean(absent)
  })

  for (const cue of s.cues) {
    const scope = resolveScope(s, cue)
    if (!scope) continue
    const cls = cue.entry.class
    const [from, to] = bounds(s, cue, 'scope')
    const advice = cue.entry.advice ? adviceText(s, from, to) : undefined
    const timed = s.tokens.slice(from, to).some((t) => TIME.has(t.word))
    for (const i of scope.reached) {
      cued[i] = true
      if (cls === 'effect') effects[i] ??= cue.text
      else if (cls === 'uncertain') flags[i]!.push(`hedged cue "${cue.text}"`)
      else {
        // Avoiding an adjunct for a while ("for 3 days", "until healed") is a pause: a caution.
        const pause = mentions[i]!.targetType === 'serum' && timed
        relations[i]!.push({
          kind: cls === 'caution' || pause ? 'caution' : 'contraindicated',
          ...(advice ? {advice} : {}),
        })
      }
    }
    if (cls === 'effect') continue
    for (const i of scope.far) {
      cued[i] = true
      flags[i]!.push(`cue "${cue.text}" may not reach it`)
    }
    const [clauseFrom, clauseTo] = bounds(s, cue, 'clause')
    s.spans.forEach(([a, b], i) => {
      if (a >= clauseFrom && b <= clauseTo && !scope.reached.includes(i) && !scope.far.includes(i))
        inClauseOf[i] ??= cue
    })
  }

  return mentions.map((m, i) => {
    const rel = relations[i]!
    const strongest =
      rel.find((r) => r.kind === 'contraindicated') ?? rel.find((r) => r.kind === 'caution')
    const advice = strongest?.advice ?? rel.find((r) => r.advice)?.advice
    const flag =
      flags[i]!.join('; ') ||
      (inClauseOf[i] && !strongest && effects[i] === undefined
        ? `shares a clause with cue "${inClauseOf[i]!.text}" but is outside its scope`
        : undefined)
    const kind: RelationKind | undefined =
      strongest?.kind ??
      // Naming a contraindication is never a benefit: without a cue it is still a caution.
      (m.targetType === 'contraindication'
        ? 'caution'
        : flag || effects[i] !== undefined
          ? undefined
          : 'suits')
    return {
      ...(kind ? {kind} : {}),
      ...(kind && kind !== 'suits' && advice ? {advice} : {}),
      ...(flag && !strongest ? {flag} : {}),
      ...(effects[i] !== undefined && !strongest ? {effect: effects[i]} : {}),
      cued: cued[i]!,
    }
  })
}

function analyse(text: string, mentions: readonly Mention[]): Sentence {
  const tokens = tokenize(text)
  const spans = mentions.map((m): [number, number] => {
    const first = tokens.findIndex((t) => t.end > m.start)
    let last = first
    while (last + 1 < tokens.length && tokens[last + 1]!.start < m.end) last++
    return [first, last + 1]
  })
  const clauseStop = tokens.map(() => false)
  const scopeStop = tokens.map(() => false)
  for (const [a, b] of findPhrases(CLAUSE, tokens))
    for (let t = a; t < b; t++) clauseStop[t] = scopeStop[t] = true
  for (const [a, b] of findPhrases(SCOPE, tokens)) for (let t = a; t < b; t++) scopeStop[t] = true
  const cues = findCues(text, tokens)
  // ", and you can…", "…and avoid retinol": a joining word before a clause starter or a cue ends
  // the list and the clause; the cue starts its own.
  tokens.forEach((t, i) => {
    const next = tokens[i + 1]
    const cueNext = t.word !== ',' && cues.some((c) => c.start === i + 1)
    if (JOINERS.has(t.word) && next && (STARTERS.has(next.word) || cueNext))
      clauseStop[i] = scopeStop[i] = true
  })
  return {text, tokens, cues, spans, clauseStop, scopeStop}
}

/** Token range [from, to) of the clause (or the narrower scope clause) a cue stands in. */
function bounds(s: Sentence, cue: Cue, level: 'clause' | 'scope'): [number, number] {
  const stop = level === 'clause' ? s.clauseStop : s.scopeStop
  let from = cue.start
  while (from > 0 && !stop[from - 1]) from--
  let to = cue.end
  while (to < s.tokens.length && !stop[to]) to++
  return [from, to]
}

interface Scope {
  reached: number[]
  far: number[]
}

/** The mentions a cue reaches, by its direction; undefined when it is about another treatment. */
function resolveScope(s: Sentence, cue: Cue): Scope | undefined {
  const {direction} = cue.entry
  if (direction === 'backward') return walk(s, cue, -1)
  const ahead = walk(s, cue, 1)
  if (direction === 'forward' || ahead.reached.length > 0) return ahead
  // "…may not be ideal for harsher treatments": the cue's object is another treatment.
  const [, to] = bounds(s, cue, 'scope')
  const other = findPhrases(OTHER, s.tokens).some(([a]) => a >= cue.end && a < to)
  return other ? undefined : walk(s, cue, -1)
}

/**
 * Walk away from the cue until a scope break, another cue or the sentence's edge, reaching
 * mentions within REACH content words of the cue (then of the previous mention: a list).
 */
function walk(s: Sentence, cue: Cue, dir: 1 | -1): Scope {
  const scope: Scope = {reached: [], far: []}
  const inOtherCue = (t: number) => s.cues.some((c) => c !== cue && c.start <= t && t < c.end)
  let limit: number = REACH.first
  let gap = 0
  let far = false
  for (let t = dir === 1 ? cue.end : cue.start - 1; t >= 0 && t < s.tokens.length; t += dir) {
    if (s.scopeStop[t] || inOtherCue(t)) break
    const here = s.spans.flatMap(([a, b], i) => ((dir === 1 ? a : b - 1) === t ? [i] : []))
    if (here.length > 0) {
      if (far || gap > limit) {
        far = true
        scope.far.push(...here)
      } else scope.reached.push(...here)
      const [a, b] = s.spans[here[0]!]!
      t = dir === 1 ? Math.max(t, b - 1) : Math.min(t, a)
      limit = REACH.next
      gap = 0
      continue
    }
    const token = s.tokens[t]!
    if (token.isWord && !GAP.has(token.word) && !insideMention(s, t)) gap++
  }
  return scope
}

const insideMention = (s: Sentence, t: number) => s.spans.some(([a, b]) => a <= t && t < b)

/** The clause as an instruction: "Pause retinol for 3 days" (as written, capitalised, no end stop). */
function adviceText(s: Sentence, from: number, to: number): string | undefined {
  const first = s.tokens[from]
  const last = s.tokens[to - 1]
  if (!first || !last) return undefined
  let text = s.text
    .slice(first.start, last.end)
    .replace(/\s+/g, ' ')
    .replace(/[\s,;:–—-]+$/, '')
  if (text.length > MAX_ADVICE) {
    const cut = text.slice(0, MAX_ADVICE - 1)
    text = `${cut.slice(0, cut.lastIndexOf(' ')).replace(/[\s,;:]+$/, '')}…`
  }
  return text.charAt(0).toUpperCase() + text.slice(1)
}
