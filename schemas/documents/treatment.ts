/** The procedure an article is about (schema.org MedicalProcedure). */
import {defineField, defineType} from 'sanity'
import {cautionsField} from '../objects/caution.ts'
import {descriptionField, seoField, slugField, synonymsField, titleField} from '../fields.ts'

export const treatment = defineType({
  name: 'treatment',
  title: 'Treatment',
  type: 'document',
  groups: [
    {name: 'cautions', title: 'Cautions'},
    {name: 'meta', title: 'SEO'},
  ],
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
    cautionsField(
      'Who the treatment is not for, or only with care (curated in content/taxonomy/treatments.json).',
    ),
    seoField(),
  ],
  orderings: [{title: 'Title', name: 'titleAsc', by: [{field: 'title', direction: 'asc'}]}],
  preview: {
    select: {title: 'title', type: 'procedureType', x0: 'cautions.0.target.title'},
    prepare: ({title, type, x0}: {title?: string; type?: string; x0?: string}) => ({
      title: title ?? 'Untitled treatment',
      subtitle: [type, x0 ? `not for: ${x0}…` : ''].filter(Boolean).join(' — '),
    }),
  },
})
