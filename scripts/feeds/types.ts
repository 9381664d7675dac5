/**
 * The normalized feed model every renderer reads. Plain data (JSON-able), built once from query
 * results by model.ts; partner views are derived copies (partnerView.ts), never mutations.
 */

export type PageType = 'article' | 'benefit' | 'treatment' | 'concern' | 'skinType' | 'serum'

/** Page types in the order pages, feeds and bundles list them. */
export const PAGE_TYPES: readonly PageType[] = ['article', 'benefit', 'treatment', 'concern', 'skinType', 'serum']

/** A link to another page on the web frontend. */
export interface PageLink {
  id: string
  type: PageType
  slug: string
  title: string
  /** Canonical URL on the web frontend (ids, guids, JSON-LD). */
  url: string
  /** The URL readers follow: the canonical one, or a partner's with UTM parameters. */
  link: string
  /** Skin type / adjunct kind (a PRP link is a procedure, not a serum). */
  kind?: string
}

export interface Person {
  id: string
  name: string
  slug?: string
  credentials?: string
  url?: string
}

/** Medical review as far as it is known; `reviewed` content has both a date and a reviewer. */
export interface Review {
  /** YYYY-MM-DD */
  lastReviewed?: string
  reviewedBy?: Person
}

/** Links both ways: forward references from the document, reverse ones computed from the others. */
export interface Related {
  articles: PageLink[]
  benefits: PageLink[]
  treatments: PageLink[]
  concerns: PageLink[]
  skinTypes: PageLink[]
  serums: PageLink[]
}

export const RELATED_KEYS = ['articles', 'benefits', 'treatments', 'concerns', 'skinTypes', 'serums'] as const satisfies ReadonlyArray<keyof Related>

/** Portable Text after sanitizing: only blocks, spans, strong/em and safe absolute links. */
export interface Span {
  _type: 'span'
  _key: string
  text: string
  marks: string[]
}
export interface LinkDef {
  _type: 'link'
  _key: string
  href: string
}
export interface Block {
  _type: 'block'
  _key: string
  style: 'normal' | 'h2' | 'h3' | 'blockquote'
  listItem?: 'bullet' | 'number'
  level?: number
  children: Span[]
  markDefs: LinkDef[]
}

/** Type-specific facts of taxonomy pages (schema.org MedicalProcedure fields, serum timing…). */
export interface Details {
  kind?: string
  fitzpatrick?: string
  timing?: string[]
  cautions?: string
  procedureType?: string
  howPerformed?: string
  preparation?: string
  followup?: string
}

export interface Page {
  id: string
  type: PageType
  slug: string
  /** `/benefits/<slug>` */
  path: string
  url: string
  link: string
  title: string
  summary?: string
  seo: {title: string; description?: string; noIndex: boolean}
  /** Rich text: article intro, benefit body (taxonomy pages have only `description`, as text). */
  blocks?: Block[]
  html?: string
  text?: string
  /** ISO 8601 date-times from the data. */
  datePublished: string
  dateModified: string
  review?: Review
  related: Related
  /** A benefit's place in the first article that lists it (1-based). */
  position?: number
  bodyAreas?: string[]
  synonyms?: string[]
  details?: Details
}

export interface Site {
  title: string
  description: string
  /** BCP 47 */
  language: string
  /** Web frontend, no trailing slash. */
  baseUrl: string
  /** The home page link readers follow (a partner's carries its UTM parameters). */
  home: string
  /** Where dist/ is served (feeds' self links), no trailing slash. */
  feedsBaseUrl: string
  publisher: string
  /** Credit line shown with every syndicated item. */
  attribution: string
}

export interface FeedModel {
  site: Site
  /** When this export's data was last changed (or the injected `now`): feed-level dates. */
  generatedAt: string
  /** Sorted: type order, then position, then slug, then id. */
  pages: Page[]
}

export const isReviewed = (review: Review | undefined): review is Required<Review> =>
  Boolean(review?.lastReviewed && review.reviewedBy)
