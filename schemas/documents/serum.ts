/**
 * An adjunct used with a treatment. Most are topical serums (hyaluronic acid, vitamin C, retinol);
 * some are not serums at all (PRP is an autologous blood product applied during the procedure),
 * hence `kind`.
 */
import {defineField, defineType} from 'sanity'
import {descriptionField, seoField, slugField, synonymsField, titleField} from '../fields.ts'

export const serum = defineType({
  name: 'serum',
  title: 'Adjunct (serum or procedure)',
  type: 'document',
  groups: [{name: 'meta', title: 'SEO'}],
  fields: [
    titleField('E.g. "Hyaluronic acid".'),
    slugField(),
    defineField({
      name: 'kind',
      title: 'Kind',
      type: 'string',
      options: {
        list: [
          {title: 'Topical serum', value: 'serum'},
          {title: 'Adjunct procedure (e.g. PRP)', value: 'procedure'},
        ],
        layout: 'radio',
      },
      initialValue: 'serum',
      validation: (rule) =>
        rule.required().error('Say whether this is a serum or an adjunct procedure'),
    }),
    defineField({
      name: 'timing',
      title: 'When it is used',
      type: 'array',
      of: [{type: 'string'}],
      options: {
        list: [
          {title: 'Before treatment', value: 'before'},
          {title: 'During treatment', value: 'during'},
          {title: 'After treatment', value: 'after'},
        ],
      },
      validation: (rule) => rule.unique(),
    }),
    defineField({
      name: 'cautions',
      title: 'Cautions',
      type: 'text',
      rows: 3,
      description: 'E.g. retinol and low-pH vitamin C can irritate freshly needled skin.',
    }),
    synonymsField(),
    descriptionField(),
    seoField(),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {
    select: {title: 'title', kind: 'kind', timing: 'timing'},
    prepare: ({title, kind, timing}: {title?: string; kind?: string; timing?: string[]}) => ({
      title: title ?? 'Untitled adjunct',
      subtitle: [
        kind === 'procedure' ? 'adjunct procedure' : 'serum',
        timing?.length ? timing.join('/') : '',
      ]
        .filter(Boolean)
        .join(' · '),
    }),
  },
})
