/**
 * Whole-graph checks the Studio cannot make one document at a time: dangling references,
 * duplicate slugs per type, taxonomy nothing links to, articles whose benefits are missing.
 * Pure: documents in, problems out, linear in the size of the dataset.
 */
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'

const TAXONOMY_TYPES = new Set(['concern', 'skinType', 'serum', 'treatment'])
const isDraftId = (id: string) => id.startsWith('drafts.') || id.startsWith('versions.')

interface RefSite {
  ref: string
  weak: boolean
  path: string
}

/** Every reference in a value with its field path (`benefits[_key=="x"]`, `review.reviewedBy`). */
export function collectRefs(value: unknown, path = '', out: RefSite[] = []): RefSite[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const key =
        item && typeof item === 'object' && typeof (item as {_key?: unknown})._key === 'string'
          ? `[_key=="${(item as {_key: string})._key}"]`
          : `[${i}]`
      collectRefs(item, `${path}${key}`, out)
    })
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    if (typeof obj._ref === 'string') out.push({ref: obj._ref, weak: obj._weak === true, path})
    for (const [k, v] of Object.entries(obj))
      if (k !== '_ref' && v && typeof v === 'object') collectRefs(v, path ? `${path}.${k}` : k, out)
  }
  return out
}

export function graphProblems(docs: readonly StoredDocument[]): Problem[] {
  const ids = new Set(docs.map((d) => d._id))
  const problems: Problem[] = []
  const linked = new Set<string>()
  const slugs = new Map<string, string[]>()

  for (const doc of docs) {
    const draft = isDraftId(doc._id)
    for (const site of collectRefs(doc)) {
      linked.add(site.ref)
      if (ids.has(site.ref) || site.weak) continue
      const onlyDraft = ids.has(`drafts.${site.ref}`)
      const benefitOfArticle = doc._type === 'article' && site.path.startsWith('benefits[')
      problems.push({
        documentId: doc._id,
        path: site.path,
        // A draft may point at something not yet published; published content may not.
        level: draft ? 'warning' : 'error',
        message: onlyDraft
          ? `references "${site.ref}", which exists only as an unpublished draft: publish it first`
          : benefitOfArticle
            ? `benefit "${site.ref}" is missing from the dataset`
            : `references "${site.ref}", which does not exist`,
      })
    }
    const slug = (doc.slug as {current?: unknown} | undefined)?.current
    if (!draft && typeof slug === 'string') {
      const key = `${doc._type}\u0000${slug}`
      slugs.set(key, [...(slugs.get(key) ?? []), doc._id])
    }
  }

  for (const [key, owners] of slugs) {
    if (owners.length < 2) continue
    const [type, slug] = key.split('\u0000')
    for (const id of owners) {
      problems.push({
        documentId: id,
        path: 'slug',
        level: 'error',
        message: `slug "${slug}" is used by ${owners.length} ${type} documents (${owners.join(', ')}): page URLs would collide`,
      })
    }
  }

  for (const doc of docs) {
    if (isDraftId(doc._id)) continue
    if (TAXONOMY_TYPES.has(doc._type) && !linked.has(doc._id)) {
      problems.push({
        documentId: doc._id,
        level: 'warning',
        message: `${doc._type} "${String(doc.title ?? doc._id)}" is not linked from any document`,
      })
    }
    if (doc._type === 'article' && (!Array.isArray(doc.benefits) || doc.benefits.length === 0)) {
      problems.push({
        documentId: doc._id,
        path: 'benefits',
        level: 'error',
        message: 'article has no benefits',
      })
    }
  }
  return problems
}
