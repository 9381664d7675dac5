/**
 * Desk structure: content first, then what needs an editor's attention ("Needs review"), then the
 * taxonomy it links to, then people, then the syndication partners ("Partners"). Also the
 * review-state badge on documents: it lives here because this file is part of the Studio build's
 * cache key (scripts/studio/build.ts).
 *
 * Review state and the claims lint come from schemas/rules/, the same functions the validation
 * and the exporter use; the clock is read here, at the Studio's edge.
 */
import {map} from 'rxjs'
import {
  isDocumentSchemaType,
  type DocumentBadgeComponent,
  type DocumentBadgeDescription,
  type DocumentBadgesResolver,
  type Schema,
} from 'sanity'
import type {ListItemBuilder, StructureBuilder, StructureResolver} from 'sanity/structure'
import {claimText, uncitedClaims} from '../../schemas/rules/claims.ts'
import {
  REVIEW_MONTHS,
  reviewCutoff,
  reviewState,
  type ReviewState,
} from '../../schemas/rules/review.ts'

const API_VERSION = '2025-02-19'

const now = () => new Date().toISOString()

/** Whether documents of this type carry a medical review (a field of type `review`). */
function hasReview(schema: Schema, typeName: string): boolean {
  const type = schema.get(typeName)
  // The base `document` type passes isDocumentSchemaType without having fields.
  return isDocumentSchemaType(type) && (type.fields ?? []).some((f) => f.type.name === 'review')
}

const reviewedTypes = (schema: Schema) => schema.getTypeNames().filter((n) => hasReview(schema, n))

interface ClaimSource {
  _id: string
  title?: unknown
  summary?: unknown
  body?: unknown
  citations?: unknown[] | null
}

/**
 * The ids (published and draft) of benefits whose absolute claims no citation backs, judged on the
 * version an editor sees: the draft when there is one.
 */
export function flaggedClaimIds(docs: readonly ClaimSource[]): string[] {
  const shown = new Map<string, ClaimSource>()
  for (const doc of docs) {
    const published = doc._id.replace(/^drafts\./, '')
    if (doc._id.startsWith('drafts.') || !shown.has(published)) shown.set(published, doc)
  }
  return [...shown]
    .filter(([, doc]) => uncitedClaims(claimText(doc), doc.citations).length > 0)
    .flatMap(([id]) => [id, `drafts.${id}`])
    .sort()
}

type Context = Parameters<StructureResolver>[1]

function needsReview(S: StructureBuilder, context: Context): ListItemBuilder {
  const types = reviewedTypes(context.schema)
  return S.listItem()
    .id('needs-review')
    .title('Needs review')
    .child(
      S.list()
        .id('needs-review')
        .title('Needs review')
        .items([
          S.listItem()
            .id('never-reviewed')
            .title('Never reviewed')
            .child(
              S.documentList()
                .id('never-reviewed')
                .title('Never reviewed')
                .apiVersion(API_VERSION)
                .filter('_type in $types && !defined(review.lastReviewed)')
                .params({types}),
            ),
          S.listItem()
            .id('review-expired')
            .title(`Review expired (over ${REVIEW_MONTHS} months)`)
            // A function child: the cutoff is worked out from today each time the list opens.
            .child(() =>
              S.documentList()
                .id('review-expired')
                .title('Review expired')
                .apiVersion(API_VERSION)
                .filter('_type in $types && review.lastReviewed < $cutoff')
                .params({types, cutoff: reviewCutoff(now())}),
            ),
          S.listItem()
            .id('claims-flagged')
            .title('Claims flagged (no citation)')
            // GROQ cannot run the claims lint's patterns: follow the benefits live, lint them with
            // the function the validation uses, and list the flagged ones by id.
            .child(() =>
              context.documentStore
                .listenQuery(
                  '*[_type == "benefit" && !(_id in path("versions.**"))]{_id, title, summary, body, citations}',
                  {},
                  {apiVersion: API_VERSION, perspective: 'raw', throttleTime: 1000},
                )
                .pipe(
                  map((docs: ClaimSource[]) =>
                    S.documentList()
                      .id('claims-flagged')
                      .title('Claims flagged')
                      .schemaType('benefit')
                      .apiVersion(API_VERSION)
                      .filter('_type == "benefit" && _id in $ids')
                      .params({ids: flaggedClaimIds(docs)}),
                  ),
                ),
            ),
        ]),
    )
}

export const structure: StructureResolver = (S, context) =>
  S.list()
    .title('Content')
    .items([
      S.documentTypeListItem('article').title('Articles'),
      S.documentTypeListItem('benefit').title('Benefits'),
      needsReview(S, context),
      S.divider(),
      S.listItem()
        .title('Taxonomy')
        .child(
          S.list()
            .title('Taxonomy')
            .items([
              S.documentTypeListItem('treatment').title('Treatments'),
              S.documentTypeListItem('concern').title('Skin concerns'),
              S.documentTypeListItem('skinType').title('Skin types'),
              S.documentTypeListItem('serum').title('Adjuncts'),
              S.documentTypeListItem('contraindication').title('Contraindications'),
            ]),
        ),
      S.divider(),
      S.documentTypeListItem('person').title('Reviewers'),
      S.divider(),
      S.documentTypeListItem('partner').title('Partners'),
    ])

const BADGES: Record<ReviewState, DocumentBadgeDescription> = {
  current: {
    label: 'Reviewed',
    title: `Medically reviewed within the last ${REVIEW_MONTHS} months`,
    color: 'success',
  },
  expired: {
    label: 'Review expired',
    title: `Last medical review more than ${REVIEW_MONTHS} months ago`,
    color: 'warning',
  },
  never: {label: 'Not reviewed', title: 'No medical review date recorded', color: 'danger'},
}

/** The review state of the version being edited (a release version, else the draft, else published). */
export const ReviewBadge: DocumentBadgeComponent = (props) => {
  const doc = props.version ?? props.draft ?? props.published
  if (!doc) return null
  return BADGES[reviewState(doc.review as {lastReviewed?: string} | undefined, now())]
}

/** The review badge, on document types that carry a review. */
export const reviewBadges: DocumentBadgesResolver = (prev, context) =>
  hasReview(context.schema, context.schemaType) ? [...prev, ReviewBadge] : prev
