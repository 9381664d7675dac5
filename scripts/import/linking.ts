/**
 * Which concerns, skin types and adjuncts a benefit names, and what it names that the taxonomy
 * cannot link (for the report). References come out in order of first appearance with
 * `_key = stableKey(target id)`, so re-imports produce identical arrays.
 */
import {stableKey} from '../lib/hash.ts'
import type {TaxonomyType} from './taxonomy.ts'
import {matchTerms, type CompiledTerm, type TermMatch} from './terms.ts'
import {linesBefore} from './text.ts'
import type {TextLeaf} from './types.ts'

export interface Reference {
  _key: string
  _type: 'reference'
  _ref: string
}

export interface FoundLink {
  targetId: string
  targetType: TaxonomyType
  /** The words that matched, as written. */
  phrase: string
  line: number
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
}

export const reference = (id: string): Reference => ({
  _key: stableKey(id),
  _type: 'reference',
  _ref: id,
})

/** Claims of universal suitability name no particular type or tone, so they are reported, not linked. */
const UNIVERSAL =
  /\b(?:all|every|any)\s+skin\s+(?:types?|tones?)(?:\s+(?:and|or|&)\s+(?:types?|tones?))?\b|\ball\s+complexions\b/giu

interface LocatedMatch extends TermMatch {
  line: number
}

/** Find links in a benefit: `leaves[0]` is its title, the rest its body blocks. */
export function linkLeaves(
  leaves: readonly TextLeaf[],
  terms: readonly CompiledTerm[],
): LinkResult {
  const located: LocatedMatch[] = leaves.flatMap((leaf) =>
    matchTerms(leaf.text, terms).map((m) => ({
      ...m,
      line: leaf.line + linesBefore(leaf.text, m.start),
    })),
  )
  const links: FoundLink[] = []
  const linked = new Set<string>()
  for (const m of located) {
    if (m.negated || linked.has(m.targetId)) continue
    linked.add(m.targetId)
    links.push({targetId: m.targetId, targetType: m.targetType, phrase: m.phrase, line: m.line})
  }
  const unlinked: Unlinked[] = []
  const reported = new Set<string>()
  for (const m of located) {
    if (!m.negated || linked.has(m.targetId) || reported.has(m.targetId)) continue
    reported.add(m.targetId)
    unlinked.push({
      reason: 'negated',
      phrase: m.phrase,
      targetId: m.targetId,
      line: m.line,
      message: `"${m.phrase}" appears in a ${m.negated} context; not linked to ${m.targetId}`,
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
  if (title && !matchTerms(title.text, terms).some((m) => !m.negated)) {
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
  return {links, unlinked}
}

/** Reference arrays per field, in order of first appearance. */
export function referencesByType(
  links: readonly FoundLink[],
): Record<'concerns' | 'skinTypes' | 'serums', Reference[]> {
  const of = (type: TaxonomyType) =>
    links.filter((l) => l.targetType === type).map((l) => reference(l.targetId))
  return {concerns: of('concern'), skinTypes: of('skinType'), serums: of('serum')}
}
