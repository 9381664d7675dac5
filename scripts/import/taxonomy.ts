/**
 * The taxonomy as content: content/taxonomy/<type>s.json, one array of entries per document type.
 * Entries are checked once, every problem reported together; ids are `<type>-<slug>` (no dots:
 * dotted ids are private paths in Sanity).
 */
import {InputError, type Problem} from '../lib/errors.ts'

export type TaxonomyType = 'treatment' | 'concern' | 'skinType' | 'serum'

/** File name (without .json) → document type. */
export const TAXONOMY_FILES: Readonly<Record<string, TaxonomyType>> = {
  treatments: 'treatment',
  concerns: 'concern',
  skinTypes: 'skinType',
  serums: 'serum',
}

export const TAXONOMY_TYPES: readonly TaxonomyType[] = ['treatment', 'concern', 'skinType', 'serum']

export interface TaxonomyDoc {
  _id: string
  _type: TaxonomyType
  title: string
  slug: {_type: 'slug'; current: string}
  synonyms?: string[]
  description?: string
  [field: string]: unknown
}

export const taxonomyId = (type: TaxonomyType, slug: string): string => `${type}-${slug}`

type FieldCheck = (value: unknown) => string | undefined

const text: FieldCheck = (v) =>
  typeof v === 'string' && v.trim() !== '' ? undefined : 'must be a non-empty string'
const oneOf =
  (...allowed: string[]): FieldCheck =>
  (v) =>
    typeof v === 'string' && allowed.includes(v)
      ? undefined
      : `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`
const listOf =
  (check: FieldCheck): FieldCheck =>
  (v) => {
    if (!Array.isArray(v)) return 'must be an array'
    const bad = v.map(check).find(Boolean)
    if (bad) return `every entry ${bad}`
    const lower = v.map((s) => String(s).toLowerCase())
    const dup = lower.find((s, i) => lower.indexOf(s) !== i)
    return dup === undefined ? undefined : `lists "${dup}" twice`
  }

const COMMON: Record<string, FieldCheck> = {synonyms: listOf(text), description: text}
const FIELDS: Record<TaxonomyType, Record<string, FieldCheck>> = {
  treatment: {
    ...COMMON,
    procedureType: oneOf('NoninvasiveProcedure', 'PercutaneousProcedure', 'SurgicalProcedure'),
    howPerformed: text,
    preparation: text,
    followup: text,
  },
  concern: COMMON,
  skinType: {...COMMON, kind: oneOf('type', 'tone', 'condition'), fitzpatrick: text},
  serum: {
    ...COMMON,
    kind: oneOf('serum', 'procedure'),
    timing: listOf(oneOf('before', 'during', 'after')),
    cautions: text,
  },
}
const REQUIRED: Record<TaxonomyType, string[]> = {
  treatment: [],
  concern: [],
  skinType: ['kind'],
  serum: ['kind'],
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** Parse and check taxonomy files; `name` is the file's base name, e.g. `concerns.json`. */
export function parseTaxonomy(
  files: ReadonlyArray<{file: string; name: string; text: string}>,
): TaxonomyDoc[] {
  const problems: Problem[] = []
  const docs: TaxonomyDoc[] = []
  for (const {file, name, text: json} of files) {
    const type = TAXONOMY_FILES[name.replace(/\.json$/, '')]
    const problem = (message: string, path?: string, line?: number) =>
      problems.push({
        file,
        level: 'error',
        message,
        ...(path ? {path} : {}),
        ...(line ? {line} : {}),
      })
    if (!type) {
      problem(
        `unknown taxonomy file; expected one of ${Object.keys(TAXONOMY_FILES)
          .map((k) => `${k}.json`)
          .join(', ')}`,
      )
      continue
    }
    let entries: unknown
    try {
      entries = JSON.parse(json)
    } catch (e) {
      const line = /line (\d+)/.exec((e as Error).message)?.[1]
      problem(`invalid JSON: ${(e as Error).message}`, undefined, line ? Number(line) : undefined)
      continue
    }
    if (!Array.isArray(entries)) {
      problem('expected a JSON array of entries')
      continue
    }
    const slugs = new Map<string, number>()
    const synonyms = new Map<string, string>()
    entries.forEach((entry: unknown, i) => {
      const at = (field?: string) => `[${i}]${field ? `.${field}` : ''}`
      if (!entry || typeof entry !== 'object' || Array.isArray(entry))
        return problem('expected an object', at())
      const e = entry as Record<string, unknown>
      const {slug, title, ...rest} = e
      if (typeof slug !== 'string' || !SLUG.test(slug))
        problem('slug must be lower-case words joined by "-" (no dots)', at('slug'))
      else if (slugs.has(slug))
        problem(`slug "${slug}" is also used by entry [${slugs.get(slug)}]`, at('slug'))
      else slugs.set(slug, i)
      if (text(title)) problem('title is required', at('title'))
      for (const [field, value] of Object.entries(rest)) {
        const check = FIELDS[type][field]
        if (!check) problem(`unknown field "${field}" for ${type}`, at(field))
        else {
          const message = check(value)
          if (message) problem(`${field} ${message}`, at(field))
        }
      }
      for (const field of REQUIRED[type])
        if (!(field in e)) problem(`${field} is required for ${type}`, at(field))
      // One phrase naming two entries would make links ambiguous.
      for (const term of [title, ...(Array.isArray(e.synonyms) ? e.synonyms : [])]) {
        if (typeof term !== 'string') continue
        const key = term.toLowerCase()
        const owner = synonyms.get(key)
        if (owner !== undefined && owner !== slug)
          problem(
            `"${term}" already names "${owner}"; a phrase may name one ${type} only`,
            at('synonyms'),
          )
        else synonyms.set(key, String(slug))
      }
      if (typeof slug === 'string' && typeof title === 'string') {
        docs.push({
          _id: taxonomyId(type, slug),
          _type: type,
          title: title.trim(),
          slug: {_type: 'slug', current: slug},
          ...rest,
        })
      }
    })
  }
  if (problems.length) throw new InputError(problems)
  return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
}
