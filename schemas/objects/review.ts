/** Medical review metadata: who checked the content and when (schema.org reviewedBy / lastReviewed). */
import {defineField, defineType} from 'sanity'

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
      description: 'Date of the last medical review. Partners that accept only reviewed content use this.',
      validation: (rule) =>
        rule.custom((value, context) => {
          const parent = context.parent as {reviewedBy?: unknown} | undefined
          if (value && !parent?.reviewedBy) return 'A review date needs a reviewer'
          if (!value && parent?.reviewedBy) return 'A reviewer needs a review date'
          return true
        }),
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
