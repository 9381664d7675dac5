/**
 * Editorial warnings: the content is imported as written, and the report tells an editor what to
 * look at — absolute claims (schemas/rules/claims.ts, the same rules the Studio shows), an article
 * contradicting itself, and adjuncts recommended without the caution the taxonomy records.
 */
import {findClaims} from '../../schemas/rules/claims.ts'
import type {FoundLink} from './linking.ts'
import type {TaxonomyDoc} from './taxonomy.ts'
import {linesBefore} from './text.ts'
import type {ImportWarning, TextLeaf} from './types.ts'

/** A piece of an article: which document and field it ends up in. */
export interface Segment {
  documentId: string
  /** Field in that document: `title`, `intro`, `body`. */
  path: string
  leaf: TextLeaf
}

export function claimWarnings(file: string, segments: readonly Segment[]): ImportWarning[] {
  return segments.flatMap(({documentId, path, leaf}) =>
    findClaims(leaf.text).map((c) => ({
      file,
      line: leaf.line + linesBefore(leaf.text, Math.max(0, leaf.text.indexOf(c.match))),
      documentId,
      path,
      level: 'warning' as const,
      rule: `claim:${c.rule}`,
      message: `"${c.match}": ${c.advice}`,
    })),
  )
}

interface Contradiction {
  id: string
  /** What the article should say… */
  expected: RegExp
  /** …and what contradicts it. */
  contradicting: RegExp
  advice: string
}

const CONTRADICTIONS: readonly Contradiction[] = [
  {
    id: 'invasive',
    expected: /\bminimally[\s-]+invasive\b/i,
    contradicting: /\bnon-?\s?invasive\b/i,
    advice: 'needles pierce the epidermis, so "minimally invasive" is the accurate description',
  },
]

/** The same article calling a treatment two incompatible things (e.g. minimally invasive vs non-invasive). */
export function contradictionWarnings(file: string, segments: readonly Segment[]): ImportWarning[] {
  const warnings: ImportWarning[] = []
  const locate = (re: RegExp) =>
    segments.flatMap((s) => {
      const m = re.exec(s.leaf.text)
      return m
        ? [{segment: s, match: m[0], line: s.leaf.line + linesBefore(s.leaf.text, m.index)}]
        : []
    })
  for (const c of CONTRADICTIONS) {
    const first = locate(c.expected)[0]
    if (!first) continue
    for (const hit of locate(c.contradicting)) {
      warnings.push({
        file,
        line: hit.line,
        documentId: hit.segment.documentId,
        path: hit.segment.path,
        level: 'warning',
        rule: `contradiction:${c.id}`,
        message: `"${hit.match}" contradicts "${first.match}" (line ${first.line}); ${c.advice}`,
      })
    }
  }
  return warnings
}

/** A benefit naming an adjunct whose taxonomy entry carries a caution (retinol, vitamin C right after needling). */
export function cautionWarnings(
  file: string,
  documentId: string,
  links: readonly FoundLink[],
  byId: ReadonlyMap<string, TaxonomyDoc>,
): ImportWarning[] {
  return links.flatMap((l) => {
    const doc = byId.get(l.targetId)
    const cautions = doc?.cautions
    if (l.targetType !== 'serum' || typeof cautions !== 'string' || !cautions.trim()) return []
    return [
      {
        file,
        line: l.line,
        documentId,
        path: 'serums',
        level: 'warning' as const,
        rule: 'adjunct-caution',
        message: `names ${doc!.title}; make sure the text carries its caution: ${cautions.trim()}`,
      },
    ]
  })
}
