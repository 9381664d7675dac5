/** A condition a treatment or adjunct may not be for (active acne, keloid tendency, isotretinoin…). */
import {defineType} from 'sanity'
import {descriptionField, slugField, synonymsField, titleField} from '../fields.ts'

export const contraindication = defineType({
  name: 'contraindication',
  title: 'Contraindication',
  type: 'document',
  fields: [
    titleField('The condition, e.g. "Keloid or hypertrophic scarring tendency".'),
    slugField(),
    synonymsField(),
    descriptionField(),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {select: {title: 'title', subtitle: 'description'}},
})
