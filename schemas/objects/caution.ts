/**
 * Who a treatment or benefit is not for: a relation that means "careful" or "not at all", never
 * "good for". Kept apart from the positive links (their own field and group) so no reader, query
 * or export can mistake one for the other.
 */
import {defineArrayMember, defineField, defineType} from 'sanity'
import {sourceSentenceField} from './link.ts'

export const CAUTION_KINDS = [
  {title: 'Caution', value: 'caution'},
  {title: 'Contraindicated', value: 'contraindicated'},
] as const

export const caution = defineType({
  name: 'caution',
  title: 'Caution',
  type: 'object',
  fields: [
    defineField({
      name: 'kind',
      title: 'Kind',
      type: 'string',
      description: 'Contraindicated: not for them at all. Caution: possible with the advice below.',
      options: {list: [...CAUTION_KINDS], layout: 'radio', direction: 'horizontal'},
      initialValue: 'caution',
      validation: (rule) => rule.required().error('Choose caution or contraindicated'),
    }),
    defineField({
      name: 'target',
      title: 'Who or what',
      type: 'reference',
      to: [{type: 'skinType'}, {type: 'concern'}, {type: 'serum'}, {type: 'contraindication'}],
      validation: (rule) =>
        rule
          .required()
          .error('A caution needs the skin type, concern, adjunct or condition it is about'),
    }),
    defineField({
      name: 'advice',
      title: 'Advice',
      type: 'string',
      description: 'What to do instead, e.g. "Pause retinol for 3 days before and after".',
      validation: (rule) => rule.max(200),
    }),
    sourceSentenceField(),
  ],
  preview: {
    select: {kind: 'kind', target: 'target.title', advice: 'advice', source: 'source'},
    prepare: ({
      kind,
      target,
      advice,
      source,
    }: {
      kind?: string
      target?: string
      advice?: string
      source?: string
    }) => ({
      title: `${kind === 'contraindicated' ? 'Not for' : 'Caution'}: ${target ?? 'unknown'}`,
      subtitle: advice ?? source,
    }),
  },
})

/** Who a benefit or treatment is not for: its own field and Studio group (`cautions`). */
export const cautionsField = (description: string) =>
  defineField({
    name: 'cautions',
    title: 'Cautions and contraindications',
    type: 'array',
    group: 'cautions',
    description,
    of: [defineArrayMember({type: 'caution'})],
  })
