/** Medical review metadata: who checked the content and when (schema.org reviewedBy / lastReviewed). */
import {defineField, defineType} from 'sanity'
import {REVIEW_MONTHS, REVIEW_MONTHS_ENV, reviewCutoff, reviewState} from '../rules/review.ts'

export const review = defineType({
  name: 'review',
  title: 'Medical review',
  type: 'object',
  options: {collapsible: true},
  fields: [
    defineField({
      name: 'reviewedBy',
      title: 'Reviewed by',
      type: 'reference',
      to: [{type: 'person'}],
      description: 'The clinician who reviewed this content.',
    }),
    defineField({
      name: 'lastReviewed',
      title: 'Last reviewed',
      type: 'date',
      description: `Date of the last medical review. A review counts for ${REVIEW_MONTHS} months; partners that accept only reviewed content use this.`,
      validation: (rule) => [
        rule.custom((value, context) => {
          const parent = context.parent as {reviewedBy?: unknown} | undefined
          if (value && !parent?.reviewedBy) return 'A review date needs a reviewer'
          if (!value && parent?.reviewedBy) return 'A reviewer needs a review date'
          return true
        }),
        rule
          .custom((value) => {
            // The clock is read here, at the Studio's edge; reviewState takes "now" as an input.
            const now = new Date().toISOString()
            if (typeof value !== 'string' || reviewState({lastReviewed: value}, now) !== 'expired')
              return true
            return `Review expired: last reviewed ${value}, more than ${REVIEW_MONTHS} months ago (reviews dated before ${reviewCutoff(now)} have expired; ${REVIEW_MONTHS_ENV} sets the period). Have the content reviewed again and update this date`
          })
          .warning(),
      ],
    }),
    defineField({
      // The older model's free-text reviewer. Kept (read-only, hidden when empty) so documents not
      // yet migrated still open and validate; migrations/2026-11-02-reviewer-name-to-person moves
      // it to `reviewedBy`.
      name: 'reviewer',
      title: 'Reviewer (old free-text field)',
      type: 'string',
      readOnly: true,
      hidden: ({value}) => value === undefined,
      deprecated: {
        reason:
          'Use "Reviewed by" (a person). `npm run migrate` converts this text into a person reference.',
      },
      validation: (rule) =>
        rule
          .custom((value) =>
            value === undefined
              ? true
              : 'Free-text reviewer from the old model: run `npm run migrate` to turn it into "Reviewed by"',
          )
          .warning(),
    }),
    defineField({
      name: 'notes',
      title: 'Reviewer notes',
      type: 'text',
      rows: 3,
      description: 'Internal: what the reviewer asked to change. Never exported.',
    }),
  ],
})
