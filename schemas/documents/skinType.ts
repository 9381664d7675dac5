/** A skin type, tone range or skin condition a benefit says it suits (sensitive, mature, Fitzpatrick IV–VI…). */
import {defineField, defineType} from 'sanity'
import {descriptionField, seoField, slugField, synonymsField, titleField} from '../fields.ts'

export const skinType = defineType({
  name: 'skinType',
  title: 'Skin type',
  type: 'document',
  groups: [{name: 'meta', title: 'SEO'}],
  fields: [
    titleField('E.g. "Sensitive skin".'),
    slugField(),
    defineField({
      name: 'kind',
      title: 'Kind',
      type: 'string',
      description:
        'Types, tones and conditions are different things: keep them apart so frontends can filter.',
      options: {
        list: [
          {title: 'Skin type', value: 'type'},
          {title: 'Skin tone (Fitzpatrick)', value: 'tone'},
          {title: 'Skin condition', value: 'condition'},
        ],
        layout: 'radio',
      },
      initialValue: 'type',
      validation: (rule) =>
        rule.required().error('Choose whether this is a type, a tone or a condition'),
    }),
    defineField({
      name: 'fitzpatrick',
      title: 'Fitzpatrick range',
      type: 'string',
      description: 'For tones only, e.g. "I–III".',
      hidden: ({parent}) => (parent as {kind?: string} | undefined)?.kind !== 'tone',
    }),
    synonymsField(),
    descriptionField(),
    seoField(),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {
    select: {title: 'title', kind: 'kind'},
    prepare: ({title, kind}: {title?: string; kind?: string}) => ({
      title: title ?? 'Untitled skin type',
      subtitle: kind,
    }),
  },
})
