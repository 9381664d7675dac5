/** The procedure an article is about (schema.org MedicalProcedure). */
import {defineField, defineType} from 'sanity'
import {descriptionField, seoField, slugField, synonymsField, titleField} from '../fields.ts'

export const treatment = defineType({
  name: 'treatment',
  title: 'Treatment',
  type: 'document',
  groups: [{name: 'meta', title: 'SEO'}],
  fields: [
    titleField('E.g. "Microneedling".'),
    slugField(),
    synonymsField(),
    descriptionField(),
    defineField({
      name: 'procedureType',
      title: 'Procedure type',
      type: 'string',
      description: 'schema.org MedicalProcedureType.',
      options: {
        list: [
          {title: 'Noninvasive', value: 'NoninvasiveProcedure'},
          {title: 'Percutaneous (minimally invasive)', value: 'PercutaneousProcedure'},
          {title: 'Surgical', value: 'SurgicalProcedure'},
        ],
      },
    }),
    defineField({name: 'howPerformed', title: 'How it is performed', type: 'text', rows: 3}),
    defineField({name: 'preparation', title: 'Preparation', type: 'text', rows: 3}),
    defineField({name: 'followup', title: 'Aftercare', type: 'text', rows: 3}),
    seoField(),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {select: {title: 'title', subtitle: 'procedureType'}},
})
