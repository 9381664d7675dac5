/**
 * What a benefit says about concerns, skin types, adjuncts and contraindications: each mention is
 * read in its sentence (relations.ts) as suits, caution or contraindicated, or flagged for an
 * editor when the text is unsure. Relations come out in order of first appearance, one per target
 * and kind, each with the sentence it was read from, so an editor can check it.
 */
import {stableKey} from '../lib/hash.ts'
import {readSentence, type Reading, type RelationKind} from './relations.ts'
import {cautionMember, linkMember, type CautionMember, type LinkMember} from './relationMembers.ts'
import {splitSentences, type Sentence} from './sentences.ts'
import type {TaxonomyType} from './taxonomy.ts'
import {matchTerms, type CompiledTerm, type TermMatch} from './terms.ts'
import {linesBefore} from './text.ts'
import type {TextLeaf} from './types.ts'

export type {RelationKind} from './relations.ts'

export interface Reference {
  _key: string
  _type: 'reference'
  _ref: string
}

export interface FoundLink {
  targetId: string
  targetType: TaxonomyType
  kind: RelationKind
  /** The words that matched, as written. */
  phrase: string
  line: number
  /** The sentence it was read from (trimmed, as written). */
  sentence: string
  /** What to do, when the sentence says (cautions only): "Pause retinol for 3 days". */
  advice?: string
}

/** A sentence whose cues are uncertain: nothing in it is linked positively; an editor decides. */
export interface FlaggedSentence {
  sentence: string
  line: number
  reason: string
  targetIds: string[]
}

export interface Unlinked {
  reason: 'nothing-linked' | 'title-unmatched' | 'emphasis-unmatched' | 'negated' | 'universal'
  phrase?: string
  targetId?: string
  line: number
  message: string
}

export interface LinkResult {
  links: FoundLink[]
  unlinked: Unlinked[]
  flagged: FlaggedSentence[]
}

export const reference = (id: string): Reference => ({
  _key: stableKey(id),
  _type: 'reference',
  _ref: id,
})

/** Claims of universal suitability name no particular type or tone, so they are reported, not linked. */
const UNIVERSAL =
  /\b(?:all|every|any)\s+skin\s+(?:types?|tones?)(?:\s+(?:and|or|&)\s+(?:types?|tones?))?\b|\ball\s+complexions\b/giu

export interface ReadMention {
  match: TermMatch
  reading: Reading
  sentence: Sentence
}

/** Every taxonomy mention in a block of text, read in its sentence. */
export function readMentions(text: string, terms: readonly CompiledTerm[]): ReadMention[] {
  const matches = matchTerms(text, terms)
  return splitSentences(text).flatMap((sentence) => {
    const inside = matches.filter((m) => m.start >= sentence.start && m.start < sentence.end)
    const readings = readSentence(
      text.slice(sentence.start, sentence.end),
      inside.map((m) => ({
        start: m.start - sentence.start,
        end: m.end - sentence.start,
        targetType: m.targetType,
      })),
    )
    return inside.map((match, i) => ({match, reading: readings[i]!, sentence}))
  })
}

interface Located extends ReadMention {
  line: number
  sentenceLine: number
  /** Which sentence of which block: mentions with the same key share a sentence. */
  at: string
}

