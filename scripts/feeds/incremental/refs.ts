/**
 * The references the feed model follows, read from a raw published document: exactly the fields
 * the feed queries dereference (article: treatment, benefits[], review.reviewedBy; benefit:
 * concerns[].target, skinTypes[].target, serums[].target, cautions[].target, review.reviewedBy;
 * treatment: cautions[].target). Dangling references are kept: when their target appears, the
 * pages that point at it change.
 */
export const REF_KEYS = [
  'benefits',
  'treatment',
  'concerns',
  'skinTypes',
  'serums',
  'cautions',
  'reviewer',
] as const
export type RefKey = (typeof REF_KEYS)[number]
export type DocRefs = Partial<Record<RefKey, string[]>>

type Raw = Record<string, unknown>
const asRecord = (v: unknown): Raw | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined

/** `field->`: one id, when the value is a reference object. */
function single(value: unknown): string[] {
  const ref = asRecord(value)?._ref
  return typeof ref === 'string' ? [ref] : []
}

/**
 * `field[]->` (references) or `field[].target->` (link and caution objects): the ids, in order
 * (duplicates kept).
 */
function list(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  const out: string[] = []
  for (const item of value) {
    const member = asRecord(item)
    const ref = member?._ref ?? asRecord(member?.target)?._ref
    if (typeof ref === 'string') out.push(ref)
  }
  return out
}

export function docRefs(doc: Raw): DocRefs {
  const reviewer = single(asRecord(doc.review)?.reviewedBy)
  const out: DocRefs = {}
  if (doc._type === 'article') {
    out.benefits = list(doc.benefits)
    out.treatment = single(doc.treatment)
  } else if (doc._type === 'benefit') {
    out.concerns = list(doc.concerns)
    out.skinTypes = list(doc.skinTypes)
    out.serums = list(doc.serums)
    out.cautions = list(doc.cautions)
  } else if (doc._type === 'treatment') {
    out.cautions = list(doc.cautions)
    return out
  } else return out
  out.reviewer = reviewer
  return out
}

/** Every id a document points at through the fields above (each once). */
export function referencedIds(refs: DocRefs): string[] {
  const ids = new Set<string>()
  for (const key of REF_KEYS) for (const id of refs[key] ?? []) ids.add(id)
  return [...ids]
}
