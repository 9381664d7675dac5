/** Where imported content came from, so a re-import can tell whether the source changed. */
import {defineField, defineType} from 'sanity'

export const sourceFile = defineType({
  name: 'sourceFile',
  title: 'Source file',
  type: 'object',
  readOnly: true,
  description: 'Set by the importer.',
  fields: [
    defineField({name: 'fileName', title: 'File name', type: 'string'}),
    defineField({
      name: 'checksum',
      title: 'Checksum',
      type: 'string',
      description:
        'sha256 of the source text as imported (after BOM and line-ending normalisation).',
      validation: (rule) => rule.regex(/^sha256:[0-9a-f]{64}$/, {name: 'sha256 checksum'}),
    }),
    defineField({
      name: 'format',
      title: 'Format',
      type: 'string',
      options: {list: ['text', 'markdown']},
    }),
  ],
})
