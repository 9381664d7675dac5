/** Search and sharing metadata; frontends fall back to title and summary when empty. */
import {defineField, defineType} from 'sanity'

export const seo = defineType({
  name: 'seo',
  title: 'SEO',
  type: 'object',
  options: {collapsible: true, collapsed: true},
  fields: [
    defineField({
      name: 'metaTitle',
      title: 'Meta title',
      type: 'string',
      description: 'Shown in search results. Defaults to the title.',
      validation: (rule) =>
        rule.max(70).warning('Meta titles over 70 characters are cut off in search results'),
    }),
    defineField({
      name: 'metaDescription',
      title: 'Meta description',
      type: 'text',
      rows: 3,
      description: 'One or two sentences for search results. Defaults to the summary.',
      validation: (rule) =>
        rule
          .max(160)
          .warning('Meta descriptions over 160 characters are cut off in search results'),
    }),
    defineField({
      name: 'noIndex',
      title: 'Hide from search engines',
      type: 'boolean',
      initialValue: false,
    }),
  ],
})