/** Find relations in a benefit: `leaves[0]` is its title, the rest its body blocks. */
export function linkLeaves(
  leaves: readonly TextLeaf[],
  terms: readonly CompiledTerm[],
): LinkResult {
  const located: Located[] = leaves.flatMap((leaf, n) =>
    readMentions(leaf.text, terms).map((r) => {
      const raw = leaf.text.slice(r.sentence.start, r.sentence.end)
      const lead = raw.length - raw.trimStart().length
      return {
        ...r,
        line: leaf.line + linesBefore(leaf.text, r.match.start),
        sentenceLine: leaf.line + linesBefore(leaf.text, r.sentence.start + lead),
        at: `${n}:${r.sentence.start}`,
      }
    }),
  )
  const links = relationsOf(located)
  const flagged = flaggedOf(located)
  const unlinked: Unlinked[] = []
  const related = new Set([...links.map((l) => l.targetId), ...flagged.flatMap((f) => f.targetIds)])
  for (const m of located) {
    if (m.reading.effect === undefined || related.has(m.match.targetId)) continue
    related.add(m.match.targetId)
    unlinked.push({
      reason: 'negated',
      phrase: m.match.phrase,
      targetId: m.match.targetId,
      line: m.line,
      message: `"${m.match.phrase}" is named with "${m.reading.effect}" (an effect or an absence, not a relation); not linked to ${m.match.targetId}`,
    })
  }
  for (const leaf of leaves) {
    for (const u of leaf.text.matchAll(UNIVERSAL)) {
      const phrase = u[0].replace(/\s+/g, ' ')
      unlinked.push({
        reason: 'universal',
        phrase,
        line: leaf.line + linesBefore(leaf.text, u.index),
        message: `"${phrase}" names no particular skin type or tone; not linked`,
      })
    }
  }
  const [title, ...body] = leaves
  if (title && !located.some((m) => m.at.startsWith('0:') && m.reading.kind)) {
    unlinked.push({
      reason: 'title-unmatched',
      phrase: title.text,
      line: title.line,
      message: `title "${title.text}" names no concern, skin type or adjunct in the taxonomy`,
    })
  }
  for (const leaf of body) {
    for (const phrase of leaf.emphasis ?? []) {
      if (matchTerms(phrase, terms).length === 0) {
        unlinked.push({
          reason: 'emphasis-unmatched',
          phrase,
          line: leaf.line,
          message: `emphasised "${phrase}" matches no taxonomy entry`,
        })
      }
    }
  }
  if (links.length === 0)
    unlinked.push({
      reason: 'nothing-linked',
      line: title?.line ?? 1,
      message: 'links no concern, skin type or adjunct',
    })
  return {links, unlinked, flagged}
}

/**
 * One relation per target and kind, where it first appears (with the first advice given for it).
 * A sentence that cautions about a target gives it no `suits` as well.
 */
function relationsOf(located: readonly Located[]): FoundLink[] {
  const cautioned = new Set(
    located
      .filter((m) => m.reading.kind && m.reading.kind !== 'suits')
      .map((m) => `${m.at}|${m.match.targetId}`),
  )
  const links: FoundLink[] = []
  const index = new Map<string, number>()
  for (const m of located) {
    const {kind, advice} = m.reading
    if (!kind || (kind === 'suits' && cautioned.has(`${m.at}|${m.match.targetId}`))) continue
    const link: FoundLink = {
      targetId: m.match.targetId,
      targetType: m.match.targetType,
      kind,
      phrase: m.match.phrase,
      line: m.line,
      sentence: m.sentence.text,
      ...(advice ? {advice} : {}),
    }
    const key = `${kind}|${link.targetId}`
    const seen = index.get(key)
    if (seen === undefined) {
      index.set(key, links.length)
      links.push(link)
    } else if (advice && !links[seen]!.advice) links[seen] = link
  }
  return links
}

/** Sentences with flagged mentions, once each, with every reason and target. */
function flaggedOf(located: readonly Located[]): FlaggedSentence[] {
  const bySentence = new Map<string, FlaggedSentence>()
  for (const m of located) {
    if (!m.reading.flag) continue
    const entry = bySentence.get(m.at) ?? {
      sentence: m.sentence.text,
      line: m.sentenceLine,
      reason: '',
      targetIds: [],
    }
    const reason = `"${m.match.phrase}": ${m.reading.flag}`
    entry.reason = entry.reason ? `${entry.reason}; ${reason}` : reason
    if (!entry.targetIds.includes(m.match.targetId)) entry.targetIds.push(m.match.targetId)
    bySentence.set(m.at, entry)
  }
  return [...bySentence.values()]
}

/** The importer's relation fields: positive links per target type, and cautions apart from them. */
export function relationFields(links: readonly FoundLink[]): {
  concerns: LinkMember[]
  skinTypes: LinkMember[]
  serums: LinkMember[]
  cautions: CautionMember[]
} {
  const positive = (type: TaxonomyType) =>
    links
      .filter((l) => l.kind === 'suits' && l.targetType === type)
      .map((l) => linkMember(l.targetId, l.sentence))
  return {
    concerns: positive('concern'),
    skinTypes: positive('skinType'),
    serums: positive('serum'),
    cautions: links.flatMap((l) =>
      l.kind === 'suits'
        ? []
        : [cautionMember(l.kind, l.targetId, {source: l.sentence, advice: l.advice})],
    ),
  }
}
