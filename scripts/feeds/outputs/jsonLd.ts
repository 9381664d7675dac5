/**
 * schema.org JSON-LD per page: a MedicalWebPage about the treatment (MedicalProcedure), the
 * concerns (MedicalCondition), skin types and adjuncts it covers, with lastReviewed/reviewedBy
 * where known. Web pages embed it (and its `<script>` block); the partner `jsonld` format is every
 * page's node in one graph. The declaration is not published (schema.org is the vocabulary); it
 * gives the node's type, its URL fields' roles and the objects shared across pages.
 */
import {safeJson} from '../json.ts'
import type {FeedModel, Page, PageLink, PageType} from '../types.ts'
import {shared, type Infer, type SchemaNode} from './declare.ts'
import {httpUrl, nonEmpty} from './defs.ts'
import {extraJsonLd, EXTRAS} from './page.ts'

const uri = {type: 'string', format: 'uri'} as const

/** Extra page fields published in JSON-LD, under their schema.org property (their roles come along). */
const JSON_LD_EXTRAS = Object.fromEntries(
  EXTRAS.flatMap((e) => (e.jsonLd === undefined ? [] : [[e.jsonLd, e.node]])),
) as Record<string, SchemaNode>

/** A thing a page is about or mentions; the linked ones are shared by every page linking to them. */
const thing = shared({
  type: 'object',
  required: ['@type', '@id', 'name', 'url'],
  properties: {
    '@type': {type: 'string'},
    '@id': uri,
    name: nonEmpty,
    url: httpUrl,
    description: {type: 'string'},
    alternateName: {type: 'array', items: {type: 'string'}},
    procedureType: uri,
    howPerformed: {type: 'string'},
    preparation: {type: 'string'},
    followup: {type: 'string'},
    warning: {type: 'string'},
    /** A treatment's contraindicated cautions (schema.org MedicalProcedure.contraindication). */
    contraindication: {
      type: 'array',
      items: {
        type: 'object',
        required: ['@type', 'name'],
        properties: {
          '@type': {const: 'MedicalContraindication'},
          name: nonEmpty,
          description: {type: 'string'},
        },
      },
    },
  },
} as const)

/** The site and its publisher: one object per model. */
const organization = shared({
  type: 'object',
  required: ['@type', 'name', 'url'],
  properties: {'@type': {type: 'string'}, '@id': uri, name: {type: 'string'}, url: httpUrl},
} as const)

export const jsonLdSchema = {
  type: 'object',
  required: [
    '@type',
    '@id',
    'url',
    'name',
    'headline',
    'inLanguage',
    'datePublished',
    'dateModified',
    'isPartOf',
    'publisher',
  ],
  properties: {
    '@context': {const: 'https://schema.org'},
    '@type': {const: 'MedicalWebPage'},
    '@id': uri,
    url: httpUrl,
    name: nonEmpty,
    headline: nonEmpty,
    description: {type: 'string'},
    inLanguage: {type: 'string'},
    datePublished: {type: 'string'},
    dateModified: {type: 'string'},
    isPartOf: organization,
    publisher: organization,
    lastReviewed: {type: 'string'},
    reviewedBy: {
      type: 'object',
      required: ['@type', 'name'],
      properties: {
        '@type': {const: 'Person'},
        name: {type: 'string'},
        jobTitle: {type: 'string'},
        url: httpUrl,
      },
    },
    about: {anyOf: [{type: 'array', items: thing}, thing]},
    mainEntity: thing,
    mentions: {type: 'array', items: thing},
    relatedLink: {type: 'array', items: uri},
    ...JSON_LD_EXTRAS,
  },
} as const

export type JsonLdNode = Infer<typeof jsonLdSchema>
type Thing = Infer<typeof thing>

/** The partner `jsonld` file: every page's node (without its own @context) in one graph. */
export const jsonLdGraphSchema = {
  type: 'object',
  required: ['@context', '@graph'],
  properties: {
    '@context': {const: 'https://schema.org'},
    '@graph': {type: 'array', items: jsonLdSchema},
  },
} as const

const PROCEDURE_TYPES = new Set([
  'NoninvasiveProcedure',
  'PercutaneousProcedure',
  'SurgicalProcedure',
])

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

/**
 * The objects pages share, made once per export: a linked page's entity reference, the site's
 * WebSite and Organization nodes (JSON-LD writers serialize each once: write.ts SHARED).
 */
export interface JsonLdParts {
  refs: WeakMap<PageLink, Thing>
  site?: {
    model: FeedModel
    isPartOf: Infer<typeof organization>
    publisher: Infer<typeof organization>
  }
}

export const createJsonLdParts = (): JsonLdParts => ({refs: new WeakMap()})

/** A reference to another page's entity: enough for a consumer to join graphs. */
function entityRef(parts: JsonLdParts, link: PageLink): Thing {
  let ref = parts.refs.get(link)
  if (!ref)
    parts.refs.set(
      link,
      (ref = {
        '@type': entityType(link.type, link.kind),
        '@id': entityId(link.url),
        name: link.title,
        url: link.url,
      }),
    )
  return ref
}

