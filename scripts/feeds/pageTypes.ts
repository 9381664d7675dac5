/** The page types, in the order pages, feeds and bundles list them. */
export const PAGE_TYPES = [
  'article',
  'benefit',
  'treatment',
  'concern',
  'skinType',
  'serum',
] as const
export type PageType = (typeof PAGE_TYPES)[number]

/** A page's related links, one list per page type, in this order. */
export const RELATED_KEYS = [
  'articles',
  'benefits',
  'treatments',
  'concerns',
  'skinTypes',
  'serums',
] as const
export type RelatedKey = (typeof RELATED_KEYS)[number]
