/**
 * The taxonomy as content: content/taxonomy/<type>s.json, one array of entries per document type.
 * Entries are checked once, every problem reported together; ids are `<type>-<slug>` (no dots:
 * dotted ids are private paths in Sanity). Treatments carry curated cautions that point at other
 * entries as `<type>:<slug>`; they become caution objects (relationMembers.ts) on the treatment.
 */
import {InputError, type Problem} from '../lib/errors.ts'
import {cautionMember, type CautionKind} from './relationMembers.ts'

export type TaxonomyType = 'treatment' | 'concern' | 'skinType' | 'serum' | 'contraindication'

/** File name (without .json) → document type. */
export const TAXONOMY_FILES: Readonly<Record<string, TaxonomyType>> = {
  treatments: 'treatment',
  concerns: 'concern',
  skinTypes: 'skinType',
  serums: 'serum',
  contraindications: 'contraindication',
}

export const TAXONOMY_TYPES: readonly TaxonomyType[] = [
  'treatment',
  'concern',
  'skinType',
  'serum',
  'contraindication',
]

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
  (check: FieldCheck, key = (s: unknown) => String(s).toLowerCase()): FieldCheck =>
  (v) => {
    if (!Array.isArray(v)) return 'must be an array'
    const bad = v.map(check).find(Boolean)
    if (bad) return `every entry ${bad}`
    const lower = v.map(key)
    const dup = lower.find((s, i) => lower.indexOf(s) !== i)
    return dup === undefined ? undefined : `lists "${dup}" twice`
  }

/** Kinds of curated caution, and what one may be about (a treatment is never the target). */
const CAUTION_KINDS = ['caution', 'contraindicated'] as const
const CAUTION_TARGETS: readonly TaxonomyType[] = [
  'concern',
  'skinType',
  'serum',
  'contraindication',
]
const MAX_ADVICE = 200

const caution: FieldCheck = (v) => {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    return 'must be an object {kind, target, advice?}'
  const {kind, target, advice, ...rest} = v as Record<string, unknown>
  const extra = Object.keys(rest)[0]
  if (extra !== undefined) return `must not have "${extra}" (only kind, target, advice)`
  if (oneOf(...CAUTION_KINDS)(kind)) return 'needs a kind of "caution" or "contraindicated"'
  const [type, slug] = typeof target === 'string' ? target.split(':') : []
  if (!CAUTION_TARGETS.includes(type as TaxonomyType) || !slug || !SLUG.test(slug))
    return `needs a target "<type>:<slug>" with a type of ${CAUTION_TARGETS.join(', ')}`
  if (advice !== undefined && (text(advice) || (advice as string).length > MAX_ADVICE))
    return `advice must be a non-empty string of at most ${MAX_ADVICE} characters`
  return undefined
}

const COMMON: Record<string, FieldCheck> = {synonyms: listOf(text), description: text}
const FIELDS: Record<TaxonomyType, Record<string, FieldCheck>> = {
  treatment: {
    ...COMMON,
    procedureType: oneOf('NoninvasiveProcedure', 'PercutaneousProcedure', 'SurgicalProcedure'),
    howPerformed: text,
    preparation: text,
    followup: text,
    cautions: listOf(caution, (c) => {
      const {kind, target} = c as {kind: string; target: string}
      return `${kind} ${target}`
    }),
  },
  concern: COMMON,
  skinType: {...COMMON, kind: oneOf('type', 'tone', 'condition'), fitzpatrick: text},
  serum: {
    ...COMMON,
    kind: oneOf('serum', 'procedure'),
    timing: listOf(oneOf('before', 'during', 'after')),
    cautions: text,
  },
  contraindication: COMMON,
}
const REQUIRED: Record<TaxonomyType, string[]> = {
  treatment: [],
  concern: [],
  skinType: ['kind'],
  serum: ['kind'],
  contraindication: ['description'],
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** Parse and check taxonomy files; `name` is the file's base name, e.g. `concerns.json`. */
export function parseTaxonomy(
  files: ReadonlyArray<{file: string; name: string; text: string}>,
): TaxonomyDoc[] {
  const problems: Problem[] = []
  const docs: TaxonomyDoc[] = []
  const withCautions: Array<{doc: TaxonomyDoc; file: string; path: string}> = []
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
        const doc: TaxonomyDoc = {
          _id: taxonomyId(type, slug),
          _type: type,
          title: title.trim(),
          slug: {_type: 'slug', current: slug},
          ...rest,
        }
        docs.push(doc)
        if (Array.isArray(rest.cautions) && type === 'treatment')
          withCautions.push({doc, file, path: at('cautions')})
      }
    })
  }
  if (problems.length === 0) problems.push(...resolveCautions(withCautions, docs))
  if (problems.length) throw new InputError(problems)
  return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
}

/**
 * Curated cautions (`{kind, target: "contraindication:active-acne", advice}`) → caution objects
 * referencing the target's id; a target no taxonomy file defines is a problem.
 */
function resolveCautions(
  treatments: ReadonlyArray<{doc: TaxonomyDoc; file: string; path: string}>,
  docs: readonly TaxonomyDoc[],
): Problem[] {
  const ids = new Set(docs.map((d) => d._id))
  const problems: Problem[] = []
  for (const {doc, file, path} of treatments) {
    const curated = doc.cautions as Array<{kind: CautionKind; target: string; advice?: string}>
    doc.cautions = curated.map(({kind, target, advice}, i) => {
      const [type, slug] = target.split(':') as [TaxonomyType, string]
      const id = taxonomyId(type, slug)
      if (!ids.has(id))
        problems.push({
          file,
          level: 'error',
          path: `${path}[${i}].target`,
          message: `"${target}" names no entry in the taxonomy (no ${id})`,
        })
      return cautionMember(kind, id, advice ? {advice} : {})
    })
  }
  return problems
}
