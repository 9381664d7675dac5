/**
 * Every GROQ query the pipeline runs, typed by `npm run typegen` (result types are named after the
 * constant: FEED_BENEFITS_QUERY → FEED_BENEFITS_QUERYResult in sanity.types.ts).
 *
 * Only forward `->` dereferences: the local runner resolves them from a lookup table (linear).
 * Links come as the ids of the published documents they point at (`concerns[].target->_id`: null when
 * dangling or draft-only): the exporter builds every link's label and URL from the linked page
 * itself, and at 100k documents projecting each link target's fields made 350k objects nobody read.
 * Reverse links (concern → benefits, benefit → articles) are computed in JS from these results;
 * `*[references(^._id)]` is quadratic in groq-js (see /work/shared/notes/performance.md).
 * Internal fields (review.notes, source) are never selected, so they can never reach an export.
 * Portable Text (intro, body) comes whole: the exporter sanitizes it node by node anyway, and a
 * nested projection of every block and span made the queries several times slower.
 */
import {defineQuery} from 'groq'

const seoFields = /* groq */ `"seo": seo{metaTitle, metaDescription, noIndex}`

/** Review metadata without the internal reviewer notes. */
const reviewFields = /* groq */ `"review": review{
  lastReviewed,
  "reviewedBy": reviewedBy->{_id, name, "slug": slug.current, credentials, url}
}`

const systemFields = /* groq */ `_id, _type, _createdAt, _updatedAt`

/** Who it is not for: kept apart from the positive links, never merged into them. */
const cautionFields = /* groq */ `"cautions": cautions[]{kind, advice, "target": target->_id}`

export const FEED_ARTICLES_QUERY =
  defineQuery(`*[_type == "article" && defined(slug.current)] | order(slug.current asc, _id asc) {
  ${systemFields},
  title,
  "slug": slug.current,
  summary,
  publishedAt,
  intro,
  "treatment": treatment->_id,
  "benefits": benefits[]->_id,
  ${seoFields},
  ${reviewFields}
}`)

export const FEED_BENEFITS_QUERY =
  defineQuery(`*[_type == "benefit" && defined(slug.current)] | order(slug.current asc, _id asc) {
  ${systemFields},
  title,
  "slug": slug.current,
  summary,
  body,
  bodyAreas,
  "concerns": concerns[].target->_id,
  "skinTypes": skinTypes[].target->_id,
  "serums": serums[].target->_id,
  ${cautionFields},
  citations,
  ${seoFields},
  ${reviewFields}
}`)

export const FEED_TREATMENTS_QUERY =
  defineQuery(`*[_type == "treatment" && defined(slug.current)] | order(slug.current asc, _id asc) {
  ${systemFields},
  title,
  "slug": slug.current,
  description,
  synonyms,
  procedureType,
  howPerformed,
  preparation,
  followup,
  ${cautionFields},
  ${seoFields}
}`)

export const FEED_CONCERNS_QUERY =
  defineQuery(`*[_type == "concern" && defined(slug.current)] | order(slug.current asc, _id asc) {
  ${systemFields},
  title,
  "slug": slug.current,
  description,
  synonyms,
  ${seoFields}
}`)

export const FEED_SKIN_TYPES_QUERY =
  defineQuery(`*[_type == "skinType" && defined(slug.current)] | order(slug.current asc, _id asc) {
  ${systemFields},
  title,
  "slug": slug.current,
  description,
  synonyms,
  kind,
  fitzpatrick,
  ${seoFields}
}`)

export const FEED_SERUMS_QUERY =
  defineQuery(`*[_type == "serum" && defined(slug.current)] | order(slug.current asc, _id asc) {
  ${systemFields},
  title,
  "slug": slug.current,
  description,
  synonyms,
  kind,
  timing,
  cautions,
  ${seoFields}
}`)

/** Contraindications are not pages: cautions show their title and description. */
export const FEED_CONTRAINDICATIONS_QUERY =
  defineQuery(`*[_type == "contraindication" && defined(slug.current)] | order(slug.current asc, _id asc) {
  _id,
  title,
  "slug": slug.current,
  description
}`)

/**
 * Partner documents: never pages. The exporter turns each enabled one into a partner profile
 * (scripts/feeds/partners.ts); their contact and notify URL never reach an output.
 */
export const PARTNERS_QUERY = defineQuery(`*[_type == "partner"] | order(_id asc)`)
