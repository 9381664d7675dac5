/** A listicle about one treatment: an intro and its benefits in order. */
import {defineArrayMember, defineField, defineType} from 'sanity'
import {blocksToPlainText, claimsMessage} from '../rules/claims.ts'
import {rawHtmlWarnings} from '../rules/rawHtml.ts'
import {titleCheckMessage, type TitleSource} from '../rules/titles.ts'
import {reviewField, seoField, slugField, titleField} from '../fields.ts'

export const article = defineType({
  name: 'article',
  title: 'Article',
  type: 'document',
  groups: [
    {name: 'content', title: 'Content', default: true},
    {name: 'meta', title: 'SEO & review'},
    {name: 'source', title: 'Source'},
  ],
  // Raw HTML kept as literal text by the importer (or pasted in): readers would see the tags.
  validation: (rule) => rule.custom((doc) => rawHtmlWarnings(doc, ['intro'])).warning(),
  fields: [
    defineField({
      ...titleField('Headline, e.g. "10 Benefits of Microneedling".'),
      group: 'content',
      validation: (rule) => [
        rule.required().error('Title is required'),
        rule.max(120),
        rule.custom((_title, context) => titleCheckMessage(context.document)).warning(),
      ],
    }),
    defineField({
      name: 'titleConfirmed',
      title: 'Title confirmed',
      type: 'boolean',
      group: 'content',
      description:
        'The importer made this title from the file name. Tick to keep it as it is; changing the title also ends the "check the title" warning.',
      hidden: ({document}) => document?.titleSource !== 'fileName',
    }),
    defineField({...slugField(), group: 'content'}),
    defineField({
      name: 'treatment',
      title: 'Treatment',
      type: 'reference',
      to: [{type: 'treatment'}],
      group: 'content',
      description: 'The procedure this article is about.',
    }),
    defineField({
      name: 'summary',
      title: 'Summary',
      type: 'text',
      rows: 2,
      group: 'content',
      description: 'One or two sentences for feeds and cards.',
      validation: (rule) => rule.max(300).warning('Keep the summary under 300 characters'),
    }),
    defineField({
      name: 'intro',
      title: 'Intro',
      type: 'blockContent',
      group: 'content',
      validation: (rule) =>
        rule.custom((intro) => claimsMessage(blocksToPlainText(intro))).warning(),
    }),
    defineField({
      name: 'benefits',
      title: 'Benefits',
      type: 'array',
      group: 'content',
      description: 'In the order readers see them.',
      of: [defineArrayMember({type: 'reference', to: [{type: 'benefit'}]})],
      validation: (rule) =>
        rule.required().min(1).unique().error('An article needs at least one benefit, each once'),
    }),
    defineField({
      name: 'publishedAt',
      title: 'Published at',
      type: 'datetime',
      group: 'content',
      description: 'Feeds use this as the publication date.',
    }),
    defineField({...seoField(), group: 'meta'}),
    defineField({...reviewField(), group: 'meta'}),
    defineField({name: 'source', title: 'Source', type: 'sourceFile', group: 'source'}),
    defineField({
      name: 'titleSource',
      title: 'Title from',
      type: 'string',
      group: 'source',
      readOnly: true,
      description:
        'Set by the importer: where the title came from. A title made from the file name is a placeholder; the title field warns until an editor changes it or ticks "Title confirmed". A later import keeps a title an editor changed or confirmed.',
      options: {
        list: [
          {title: 'The text (# Title or title line)', value: 'text'},
          {title: 'The --title option', value: 'option'},
          {title: 'The file name', value: 'fileName'},
        ] satisfies Array<{title: string; value: TitleSource}>,
      },
    }),
  ],
  orderings: [
    {
      title: 'Published, newest first',
      name: 'publishedAtDesc',
      by: [{field: 'publishedAt', direction: 'desc'}],
    },
    {title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]},
  ],
  preview: {
    select: {title: 'title', treatment: 'treatment.title', benefits: 'benefits'},
    prepare: ({
      title,
      treatment,
      benefits,
    }: {
      title?: string
      treatment?: string
      benefits?: unknown[]
    }) => ({
      title: title ?? 'Untitled article',
      subtitle: [treatment, `${benefits?.length ?? 0} benefits`].filter(Boolean).join(' · '),
    }),
  },
})
