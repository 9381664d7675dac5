/**
 * Editorial claim checks shared by the Studio (as a validation warning), the importer (as a report
 * line) and the exporter (an absolute claim needs a source). Health copy should qualify absolute
 * claims or cite a source for them; we import them as written and flag them so an editor decides.
 */
import {isValidCitation} from './citations.ts'

export interface ClaimRule {
  /** Stable id, used in reports and tests. */
  id: string
  pattern: RegExp
  /** Why an editor should look at it. */
  advice: string
}

export const CLAIM_RULES: readonly ClaimRule[] = [
  {
    id: 'erases',
    pattern: /\berase[sd]?\b|\beliminat(?:es|ed|e)\b|\bcures?\b/i,
    advice: 'absolute outcome claim; qualify it ("can reduce the appearance of")',
  },
  {
    id: 'all-skin-types',
    pattern:
      /\b(?:safe|suitable)\s+(?:for\s+)?all\s+skin\s+types\b|\ball\s+skin\s+types\s+and\s+tones\b/i,
    advice:
      'universal safety claim; name contraindications (active acne, keloid tendency, some Fitzpatrick types)',
  },
  {
    id: 'non-invasive',
    pattern: /\bnon-?\s?invasive\b/i,
    advice: 'needling pierces the epidermis; "minimally invasive" is the usual description',
  },
  {id: 'flawless', pattern: /\bflawless\b|\bairbrushed\b/i, advice: 'promises a perfect result'},
  {
    id: 'no-risk',
    pattern: /\b(?:minimal|no|zero)\s+risk\b|\brisk-free\b|\bno\s+side\s+effects\b/i,
    advice: 'risk statement without a source',
  },
  {
    id: 'guaranteed',
    pattern: /\bguarantee[sd]?\b|\bpermanent(?:ly)?\b/i,
    advice: 'guaranteed or permanent result',
  },
]

export interface ClaimFinding {
  rule: string
  match: string
  advice: string
}

/** Every absolute claim in a text, in order of appearance, each rule reported once. */
export function findClaims(text: string): ClaimFinding[] {
  const found: Array<ClaimFinding & {at: number}> = []
  for (const rule of CLAIM_RULES) {
    const m = rule.pattern.exec(text)
    if (m) found.push({rule: rule.id, match: m[0], advice: rule.advice, at: m.index})
  }
  return found.sort((a, b) => a.at - b.at).map(({at: _at, ...f}) => f)
}

/** Plain text of Portable Text blocks (spans only), for claim checks and summaries. */
export function blocksToPlainText(blocks: unknown): string {
  if (!Array.isArray(blocks)) return ''
  return blocks
    .map((b) =>
      b && typeof b === 'object' && Array.isArray((b as {children?: unknown}).children)
        ? (b as {children: Array<{text?: unknown}>}).children
            .map((c) => (typeof c.text === 'string' ? c.text : ''))
            .join('')
        : '',
    )
    .filter(Boolean)
    .join('\n\n')
}

/** A Studio validation message for the claims in a text, or true when there are none. */
export function claimsMessage(text: string): true | string {
  const claims = findClaims(text)
  if (claims.length === 0) return true
  return `Editorial review: ${claims.map((c) => `"${c.match}" (${c.advice})`).join('; ')}`
}

/**
 * The text of a benefit the claims lint reads — title, summary and body, the parts readers see —
 * so the Studio, the desk's "Claims flagged" list and the exporter judge the same words.
 */
export function claimText(doc: {title?: unknown; summary?: unknown; body?: unknown}): string {
  return [doc.title, doc.summary, blocksToPlainText(doc.body)]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('\n\n')
}

/**
 * The absolute claims in `text` (as written there) that no citation backs: every claim when there
 * is no complete citation (a title and one well-formed DOI, PubMed id or https URL; see
 * citations.ts), none when there is one.
 */
export function uncitedClaims(
  text: string,
  citations: readonly unknown[] | null | undefined,
): string[] {
  if (Array.isArray(citations) && citations.some(isValidCitation)) return []
  return findClaims(text).map((c) => c.match)
}
