/**
 * A source that backs a claim: its title and one identifier a reader can follow (DOI, PubMed id or
 * https URL). The formats live in schemas/rules/citations.ts, where the exporter reads them too.
 * "Exactly one identifier" is checked by the list that holds citations (evidence.ts): Sanity's
 * headless validation turns an object type's own rules into warnings (it appends its unknown-field
 * check with `.warning()` to them), and `npm run validate` must fail on it as the Studio does.
 */
import {defineField, defineType} from 'sanity'
import {IDENTIFIER_LABELS, identifierProblem, type CitationIdentifier} from '../rules/citations.ts'

const identifier = (name: CitationIdentifier, description: string) =>
  defineField({
    name,
    title: IDENTIFIER_LABELS[name],
    // Plain strings, url included: Sanity's `url` type adds its own scheme rule, whose generic
    // message would repeat ours.
    type: 'string',
    description,
    validation: (rule) => rule.custom((value) => identifierProblem(name, value) ?? true),
  })

export const citation = defineType({
  name: 'citation',
  title: 'Citation',
  type: 'object',
  fields: [
    defineField({
      name: 'title',
      title: 'Title',
      type: 'string',
      description: 'The title of the study, review or page, as it is published.',
      validation: (rule) => rule.required().error('A citation needs the title of what it cites'),
    }),
    identifier('doi', 'The bare DOI, e.g. 10.1000/182.'),
    identifier('pmid', 'The PMID digits, e.g. 12345678.'),
    identifier('url', 'An https:// address, when the source has no DOI or PMID.'),
  ],
  preview: {
    select: {title: 'title', doi: 'doi', pmid: 'pmid', url: 'url'},
    prepare: ({
      title,
      doi,
      pmid,
      url,
    }: {
      title?: string
      doi?: string
      pmid?: string
      url?: string
    }) => ({
      title: title || 'Untitled citation',
      subtitle: doi ? `DOI ${doi}` : pmid ? `PMID ${pmid}` : url || 'no identifier',
    }),
  },
})
