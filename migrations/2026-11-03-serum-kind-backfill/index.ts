/**
 * `serum.kind` (topical serum vs adjunct procedure) came after the first adjuncts were entered, and
 * the schema requires it. Documents from before it have none: set 'procedure' for PRP
 * (platelet-rich plasma is an autologous blood product applied during treatment, not a serum) and
 * 'serum' for everything else — the field's initial value. No schema change: the rule already
 * exists; this makes old content satisfy it.
 */
import {at, defineMigration, setIfMissing} from 'sanity/migrate'

const PROCEDURE = /\bPRP\b|platelet[-\s]+rich\s+plasma/i

/** 'procedure' when the title or a synonym names PRP, else 'serum'. */
export function kindOf(doc: {[field: string]: unknown}): 'serum' | 'procedure' {
  const names = [doc.title, ...(Array.isArray(doc.synonyms) ? doc.synonyms : [])].filter(
    (n): n is string => typeof n === 'string',
  )
  return names.some((n) => PROCEDURE.test(n)) ? 'procedure' : 'serum'
}

export default defineMigration({
  title: 'Set the missing kind of adjuncts: procedure for PRP, serum otherwise',
  documentTypes: ['serum'],
  filter: '!defined(kind)',
  migrate: {
    document(doc) {
      if (doc.kind !== undefined) return undefined
      return at('kind', setIfMissing(kindOf(doc)))
    },
  },
})
