/**
 * A benefit's links to concerns, skin types and adjuncts now carry the sentence they were read
 * from, so an editor can check each one, and what a benefit is not for has a field of its own
 * (`cautions`). Links were plain references; each becomes a `link` object holding the same
 * reference (same `_key`, same target, same strength). Their source sentence is unknown for links
 * made before this, so it stays empty: a re-import fills it. Nothing becomes a caution here: an
 * old positive link is what an editor or the old importer decided, and only the text can say
 * otherwise (re-import, or edit in the Studio).
 */
import {at, defineMigration, set} from 'sanity/migrate'

export const LINK_FIELDS = ['concerns', 'skinTypes', 'serums'] as const

type Member = {_key?: unknown; _type?: unknown; _ref?: unknown; _weak?: unknown}

/** A plain reference array member as a link object; anything else (already a link) as it is. */
export function asLink(member: unknown): unknown {
  const m = member as Member
  if (!m || typeof m !== 'object' || m._type !== 'reference' || typeof m._ref !== 'string')
    return member
  const {_key, _type, ...reference} = m
  return {
    ...(_key === undefined ? {} : {_key}),
    _type: 'link',
    target: {_type, ...reference},
  }
}

export default defineMigration({
  title: 'Benefit links become link objects (target + source sentence)',
  documentTypes: ['benefit'],
  filter: LINK_FIELDS.map((f) => `count(${f}[_type == "reference"]) > 0`).join(' || '),
  migrate: {
    document(doc) {
      const patches = LINK_FIELDS.flatMap((field) => {
        const value = doc[field]
        if (!Array.isArray(value) || !value.some((m) => asLink(m) !== m)) return []
        return [at(field, set(value.map(asLink)))]
      })
      return patches.length ? patches : undefined
    },
  },
})
