/** A skin concern a treatment addresses (acne scars, hyperpigmentation, …). */
import {defineType} from 'sanity'
import {descriptionField, seoField, slugField, synonymsField, titleField} from '../fields.ts'

export const concern = defineType({
  name: 'concern',
  title: 'Skin concern',
  type: 'document',
  groups: [{name: 'meta', title: 'SEO'}],
  fields: [
    titleField('What readers call it, e.g. "Acne scars".'),
    slugField(),
    synonymsField(),
    descriptionField(),
    seoField(),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {
    select: {title: 'title', synonyms: 'synonyms'},
    prepare: ({title, synonyms}: {title?: string; synonyms?: string[]}) => ({
      title: title ?? 'Untitled concern',
      subtitle: synonyms?.length ? `also: ${synonyms.slice(0, 4).join(', ')}` : 'no synonyms',
    }),
  },
})
