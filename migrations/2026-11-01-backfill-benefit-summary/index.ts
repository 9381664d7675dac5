/**
 * Benefits need a summary (cards, feeds and the meta description use it), but the Studio lets
 * editors save a benefit without one. Backfill the missing ones from the first sentence of the
 * body — the same rule the importer uses. Drafts are migrated too. Schema change that goes with
 * it: `benefit.summary` warns when empty (schemas/documents/benefit.ts).
 */
import {at, defineMigration, set} from 'sanity/migrate'
import {summaryFromBody} from './summary.ts'

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '')

export default defineMigration({
  title: 'Backfill missing benefit summaries from the first sentence of the body',
  documentTypes: ['benefit'],
  filter: '!defined(summary) || summary == ""',
  migrate: {
    document(doc) {
      // Checked here too, not only in `filter`: a handler must be safe on any document it is given.
      if (!isBlank(doc.summary)) return undefined
      const summary = summaryFromBody(doc.body)
      return summary ? at('summary', set(summary)) : undefined
    },
  },
})
