/** What the exporter reads: the results of the feed queries, fetched through any query runner. */
import type {
  FEED_ARTICLES_QUERY_RESULT,
  FEED_BENEFITS_QUERY_RESULT,
  FEED_CONCERNS_QUERY_RESULT,
  FEED_CONTRAINDICATIONS_QUERY_RESULT,
  FEED_SERUMS_QUERY_RESULT,
  FEED_SKIN_TYPES_QUERY_RESULT,
  FEED_TREATMENTS_QUERY_RESULT,
} from '../../sanity.types.ts'
import {
  FEED_ARTICLES_QUERY,
  FEED_BENEFITS_QUERY,
  FEED_CONCERNS_QUERY,
  FEED_CONTRAINDICATIONS_QUERY,
  FEED_SERUMS_QUERY,
  FEED_SKIN_TYPES_QUERY,
  FEED_TREATMENTS_QUERY,
} from '../query/queries.ts'

export interface FeedInput {
  articles: FEED_ARTICLES_QUERY_RESULT
  benefits: FEED_BENEFITS_QUERY_RESULT
  treatments: FEED_TREATMENTS_QUERY_RESULT
  concerns: FEED_CONCERNS_QUERY_RESULT
  skinTypes: FEED_SKIN_TYPES_QUERY_RESULT
  serums: FEED_SERUMS_QUERY_RESULT
  /** Not pages: what cautions about a contraindication show of it. */
  contraindications: FEED_CONTRAINDICATIONS_QUERY_RESULT
}

/** Runs one GROQ query in the 'published' perspective (local runner, remote client, or a test's). */
export type QueryRunner = (query: string) => Promise<unknown>

/**
 * Every feed query, in parallel. Results are typed by typegen, but the data may predate the
 * schema's required fields, so model.ts still checks every value it uses.
 */
export async function fetchFeedInput(run: QueryRunner): Promise<FeedInput> {
  const [articles, benefits, treatments, concerns, skinTypes, serums, contraindications] =
    await Promise.all([
      run(FEED_ARTICLES_QUERY),
      run(FEED_BENEFITS_QUERY),
      run(FEED_TREATMENTS_QUERY),
      run(FEED_CONCERNS_QUERY),
      run(FEED_SKIN_TYPES_QUERY),
      run(FEED_SERUMS_QUERY),
      run(FEED_CONTRAINDICATIONS_QUERY),
    ])
  return {
    articles: (articles ?? []) as FEED_ARTICLES_QUERY_RESULT,
    benefits: (benefits ?? []) as FEED_BENEFITS_QUERY_RESULT,
    treatments: (treatments ?? []) as FEED_TREATMENTS_QUERY_RESULT,
    concerns: (concerns ?? []) as FEED_CONCERNS_QUERY_RESULT,
    skinTypes: (skinTypes ?? []) as FEED_SKIN_TYPES_QUERY_RESULT,
    serums: (serums ?? []) as FEED_SERUMS_QUERY_RESULT,
    contraindications: (contraindications ?? []) as FEED_CONTRAINDICATIONS_QUERY_RESULT,
  }
}