/** A page's contraindicated cautions as schema.org MedicalContraindications, if it has any. */
function contraindicationsOf(page: Page): Thing['contraindication'] {
  const list = (page.cautions ?? []).filter((c) => c.kind === 'contraindicated')
  if (list.length === 0) return undefined
  return list.map((c) => ({
    '@type': 'MedicalContraindication',
    name: c.about.title,
    ...(c.advice ? {description: c.advice} : {}),
  }))
}

/** The full entity a taxonomy page describes. */
function entity(page: Page): Thing {
  const d = page.details ?? {}
  const node: Thing = {
    '@type': entityType(page.type, d.kind),
    '@id': entityId(page.url),
    name: page.title,
    url: page.url,
  }
  if (page.text) node.description = page.text
  if (page.synonyms?.length) node.alternateName = page.synonyms
  if (page.type === 'treatment') {
    if (d.procedureType && PROCEDURE_TYPES.has(d.procedureType))
      node.procedureType = `https://schema.org/${d.procedureType}`
    if (d.howPerformed) node.howPerformed = d.howPerformed
    if (d.preparation) node.preparation = d.preparation
    if (d.followup) node.followup = d.followup
    const contraindications = contraindicationsOf(page)
    if (contraindications) node.contraindication = contraindications
  }
  if (page.type === 'serum' && d.cautions) node.warning = d.cautions
  return node
}

function siteNodes(parts: JsonLdParts, model: FeedModel) {
  if (parts.site?.model !== model) {
    const site = model.site
    parts.site = {
      model,
      isPartOf: {
        '@type': 'WebSite',
        '@id': `${site.baseUrl}/#website`,
        name: site.title,
        url: `${site.baseUrl}/`,
      },
      publisher: {'@type': 'Organization', name: site.publisher, url: `${site.baseUrl}/`},
    }
  }
  return parts.site
}

/** One page's node; `context`: with its own `@context` (a page's block) or without (a graph's node). */
export function pageJsonLd(
  model: FeedModel,
  page: Page,
  parts: JsonLdParts,
  context = true,
): JsonLdNode {
  const site = siteNodes(parts, model)
  const node: JsonLdNode = context
    ? ({'@context': 'https://schema.org', '@type': 'MedicalWebPage'} as JsonLdNode)
    : ({'@type': 'MedicalWebPage'} as JsonLdNode)
  node['@id'] = `${page.url}#webpage`
  node.url = page.url
  node.name = page.seo.title
  node.headline = page.title
  if (page.seo.description) node.description = page.seo.description
  node.inLanguage = model.site.language
  node.datePublished = page.datePublished
  node.dateModified = page.dateModified
  node.isPartOf = site.isPartOf
  node.publisher = site.publisher
  if (page.review?.lastReviewed) node.lastReviewed = page.review.lastReviewed
  if (page.review?.reviewedBy) {
    const by = page.review.reviewedBy
    node.reviewedBy = {
      '@type': 'Person',
      name: by.name,
      ...(by.credentials ? {jobTitle: by.credentials} : {}),
      ...(by.url ? {url: by.url} : {}),
    }
  }
  const r = page.related
  if (page.type === 'article' || page.type === 'benefit') {
    const about = [...r.treatments, ...r.concerns].map((l) => entityRef(parts, l))
    if (about.length) node.about = about
    // The treatment is what an article is about; a benefit page is about the benefit's conditions.
    if (page.type === 'article' && r.treatments[0])
      node.mainEntity = entityRef(parts, r.treatments[0])
    // Who the benefit says the treatment is not for: the procedure as this page presents it (a
    // node of the page's own, so the treatment's shared node is never changed).
    const treatment = r.treatments[0]
    const contraindications = contraindicationsOf(page)
    if (page.type === 'benefit' && treatment && contraindications)
      node.mainEntity = {
        '@type': 'MedicalProcedure',
        '@id': `${page.url}#procedure`,
        name: treatment.title,
        url: treatment.url,
        contraindication: contraindications,
      }
    const mentions = [...r.skinTypes, ...r.serums].map((l) => entityRef(parts, l))
    if (mentions.length) node.mentions = mentions
  } else {
    const main = entity(page)
    node.about = main
    node.mainEntity = main
  }
  const related = [
    ...r.articles,
    ...r.benefits,
    ...r.treatments,
    ...r.concerns,
    ...r.skinTypes,
    ...r.serums,
  ].map((l) => l.url)
  if (related.length) node.relatedLink = related
  for (const [property, value] of extraJsonLd(page))
    (node as Record<string, unknown>)[property] = value
  return node
}

/** `<script type="application/ld+json">…</script>` around JSON-LD text that is already HTML-safe. */
export const jsonLdScript = (safeJsonLd: string): string =>
  `<script type="application/ld+json">${safeJsonLd}</script>`

/** Every page's JSON-LD as one graph (the partner `jsonld` format). */
export function renderJsonLdGraph(model: FeedModel): string {
  const parts = createJsonLdParts()
  const graph = model.pages.map((p) => pageJsonLd(model, p, parts, false))
  return `${safeJson({'@context': 'https://schema.org', '@graph': graph}, 2)}\n`
}
