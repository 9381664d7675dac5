/** Field definitions shared by several document types (title, slug, synonyms, description). */
import {defineField} from 'sanity'
import {SLUG_MAX_LENGTH, slugify} from './rules/slug.ts'

export const titleField = (description: string) =>
  defineField({
    name: 'title',
    title: 'Title',
    type: 'string',
    description,
    // Two rules: a rule's `.error(message)` names every failure of its chain, so a long title
    // would otherwise read "Title is required".
    validation: (rule) => [rule.required().error('Title is required'), rule.max(120)],
  })

export const slugField = () =>
  defineField({
    name: 'slug',
    title: 'Slug',
    type: 'slug',
    description: 'The last part of the page URL. Generate it from the title.',
    // The importer's slugify too, so "Generate" gives the slug an import would (schemas/rules/slug.ts).
    options: {source: 'title', maxLength: SLUG_MAX_LENGTH, slugify},
    validation: (rule) => rule.required().error('Slug is required: frontends build URLs from it'),
  })

export const synonymsField = () =>
  defineField({
    name: 'synonyms',
    title: 'Synonyms',
    type: 'array',
    of: [{type: 'string'}],
    description:
      'Words readers use for this (e.g. "dark marks", "sun spots"). The importer links benefits that mention any of them (whole words, any case).',
    options: {layout: 'tags'},
    validation: (rule) => rule.unique().error('Each synonym only once'),
  })

export const descriptionField = () =>
  defineField({
    name: 'description',
    title: 'Description',
    type: 'text',
    rows: 4,
    description: 'One short paragraph for the taxonomy page.',
  })

export const seoField = () => defineField({name: 'seo', title: 'SEO', type: 'seo', group: 'meta'})
export const reviewField = () =>
  defineField({name: 'review', title: 'Medical review', type: 'review', group: 'meta'})
