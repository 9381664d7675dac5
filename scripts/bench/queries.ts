/**
 * The GROQ the benchmark times, in process (scripts/query/local.ts) and through the local API:
 * what a frontend asks of a content API — one page by slug with its links, a sorted page of a
 * listing, a count over a filter — plus the exporter's heaviest query (in process only: over
 * HTTP it is a 100 MB response, a transfer benchmark rather than a query one).
 */
import {FEED_BENEFITS_QUERY} from '../query/queries.ts'

export interface BenchQuery {
  name: string
  query: string
  /** Whether it takes `$slug`: the slug of the dataset's first benefit (looked up once). */
  slug?: boolean
  /** Also timed over the local API. */
  api: boolean
}

export const BENCH_QUERIES: readonly BenchQuery[] = [
  {
    name: 'benefit-by-slug',
    query: `*[_type == "benefit" && slug.current == $slug][0]{_id, title, summary, "concerns": concerns[].target->{title, "slug": slug.current}, "skinTypes": skinTypes[].target->title}`,
    slug: true,
    api: true,
  },
  {
    name: 'concerns-page',
    query: `*[_type == "concern"] | order(title asc)[0...20]{_id, title, "slug": slug.current}`,
    api: true,
  },
  {
    name: 'count-reviewed',
    query: `count(*[_type == "benefit" && defined(review.lastReviewed)])`,
    api: true,
  },
  {
    name: 'feed-benefits',
    query: FEED_BENEFITS_QUERY,
    api: false,
  },
]

/** The query that finds the `$slug` parameter: the first benefit's slug. */
export const SLUG_PARAM_QUERY = `*[_id == "benefit-000000"][0].slug.current`
