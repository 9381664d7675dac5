/** One benefit of a treatment, with the concerns, skin types and adjuncts it mentions. */
import {defineArrayMember, defineField, defineType} from 'sanity'
import {BODY_AREAS} from '../rules/bodyAreas.ts'
import {blocksToPlainText, claimsMessage} from '../rules/claims.ts'
import {reviewField, seoField, slugField, titleField} from '../fields.ts'

const refs = (name: string, title: string, to: string, description: string) =>
  defineField({
    name,
    title,
    type: 'array',
    description,
    of: [defineArrayMember({type: 'reference', to: [{type: to}]})],
    validation: (rule) => rule.unique().error(`Each ${title.toLowerCase()} entry only once`),
  })

export const benefit = defineType({
  name: 'benefit',
  title: 'Benefit',
  type: 'document',
  groups: [
    {name: 'content', title: 'Content', default: true},
    {name: 'links', title: 'Links'},
    {name: 'meta', title: 'SEO & review'},
  ],
  fields: [
    defineField({
      ...titleField('The benefit as a short heading, e.g. "Fades Acne Scars".'),
      group: 'content',
      validation: (rule) => [
        rule.required().error('Title is required').max(120),
        rule.custom((title) => (typeof title === 'string' ? claimsMessage(title) : true)).warning(),
      ],
    }),
    defineField({...slugField(), group: 'content'}),
    defineField({
      name: 'summary',
      title: 'Summary',
      type: 'text',
      rows: 2,
      group: 'content',
      description: 'One sentence for cards, feeds and the meta description.',
      validation: (rule) => [
        rule.max(300).warning('Keep the summary under 300 characters'),
        // A warning, not required(): drafts may lack one, and `npm run migrate` backfills missing
        // summaries from the body (migrations/2026-11-01-backfill-benefit-summary).
        rule
          .custom((summary) =>
            typeof summary === 'string' && summary.trim() !== ''
              ? true
              : 'Add a one-sentence summary: cards, feeds and the meta description use it',
          )
          .warning(),
      ],
    }),
    defineField({
      name: 'body',
      title: 'Body',
      type: 'blockContent',
      group: 'content',
      validation: (rule) => [
        rule.required().min(1).error('Body needs at least one paragraph'),
        rule.custom((body) => claimsMessage(blocksToPlainText(body))).warning(),
      ],
    }),
    {
      ...refs('concerns', 'Concerns', 'concern', 'Skin concerns this benefit addresses.'),
      group: 'links',
    },
    {
      ...refs(
        'skinTypes',
        'Skin types',
        'skinType',
        'Skin types, tones or conditions the benefit names.',
      ),
      group: 'links',
    },
    {
      ...refs(
        'serums',
        'Adjuncts',
        'serum',
        'Serums or adjunct procedures the benefit recommends.',
      ),
      group: 'links',
    },
    defineField({
      name: 'bodyAreas',
      title: 'Body areas',
      type: 'array',
      group: 'links',
      of: [{type: 'string'}],
      options: {list: BODY_AREAS.map((a) => ({title: a, value: a}))},
      validation: (rule) => rule.unique(),
    }),
    defineField({...seoField(), group: 'meta'}),
    defineField({...reviewField(), group: 'meta'}),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {
    select: {
      title: 'title',
      c0: 'concerns.0.title',
      c1: 'concerns.1.title',
      s0: 'skinTypes.0.title',
    },
    prepare: ({title, c0, c1, s0}: {title?: string; c0?: string; c1?: string; s0?: string}) => ({
      title: title ?? 'Untitled benefit',
      subtitle: [c0, c1, s0].filter(Boolean).join(' · ') || 'no linked concerns or skin types',
    }),
  },
})
