/**
 * The page: the normalized model every output is rendered from (model.ts builds it from the query
 * results). Declared like an output, so its type, the roles of its fields (checked on every page
 * before any file is written) and the field groups partner profiles choose from come from one
 * place. A new field added here with a role is checked, and with PARTNER_FIELD is a group
 * profiles can include or exclude.
 */
import type {Problem} from '../../lib/errors.ts'
import {roleProblems} from './check.ts'
import {
  JSON_LD,
  PARTNER_FIELD,
  role,
  roleOf,
  shared,
  type Infer,
  type SchemaNode,
} from './declare.ts'
import {
  block,
  cautionsOf,
  dateTime,
  details,
  documentId,
  httpUrl,
  nonEmpty,
  pageType,
  relatedOf,
  reviewStatus,
  strings,
} from './defs.ts'

/** A link to another page: one object per linked page and model, shared by every page linking to it. */
const link = shared({
  type: 'object',
  required: ['id', 'type', 'slug', 'title', 'url', 'link'],
  properties: {
    id: documentId,
    type: pageType,
    slug: nonEmpty,
    title: nonEmpty,
    /** Canonical URL on the web frontend (ids, guids, JSON-LD). */
    url: httpUrl,
    /** The URL readers follow: the canonical one, or a partner's with UTM parameters. */
    link: httpUrl,
    /** Skin type / adjunct kind (a PRP link is a procedure, not a serum). */
    kind: {type: 'string'},
  },
} as const)

const person = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: documentId,
    name: nonEmpty,
    slug: {type: 'string'},
    credentials: {type: 'string'},
    url: httpUrl,
  },
} as const

/**
 * `node`, sent to partners only when their profile includes the field group `group`.
 * @public (PAGE_EXTRAS entries may use it to join an existing group)
 */
export const partner = <const G extends string, const S extends object>(group: G, node: S) =>
  ({...node, [PARTNER_FIELD]: group}) as S & {readonly [PARTNER_FIELD]: G}

/**
 * An extra field, also published in JSON-LD as the schema.org property `property`.
 * @public (PAGE_EXTRAS entries use it; see scripts/feeds/README.md, "A new field")
 */
export const jsonLd = <const P extends string, const S extends object>(property: P, node: S) =>
  ({...node, [JSON_LD]: property}) as S & {readonly [JSON_LD]: P}

/**
 * Fields beyond the built-in ones. Each is read from the feed query's field of the same name
 * (model.ts: URLs trimmed, text cleaned, string lists deduplicated) and published as it is: on web
 * pages, in partner content (a partner field group of its own name, or PARTNER_FIELD's), in the
 * app bundle unless it is HTML, and in JSON-LD when declared with `jsonLd()`. Its role decides its
 * checks: a `format: 'uri'` field is checked as a URL wherever it goes. scripts/feeds/README.md
 * ("A new field") lists the other two files to edit.
 */
export const PAGE_EXTRAS = {} as const

/** The extra fields' names, in declaration order. */
export const EXTRA_KEYS = Object.keys(PAGE_EXTRAS) as Array<keyof typeof PAGE_EXTRAS & string>

/** Each extra field with its declaration, its role and its JSON-LD property, derived once. */
export const EXTRAS = EXTRA_KEYS.map((key) => {
  const node: SchemaNode = PAGE_EXTRAS[key]
  return {key, node, role: roleOf(node), jsonLd: node[JSON_LD]}
})

export const pageSchema = {
  type: 'object',
  required: [
    'id',
    'type',
    'slug',
    'path',
    'url',
    'link',
    'title',
    'seo',
    'datePublished',
    'dateModified',
    'related',
  ],
  properties: {
    id: documentId,
    type: pageType,
    slug: nonEmpty,
    /** `/benefits/<slug>` */
    path: {type: 'string'},
    url: httpUrl,
    link: httpUrl,
    title: nonEmpty,
    summary: partner('summary', {type: 'string'} as const),
    seo: {
      type: 'object',
      required: ['title', 'noIndex'],
      properties: {
        title: {type: 'string'},
        description: {type: 'string'},
        noIndex: {type: 'boolean'},
      },
    },
    /** Rich text: article intro, benefit body (taxonomy pages have only `text`, from `description`). */
    blocks: partner('body', {type: 'array', items: block} as const),
    html: partner('body', role('html', {type: 'string'} as const)),
    text: partner('body', {type: 'string'} as const),
    /** ISO 8601 date-times from the data. */
    datePublished: dateTime,
    dateModified: dateTime,
    related: partner('related', relatedOf(link)),
    /** A benefit's place in the first article that lists it (1-based). */
    position: {type: 'integer', minimum: 1},
    bodyAreas: partner('bodyAreas', strings),
    review: partner('review', {
      type: 'object',
      required: ['status'],
      properties: {
        lastReviewed: {type: 'string', format: 'date'},
        reviewedBy: person,
        /** On the export's review date (articles and benefits; taxonomy pages have no review). */
        status: reviewStatus,
      },
    } as const),
    synonyms: partner('synonyms', strings),
    details: partner('details', details),
    /**
     * Benefits and treatments: who they are not for, or only with care (never in `related`). Not
     * a partner field group: whoever gets a page gets its cautions.
     */
    cautions: cautionsOf(documentId, httpUrl),
    ...PAGE_EXTRAS,
  },
} as const

export type Page = Infer<typeof pageSchema>
export type PageLink = Page['related']['articles'][number]
export type Related = Page['related']
export type Review = NonNullable<Page['review']>
export type Person = NonNullable<Review['reviewedBy']>
export type Details = NonNullable<Page['details']>
export type Block = NonNullable<Page['blocks']>[number]
export type Span = Block['children'][number]
export type LinkDef = Block['markDefs'][number]

/**
 * What in one page could run as script wherever it is shown: its fields checked by their roles
 * (HTML, URLs, Portable Text links). Every page is checked before any file is written, on
 * whichever thread renders it; `seen` (one per export) checks shared links once.
 */
export const pageProblems = (page: Page, file: string, seen?: WeakSet<object>): Problem[] =>
  roleProblems(pageSchema, page, file, seen)

/** The extra fields a page has, in declaration order (`html`: with HTML ones; the app bundle has none). */
export function extraFields(page: Page, opts: {html?: boolean} = {}): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  for (const {key, role} of EXTRAS) {
    const value = (page as Record<string, unknown>)[key]
    if (value !== undefined && (opts.html !== false || role !== 'html')) out.push([key, value])
  }
  return out
}

/** The extra fields a page publishes in JSON-LD: [schema.org property, value]. */
export function extraJsonLd(page: Page): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  for (const {key, jsonLd: property} of EXTRAS) {
    const value = (page as Record<string, unknown>)[key]
    if (property !== undefined && value !== undefined) out.push([property, value])
  }
  return out
}
