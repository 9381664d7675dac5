/**
 * schema.org JSON-LD per page: a MedicalWebPage about the treatment (MedicalProcedure), the
 * concerns (MedicalCondition), skin types and adjuncts it covers, with lastReviewed/reviewedBy
 * where known. `jsonLdScript` is the block ready to paste into HTML: safeJson escapes `<`, so the
 * data can never close the <script> element it sits in.
 */
import {safeJson} from '../json.ts'
import type {FeedModel, Page, PageLink, PageType} from '../types.ts'

type Node = Record<string, unknown>

const PROCEDURE_TYPES = new Set(['NoninvasiveProcedure', 'PercutaneousProcedure', 'SurgicalProcedure'])

/** The schema.org type of the thing a page is about. */
function entityType(type: PageType, kind: string | undefined): string {
  switch (type) {
    case 'treatment':
      return 'MedicalProcedure'
    case 'concern':
      return 'MedicalCondition'
    case 'skinType':
      return kind === 'condition' ? 'MedicalCondition' : 'DefinedTerm'
    case 'serum':
      // PRP is applied during the procedure; serums are substances applied to the skin.
      return kind === 'procedure' ? 'MedicalProcedure' : 'Substance'
    default:
      return 'Thing'
  }
}

const entityId = (url: string) => `${url}#entity`

/** A reference to another page's entity: enough for a consumer to join graphs. */
export function entityRef(link: PageLink): Node {
  return {'@type': entityType(link.type, link.kind), '@id': entityId(link.url), name: link.title, url: link.url}
}

/** The full entity a taxonomy page describes. */
export function entity(page: Page): Node {
  const d = page.details ?? {}
  const node: Node = {'@type': entityType(page.type, d.kind), '@id': entityId(page.url), name: page.title, url: page.url}
  if (page.text) node.description = page.text
  if (page.synonyms?.length) node.alternateName = page.synonyms
  if (page.type === 'treatment') {
    if (d.procedureType && PROCEDURE_TYPES.has(d.procedureType)) node.procedureType = `https://schema.org/${d.procedureType}`
    if (d.howPerformed) node.howPerformed = d.howPerformed
    if (d.preparation) node.preparation = d.preparation
    if (d.followup) node.followup = d.followup
  }
  if (page.type === 'serum' && d.cautions) node.warning = d.cautions
  return node
}

export function pageJsonLd(model: FeedModel, page: Page): Node {
  const site = model.site
  const node: Node = {
    '@context': 'https://schema.org',
    '@type': 'MedicalWebPage',
    '@id': `${page.url}#webpage`,
    url: page.url,
    name: page.seo.title,
    headline: page.title,
  }
  if (page.seo.description) node.description = page.seo.description
  node.inLanguage = site.language
  node.datePublished = page.datePublished
  node.dateModified = page.dateModified
  node.isPartOf = {'@type': 'WebSite', '@id': `${site.baseUrl}/#website`, name: site.title, url: `${site.baseUrl}/`}
  node.publisher = {'@type': 'Organization', name: site.publisher, url: `${site.baseUrl}/`}
  if (page.review?.lastReviewed) node.lastReviewed = page.review.lastReviewed
  if (page.review?.reviewedBy) {
    const by = page.review.reviewedBy
    node.reviewedBy = {'@type': 'Person', name: by.name, ...(by.credentials ? {jobTitle: by.credentials} : {}), ...(by.url ? {url: by.url} : {})}
  }

  const r = page.related
  if (page.type === 'article' || page.type === 'benefit') {
    const about = [...r.treatments.map((l) => entityRef(l)), ...r.concerns.map((l) => entityRef(l))]
    if (about.length) node.about = about
    // The treatment is what an article is about; a benefit page is about the benefit's conditions.
    if (page.type === 'article' && r.treatments[0]) node.mainEntity = entityRef(r.treatments[0])
    const mentions = [...r.skinTypes.map((l) => entityRef(l)), ...r.serums.map((l) => entityRef(l))]
    if (mentions.length) node.mentions = mentions
  } else {
    const main = entity(page)
    node.about = main
    node.mainEntity = main
  }
  const related = [...r.articles, ...r.benefits, ...r.treatments, ...r.concerns, ...r.skinTypes, ...r.serums].map((l) => l.url)
  if (related.length) node.relatedLink = related
  return node
}

/** `<script type="application/ld+json">…</script>`, safe to embed as is. */
export function jsonLdScript(jsonLd: unknown): string {
  return `<script type="application/ld+json">${safeJson(jsonLd)}</script>`
}

/** Every page's JSON-LD as one graph (the partner `jsonld` format). */
export function renderJsonLdGraph(model: FeedModel): string {
  const graph = model.pages.map((p) => {
    const {'@context': _context, ...node} = pageJsonLd(model, p)
    return node
  })
  return `${safeJson({'@context': 'https://schema.org', '@graph': graph}, 2)}\n`
}
