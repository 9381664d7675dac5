/**
 * The sources behind a benefit's claims: a list of citations that also carries the claims lint, so
 * a document that uses it warns about absolute claims ("erases", "safe for all skin types") that no
 * citation backs. The lint reads the document's title, summary and body (claimText), the same text
 * the exporter judges; its rule lives here, with the list it is about, rather than in each document.
 */
import {defineArrayMember, defineType} from 'sanity'
import {identifierCountProblem} from '../rules/citations.ts'
import {claimText, uncitedClaims} from '../rules/claims.ts'

/** Each citation's identifier-count problem, on that citation (see citation.ts for why here). */
const identifierCounts = (citations: unknown) =>
  (Array.isArray(citations) ? citations : []).flatMap((item: unknown, index) => {
    const message = identifierCountProblem(item)
    if (message === undefined) return []
    const key = (item as {_key?: unknown} | null)?._key
    return [{message, path: [typeof key === 'string' ? {_key: key} : index]}]
  })

export const evidence = defineType({
  name: 'evidence',
  title: 'Evidence',
  type: 'array',
  of: [defineArrayMember({type: 'citation'})],
  validation: (rule) => [
    rule.custom((citations) => {
      const problems = identifierCounts(citations)
      return problems.length === 0 ? true : problems
    }),
    rule
      .custom((citations, context) => {
        const doc = context.document
        const text = claimText({title: doc?.title, summary: doc?.summary, body: doc?.body})
        const claims = uncitedClaims(text, citations)
        return claims.length === 0
          ? true
          : `Absolute claim without a citation: ${claims.map((c) => `"${c}"`).join(', ')}. Cite a source (a DOI, PubMed id or https URL) or qualify the claim`
      })
      .warning(),
  ],
})
