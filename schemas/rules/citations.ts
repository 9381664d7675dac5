/**
 * What counts as a citation: a title and exactly one identifier a reader can follow — a DOI, a
 * PubMed id or an https URL — each in its own format. The Studio shows the messages; the claims
 * lint and the exporter count a claim as cited only when one such citation exists, so a half-filled
 * citation never lets an absolute claim pass as sourced. No Studio imports: Node scripts use it too.
 */
import {isSafeUrl} from './urls.ts'

export const CITATION_IDENTIFIERS = ['doi', 'pmid', 'url'] as const
export type CitationIdentifier = (typeof CITATION_IDENTIFIERS)[number]

/**
 * DOI syntax (DOI Handbook 2.2, ISO 26324): the directory indicator "10", ".", a registrant code of
 * digits (4–9 in practice, optionally with "."-separated sub-codes), "/", then a suffix of any
 * printable characters. Written bare: a resolver link or "doi:" is not the DOI.
 */
const DOI = /^10\.\d{4,9}(?:\.\d+)*\/[^\s\p{Cc}]+$/u

/** A PubMed id (PMID): a positive whole number, written as digits only. */
const PMID = /^[1-9]\d{0,8}$/

const isHttpsUrl = (value: string) => {
  // The shared link rule first (it refuses javascript:, data: and the like however disguised),
  // then a source must be an absolute https address: no http, mailto or relative link.
  if (!isSafeUrl(value) || /[\s\p{Cc}]/u.test(value) || !URL.canParse(value)) return false
  const url = new URL(value)
  return url.protocol === 'https:' && url.hostname !== ''
}

const VALID: Record<CitationIdentifier, (value: string) => boolean> = {
  doi: (v) => DOI.test(v),
  pmid: (v) => PMID.test(v),
  url: isHttpsUrl,
}

/** The message for an identifier that breaks its format; each states the condition to meet. */
export const IDENTIFIER_RULES: Record<CitationIdentifier, string> = {
  doi: 'DOI must be "10.", a registrant code of 4–9 digits, "/" and a suffix, e.g. 10.1000/182 — without "https://doi.org/" or "doi:" in front',
  pmid: 'PubMed id must be the PMID digits only (no leading zero), e.g. 12345678 — without "PMID:" in front',
  url: 'URL must be an absolute https:// address (http, mailto and relative links are not accepted as sources)',
}

/** How editors and messages name each identifier. */
export const IDENTIFIER_LABELS: Record<CitationIdentifier, string> = {
  doi: 'DOI',
  pmid: 'PubMed id',
  url: 'URL',
}

const present = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== ''

/** The format problem of one identifier, or undefined when it is empty or well-formed. */
export function identifierProblem(kind: CitationIdentifier, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  return typeof value === 'string' && VALID[kind](value) ? undefined : IDENTIFIER_RULES[kind]
}

/** The problem with how many identifiers a citation has, or undefined when it has exactly one. */
export function identifierCountProblem(citation: unknown): string | undefined {
  const c = (citation ?? {}) as Partial<Record<CitationIdentifier, unknown>>
  const given = CITATION_IDENTIFIERS.filter((k) => present(c[k]))
  if (given.length === 1) return undefined
  return given.length === 0
    ? 'A citation needs one identifier: a DOI, a PubMed id or an https URL'
    : `A citation must have exactly one identifier; this one has ${given.length} (${given.map((k) => IDENTIFIER_LABELS[k]).join(', ')}): keep the one a reader should follow`
}

/** Whether a value is a complete citation: a title and exactly one well-formed identifier. */
export function isValidCitation(citation: unknown): boolean {
  if (!citation || typeof citation !== 'object') return false
  const c = citation as {title?: unknown} & Partial<Record<CitationIdentifier, unknown>>
  return (
    present(c.title) &&
    identifierCountProblem(c) === undefined &&
    CITATION_IDENTIFIERS.every((k) => identifierProblem(k, c[k]) === undefined)
  )
}
