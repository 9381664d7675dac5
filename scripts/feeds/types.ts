/**
 * The normalized feed model every renderer reads. Plain data (JSON-able), built once from query
 * results by model.ts; partner views are derived copies (partnerView.ts), never mutations. The
 * page's shape is declared in outputs/page.ts.
 */
export {PAGE_TYPES, RELATED_KEYS, type PageType, type RelatedKey} from './pageTypes.ts'
export type {
  Block,
  Details,
  LinkDef,
  Page,
  PageLink,
  Person,
  Related,
  Review,
  Span,
} from './outputs/page.ts'
import type {Page, Review} from './outputs/page.ts'

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

/** Reviewed, and the review still vouches for the content (what `reviewedOnly` partners get). */
export const isCurrentlyReviewed = (review: Review | undefined): review is Required<Review> =>
  isReviewed(review) && review.status === 'current'
