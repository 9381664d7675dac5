/** Positive links as array members: the target, and the sentence the importer read it from. */
import {defineArrayMember, defineField} from 'sanity'

/** The sentence the importer read a link or caution from, for an editor to check it against. */
export const sourceSentenceField = () =>
  defineField({
    name: 'source',
    title: 'Source sentence',
    type: 'text',
    rows: 2,
    readOnly: true,
    description: 'The sentence the importer read this from, to check it against.',
  })

/**
 * A positive link (suits a skin type, addresses a concern, recommends an adjunct) with the sentence
 * it was read from. One member type per target type, so a concern field can only hold concerns.
 */
export const linkMember = (to: string) =>
  defineArrayMember({
    name: 'link',
    title: 'Link',
    type: 'object',
    fields: [
      defineField({
        name: 'target',
        title: 'Target',
        type: 'reference',
        to: [{type: to}],
        validation: (rule) => rule.required().error('A link needs its target'),
      }),
      sourceSentenceField(),
    ],
    preview: {
      select: {title: 'target.title', subtitle: 'source'},
    },
  })
