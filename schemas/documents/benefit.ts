/** One benefit of a treatment, with the concerns, skin types and adjuncts it mentions. */
import {defineField, defineType} from 'sanity'
import {BODY_AREAS} from '../rules/bodyAreas.ts'
import {blocksToPlainText, claimsMessage} from '../rules/claims.ts'
import {rawHtmlWarnings} from '../rules/rawHtml.ts'
import {reviewField, seoField, slugField, titleField} from '../fields.ts'
import {cautionsField} from '../objects/caution.ts'
import {linkMember} from '../objects/link.ts'

/** Positive links of one target type, each with the sentence it was read from (objects/link.ts). */
const links = (name: string, title: string, to: string, description: string) =>
  defineField({
    name,
    title,
    type: 'array',
    description,
    of: [linkMember(to)],
    validation: (rule) =>
      rule
        .custom((value: Array<{target?: {_ref?: string}}> | undefined) => {
          const ids = (value ?? []).map((l) => l.target?._ref).filter(Boolean)
          return new Set(ids).size === ids.length || `Each ${title.toLowerCase()} entry only once`
        })
        .error(),
  })

export const benefit = defineType({
  name: 'benefit',
  title: 'Benefit',
  type: 'document',
  groups: [
    {name: 'content', title: 'Content', default: true},
    {name: 'links', title: 'Suits & addresses'},
    {name: 'cautions', title: 'Cautions'},
    {name: 'meta', title: 'SEO & review'},
  ],
  fields: [
    defineField({
      ...titleField('The benefit as a short heading, e.g. "Fades Acne Scars".'),
      group: 'content',
      validation: (rule) => [
        rule.required().error('Title is required'),
        rule.max(120),
        rule.custom((title) => (typeof title === 'string' ? claimsMessage(title) : true)).warning(),
      ],
    }),
    defineField({...slugField(), group: 'content'}),
    defineField({
      name: 'article',
      title: 'Article',
      type: 'reference',
      to: [{type: 'article'}],
      // Weak: the article lists this benefit too; two strong references would block deleting either.
      weak: true,
      readOnly: true,
      group: 'content',
      description:
        'Set by the importer: the article this benefit comes from. The list preview shows it and its treatment, so benefits with the same title can be told apart.',
    }),
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
      ...links('concerns', 'Concerns', 'concern', 'Skin concerns this benefit addresses.'),
      group: 'links',
    },
    {
      ...links(
        'skinTypes',
        'Skin types',
        'skinType',
        'Skin types, tones or conditions the benefit suits. Who it is not for goes under Cautions.',
      ),
      group: 'links',
    },
    {
      ...links(
        'serums',
        'Adjuncts',
        'serum',
        'Serums or adjunct procedures the benefit recommends.',
      ),
      group: 'links',
    },
    cautionsField(
      'Who or what this benefit is not for, or only with care: never shown as a benefit for them.',
    ),
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
    defineField({
      name: 'citations',
      title: 'Citations',
      type: 'evidence',
      group: 'meta',
      description:
        'Sources for the claims in this benefit. An absolute claim ("erases", "safe for all skin types") without one is flagged.',
    }),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  // Raw HTML kept as literal text by the importer (or pasted in): readers would see the tags.
  validation: (rule) => rule.custom((doc) => rawHtmlWarnings(doc, ['body'])).warning(),
  preview: {
    select: {
      title: 'title',
      // Treatment and article first: five "Erases Stretch Marks" differ only there.
      treatment: 'article.treatment.title',
      article: 'article.title',
      c0: 'concerns.0.target.title',
      c1: 'concerns.1.target.title',
      s0: 'skinTypes.0.target.title',
      x0: 'cautions.0.target.title',
      x0kind: 'cautions.0.kind',
    },
    prepare: ({
      title,
      treatment,
      article,
      c0,
      c1,
      s0,
      x0,
      x0kind,
    }: {
      title?: string
      treatment?: string
      article?: string
      c0?: string
      c1?: string
      s0?: string
      x0?: string
      x0kind?: string
    }) => ({
      title: title ?? 'Untitled benefit',
      subtitle: [
        [treatment, article].filter(Boolean).join(' · '),
        [c0, c1, s0].filter(Boolean).join(' · ') || 'no linked concerns or skin types',
        x0 ? `${x0kind === 'contraindicated' ? 'not for' : 'caution'}: ${x0}` : '',
      ]
        .filter(Boolean)
        .join(' — '),
    }),
  },
})
