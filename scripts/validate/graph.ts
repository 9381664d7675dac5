/**
 * Whole-graph checks the Studio cannot make one document at a time: dangling references,
 * duplicate slugs per type (a partner's `name`), taxonomy nothing links to, articles whose
 * benefits are missing. Also what headless validation only warns about: Sanity reports every rule
 * of an object field (a slug) as a warning outside the Studio, so a partner document is checked
 * here as the exporter checks it (its profile against the published schema), at error level.
 * Pure: documents in, problems out, linear in the size of the dataset.
 */
import type {Partner} from '../../sanity.types.ts'
import {partnerDocumentProblems} from '../feeds/partners.ts'
import type {Problem} from '../lib/errors.ts'
import {isPublishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'

const TAXONOMY_TYPES = new Set(['concern', 'skinType', 'serum', 'treatment'])

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

/** What one document's graph problems depend on besides the document itself. */
export interface GraphIndex {
  /** Whether a document with this id exists (drafts included). */
  exists(id: string): boolean
  /** Whether any document references this id. */
  linked(id: string): boolean
  /** Published documents of this type with this slug, sorted by id. */
  slugOwners(type: string, slug: string): readonly string[]
}

/** The slug field of a type: `slug`, but a partner's is its `name` (its folder). */
const slugField = (type: string) => (type === 'partner' ? 'name' : 'slug')

/** A published document's slug as the graph checks it (drafts and non-strings have none). */
export const graphSlugOf = (doc: StoredDocument): string | undefined => {
  const slug = (doc[slugField(doc._type)] as {current?: unknown} | undefined)?.current
  return isPublishedId(doc._id) && typeof slug === 'string' ? slug : undefined
}

/** The graph problems of one document: linear in its size, given the index. */
export function graphProblemsOf(doc: StoredDocument, index: GraphIndex): Problem[] {
  const problems: Problem[] = []
  const draft = !isPublishedId(doc._id)
  for (const site of collectRefs(doc)) {
    if (site.weak || index.exists(site.ref)) continue
    const onlyDraft = index.exists(`drafts.${site.ref}`)
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
  if (draft) return problems
  const slug = graphSlugOf(doc)
  const owners = slug === undefined ? [] : index.slugOwners(doc._type, slug)
  if (owners.length > 1)
    problems.push({
      documentId: doc._id,
      path: slugField(doc._type),
      level: 'error',
      message:
        doc._type === 'partner'
          ? `name "${slug}" is used by ${owners.length} partner documents (${owners.join(', ')}): partner folders would collide`
          : `slug "${slug}" is used by ${owners.length} ${doc._type} documents (${owners.join(', ')}): page URLs would collide`,
    })
  if (doc._type === 'partner') problems.push(...partnerDocumentProblems(doc as unknown as Partner))
  if (TAXONOMY_TYPES.has(doc._type) && !index.linked(doc._id))
    problems.push({
      documentId: doc._id,
      level: 'warning',
      message: `${doc._type} "${String(doc.title ?? doc._id)}" is not linked from any document`,
    })
  if (doc._type === 'article' && (!Array.isArray(doc.benefits) || doc.benefits.length === 0))
    problems.push({
      documentId: doc._id,
      path: 'benefits',
      level: 'error',
      message: 'article has no benefits',
    })
  return problems
}

/** Every document's graph problems. */
export function graphProblems(docs: readonly StoredDocument[]): Problem[] {
  const ids = new Set(docs.map((d) => d._id))
  const linked = new Set<string>()
  const slugs = new Map<string, string[]>()
  for (const doc of docs) {
    for (const site of collectRefs(doc)) linked.add(site.ref)
    const slug = graphSlugOf(doc)
    if (slug === undefined) continue
    const key = `${doc._type}\u0000${slug}`
    const owners = slugs.get(key)
    if (owners) owners.push(doc._id)
    else slugs.set(key, [doc._id])
  }
  for (const owners of slugs.values()) if (owners.length > 1) owners.sort()
  const index: GraphIndex = {
    exists: (id) => ids.has(id),
    linked: (id) => linked.has(id),
    slugOwners: (type, slug) => slugs.get(`${type}\u0000${slug}`) ?? [],
  }
  return docs.flatMap((doc) => graphProblemsOf(doc, index))
}
