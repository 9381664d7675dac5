/**
 * Seeded documents of every document type in the schema, for the differential test of the fast
 * validation path (differential.test.ts): well-formed ones, ones with every field filled, and ones
 * broken the ways editors, importers and scripts break them — fields missing, null or of the wrong
 * JSON type, strings too long, bad URLs, DOIs, dates and slugs, claims and raw HTML the custom rules
 * flag, dangling, draft-only and self references, unknown fields and member types, empty arrays,
 * duplicate items and keys, documents turned into drafts.
 *
 * Everything structural comes from the compiled schema: the document types, their fields, array
 * members, option lists, references' target types, and which fields carry rules a generic value may
 * break (those are left out of the well-formed documents). The one hand-written part is TROUBLE,
 * a pool of values known to upset rules, which mutations drop anywhere in a document.
 */
import type {Schema, SchemaType} from 'sanity'
import {titleFromFileName} from '../../schemas/rules/titles.ts'
import {createRandom, type Random} from '../../scripts/synthetic/random.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

const today = new Date().toISOString().slice(0, 10)
const sha = 'sha256:' + 'ab12'.repeat(16)

/** Values that upset one rule or another (the schema's own and Sanity's built-in ones). */
const TROUBLE: unknown[] = [
  // claims (schemas/rules/claims.ts)
  'Erases stretch marks for good',
  'Safe for all skin types and tones',
  'A non-invasive, risk-free treatment',
  'Guaranteed flawless results',
  'It cures acne with no side effects',
  // raw HTML (schemas/rules/rawHtml.ts) and what is not HTML
  'Bold <b onclick="steal()">claims</b> here',
  'Before <script>alert(1)',
  '<!-- a comment --> text',
  'Heals in <3 weeks when a < b',
  // URLs (Sanity's uri rule, schemas/rules/urls.ts, citation URLs)
  'javascript:alert(1)',
  ' java\tscript:alert(1)',
  'ftp://files.example.org/x',
  'not a url',
  '/relative/path',
  '//cdn.example.org/x',
  'http://user:pw@example.org/',
  'mailto:editor@example.org',
  'http://example.org/plain-http',
  'https://example.org/fine',
  // DOIs and PubMed ids (schemas/rules/citations.ts)
  '10.1000/182',
  'doi:10.1000/182',
  'https://doi.org/10.1000/182',
  '10.12/x',
  '12345678',
  '0123',
  'PMID: 123',
  // dates (Sanity's date format, review expiry)
  '2019-01-01',
  today,
  '2021-02-30',
  'yesterday',
  '20200101',
  '2026-12-07T10:00:00Z',
  // checksums (sourceFile's regex)
  sha,
  'sha256:abc',
  // option-list values of several fields, in the wrong place or the right one
  'fileName',
  'contraindicated',
  'tone',
  'procedure',
  'before',
  'face',
  'h2',
  'bullet',
  // strings of every length
  '',
  '   ',
  'x'.repeat(71),
  'y'.repeat(161),
  'z'.repeat(301),
  'Ünïcödé ☃ text',
  // not strings
  42,
  -1.5,
  true,
  false,
  null,
  {},
  [],
  ['a', 'a'],
  {_type: 'reference', _ref: 'missing-id'},
  {_type: 'slug', current: 'some-slug'},
]

const TROUBLE_STRINGS = TROUBLE.filter((v): v is string => typeof v === 'string')

const WORDS = 'skin collagen texture tone pores lines glow hydration barrier renewal care'.split(
  ' ',
)

const chainOf = (type: SchemaType | undefined): SchemaType[] => {
  const chain: SchemaType[] = []
  for (let t = type; t && !chain.includes(t); t = t.type) chain.push(t)
  return chain
}
const isA = (type: SchemaType, name: string) => chainOf(type).some((t) => t.name === name)

interface RuleLike {
  _required?: string
  _rules: Array<{flag: string; constraint?: unknown}>
}
const rulesOf = (type: SchemaType): RuleLike[] =>
  Array.isArray(type.validation) ? (type.validation as RuleLike[]) : []

/** The numeric constraint of a `min`/`max` spec among a type's rules. */
const limitOf = (type: SchemaType, flag: 'min' | 'max'): number | undefined => {
  for (const rule of rulesOf(type))
    for (const s of rule._rules)
      if (s.flag === flag && typeof s.constraint === 'number') return s.constraint
  return undefined
}

const fieldsOf = (type: SchemaType) =>
  (type as {fields?: Array<{name: string; type: SchemaType}>}).fields ?? []
const membersOf = (type: SchemaType) => (type as {of?: SchemaType[]}).of ?? []
const listOf = (type: SchemaType): unknown[] | undefined => {
  const list = (type.options as {list?: unknown[]} | undefined)?.list
  return Array.isArray(list)
    ? list.map((o) => (o && typeof o === 'object' && 'value' in o ? o.value : o))
    : undefined
}

/** The document types the project declares (not Sanity's built-in asset documents). */
export function documentTypeNames(schema: Schema): string[] {
  return schema
    .getLocalTypeNames()
    .filter((name) => {
      const type = schema.get(name)
      return type !== undefined && name !== 'document' && isA(type, 'document')
    })
    .sort()
}

/**
 * Whether a generic value can break this type's rules: custom functions (other than Sanity's own
 * slug rule, which the corpus keeps unique) and patterns, anywhere below it.
 */
function touchy(type: SchemaType, seen = new Set<SchemaType>()): boolean {
  if (seen.has(type)) return false
  seen.add(type)
  if (isA(type, 'slug')) return false
  if (rulesOf(type).some((r) => r._rules.some((s) => s.flag === 'custom' || s.flag === 'regex')))
    return true
  return (
    fieldsOf(type).some((f) => touchy(f.type, seen)) || membersOf(type).some((m) => touchy(m, seen))
  )
}
const required = (type: SchemaType) => rulesOf(type).some((r) => r._required === 'required')

interface Context {
  r: Random
  schema: Schema
  /** Ids to reference, per document type: the well-formed documents, which no mutation touches. */
  ids: Map<string, string[]>
  slug: () => string
  key: () => string
}

const pastDay = (r: Random) =>
  new Date(Date.now() - r.int(0, 6 * 365) * 86_400_000).toISOString().slice(0, 10)

function sentence(r: Random): string {
  const words = Array.from({length: r.int(3, 9)}, () => r.pick(WORDS))
  return `${words.join(' ')}.`
}

function block(ctx: Context, type: SchemaType, full: boolean): Record<string, unknown> {
  const field = (name: string) => fieldsOf(type).find((f) => f.name === name)?.type
  const styles = listOf(field('style')!) ?? ['normal']
  const markDefs: Record<string, unknown>[] = []
  const text = () => (full && ctx.r.chance(0.25) ? ctx.r.pick(TROUBLE_STRINGS) : sentence(ctx.r))
  const children: Record<string, unknown>[] = [
    {_type: 'span', _key: ctx.key(), text: text(), marks: []},
  ]
  const annotations = field('markDefs') ? membersOf(field('markDefs')!) : []
  if (full && annotations.length) {
    const def = value(ctx, ctx.r.pick(annotations), true) as Record<string, unknown>
    const key = ctx.key()
    markDefs.push({...def, _key: key})
    children.push({_type: 'span', _key: ctx.key(), text: text(), marks: [key]})
  }
  return {_type: 'block', _key: ctx.key(), style: ctx.r.pick(styles), markDefs, children}
}

/** A value of `type`: most fields when `full`, else only required fields and some no rule can mind. */
function value(ctx: Context, type: SchemaType, full: boolean, depth = 0): unknown {
  const {r} = ctx
  if (isA(type, 'reference')) {
    const targets = ((type as {to?: SchemaType[]}).to ?? []).flatMap(
      (t) => ctx.ids.get(t.name) ?? [],
    )
    if (targets.length === 0) return undefined
    // Now and then what a script writes instead of a reference.
    if (full && r.chance(0.05)) return r.pick([{_type: 'reference'}, targets[0], {_ref: 42}])
    return {
      _type: 'reference',
      _ref: r.pick(targets),
      ...((type as {weak?: boolean}).weak ? {_weak: true} : {}),
    }
  }
  if (isA(type, 'slug')) return {_type: 'slug', current: ctx.slug()}
  if (isA(type, 'block')) return block(ctx, type, full)
  const list = listOf(type)
  switch (type.jsonType) {
    case 'string': {
      // A filled document takes what comes: now and then a value some rule minds, or a length
      // at a limit the rules set (just within or just over it).
      if (full && r.chance(0.25)) return r.pick(TROUBLE_STRINGS)
      const limit = limitOf(type, 'max')
      if (full && limit !== undefined && r.chance(0.3)) return 'm'.repeat(limit + r.int(0, 1))
      if (list) return r.pick(list)
      if (isA(type, 'url')) return `https://example.org/${r.pick(WORDS)}`
      if (rulesOf(type).some((rule) => rule._rules.some((spec) => spec.flag === 'email')))
        return `${r.pick(WORDS)}@example.org`
      // Dates of the last six years when filled (reviews expire), today when well-formed.
      if (isA(type, 'datetime')) return `${full ? pastDay(r) : today}T08:00:00.000Z`
      if (isA(type, 'date')) return full ? pastDay(r) : today
      return isA(type, 'text') ? sentence(r) : `${r.pick(WORDS)} ${r.pick(WORDS)}`
    }
    case 'number':
      return r.int(1, 5)
    case 'boolean':
      return r.chance(0.5)
    case 'array': {
      const members = membersOf(type)
      if (depth > 4 || members.length === 0) return []
      const min = limitOf(type, 'min')
      if (full && min !== undefined && r.chance(0.2)) return []
      const memberList = members.length === 1 ? listOf(members[0]!) : undefined
      if (list || memberList) return r.sample(list ?? memberList!, r.int(1, 2))
      // Distinct items (unique() and "each once" rules), keyed when they are objects.
      const seen = new Set<string>()
      const items: unknown[] = []
      for (let i = r.int(1, 3); i > 0; i--) {
        const item = value(ctx, r.pick(members), full, depth + 1)
        const text = JSON.stringify(item)
        if (item === undefined || seen.has(text)) continue
        seen.add(text)
        items.push(
          item && typeof item === 'object' && !Array.isArray(item)
            ? {...item, _key: ctx.key()}
            : item,
        )
      }
      // Now and then one twice, where the rules want each once.
      if (
        full &&
        items.length &&
        rulesOf(type).some((x) => x._rules.some((sp) => sp.flag === 'unique')) &&
        r.chance(0.2)
      ) {
        const copy = structuredClone(r.pick(items))
        items.push(
          copy && typeof copy === 'object' && !Array.isArray(copy)
            ? {...copy, _key: ctx.key()}
            : copy,
        )
      }
      return items
    }
    case 'object': {
      const out: Record<string, unknown> = {_type: type.name}
      for (const f of fieldsOf(type)) {
        if (depth > 4) break
        // Well-formed: required fields, and some of those no rule can mind. Filled: most fields.
        if (!required(f.type) && (full ? r.chance(0.15) : touchy(f.type) || r.chance(0.3))) continue
        const v = value(ctx, f.type, full, depth + 1)
        if (v !== undefined) out[f.name] = v
      }
      return out
    }
    default:
      return undefined
  }
}

/** Every place in a value: its container and key, for mutations. */
function places(
  v: unknown,
  out: Array<[Record<string, unknown> | unknown[], string | number]> = [],
) {
  if (Array.isArray(v))
    v.forEach((item, i) => {
      out.push([v, i])
      places(item, out)
    })
  else if (v && typeof v === 'object')
    for (const [k, item] of Object.entries(v)) {
      if (k === '_id' || k === '_type') continue
      out.push([v as Record<string, unknown>, k])
      places(item, out)
    }
  return out
}

/** The places holding a string that is not a system field (`_type`, `_key`, …). */
const stringPlaces = (doc: Record<string, unknown>) =>
  places(doc).filter(
    ([c, k]) =>
      typeof (c as Record<string | number, unknown>)[k] === 'string' &&
      !(typeof k === 'string' && k.startsWith('_')),
  )

type Mutation = (
  doc: StoredDocument,
  ctx: Context & {all: StoredDocument[]; drafts: string[]},
) => void

const MUTATIONS: Record<string, Mutation> = {
  drop(doc, {r}) {
    const objects = places(doc).filter(([c]) => !Array.isArray(c))
    if (objects.length) {
      const [c, k] = r.pick(objects)
      delete (c as Record<string, unknown>)[k as string]
    }
  },
  trouble(doc, {r}) {
    const all = places(doc)
    if (all.length) {
      const [c, k] = r.pick(all)
      ;(c as Record<string | number, unknown>)[k] = structuredClone(r.pick(TROUBLE))
    }
  },
  troubleString(doc, {r}) {
    const strings = stringPlaces(doc)
    if (strings.length) {
      const [c, k] = r.pick(strings)
      ;(c as Record<string | number, unknown>)[k] = r.pick(TROUBLE_STRINGS)
    }
  },
  long(doc, {r}) {
    const strings = stringPlaces(doc)
    if (strings.length) {
      const [c, k] = r.pick(strings)
      ;(c as Record<string | number, unknown>)[k] = 'long '.repeat(r.int(15, 70))
    }
  },
  troubleField(doc, {r}) {
    const keys = Object.keys(doc).filter((k) => !k.startsWith('_'))
    if (keys.length)
      (doc as Record<string, unknown>)[r.pick(keys)] = structuredClone(r.pick(TROUBLE))
  },
  extra(doc, {r}) {
    const objects = [
      doc,
      ...places(doc).map(([c, k]) => (c as Record<string | number, unknown>)[k]),
    ].filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v))
    r.pick(objects)[r.chance(0.8) ? `extra${r.int(1, 3)}` : '_private'] = r.pick(['x', 1, {a: 1}])
  },
  emptyArray(doc, {r}) {
    const arrays = places(doc).filter(([c, k]) =>
      Array.isArray((c as Record<string | number, unknown>)[k]),
    )
    if (arrays.length) {
      const [c, k] = r.pick(arrays)
      ;(c as Record<string | number, unknown>)[k] = []
    }
  },
  duplicateItem(doc, {r}) {
    const arrays = places(doc)
      .map(([c, k]) => (c as Record<string | number, unknown>)[k])
      .filter((v): v is unknown[] => Array.isArray(v) && v.length > 0)
    if (arrays.length) {
      const a = r.pick(arrays)
      const copy = structuredClone(r.pick(a))
      if (copy && typeof copy === 'object' && !Array.isArray(copy) && r.chance(0.5))
        (copy as Record<string, unknown>)._key = `dup${r.int(1, 99)}`
      a.push(copy)
    }
  },
  dropKey(doc, {r}) {
    const items = places(doc)
      .map(([c, k]) => (Array.isArray(c) ? c[k as number] : undefined))
      .filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && '_key' in v)
    if (items.length) delete r.pick(items)._key
  },
  memberType(doc, {r}) {
    const items = places(doc)
      .map(([c, k]) => (Array.isArray(c) ? c[k as number] : undefined))
      .filter(
        (v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v),
      )
    if (items.length)
      r.pick(items)._type = r.pick([
        'unknownThing',
        'reference',
        'block',
        'link',
        'caution',
        'span',
      ])
  },
  badReference(doc, {r, drafts, all}) {
    const refs = places(doc)
      .map(([c, k]) => (c as Record<string | number, unknown>)[k])
      .filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && '_ref' in v)
    if (refs.length === 0) return
    const ref = r.pick(refs)
    const how = r.int(0, 5)
    if (how === 0) ref._ref = `missing-${r.int(1, 9)}`
    else if (how === 1) ref._ref = r.pick(drafts).slice('drafts.'.length)
    else if (how === 2) ref._ref = doc._id.replace(/^drafts\./, '')
    else if (how === 3) delete ref._ref
    else if (how === 4) ref._ref = r.pick(all)._id
    else ref._weak = !ref._weak
  },
  slugClash(doc, {r, all}) {
    const sameType = all.filter((d) => d._type === doc._type && d._id !== doc._id)
    const other = r.pick(sameType.length ? sameType : all) as {slug?: {current?: unknown}}
    if (other.slug?.current !== undefined)
      (doc as Record<string, unknown>).slug = structuredClone(other.slug)
  },
  slugBroken(doc, {r}) {
    ;(doc as Record<string, unknown>).slug = r.pick([
      {_type: 'slug', current: ''},
      {_type: 'slug', current: '  '},
      {_type: 'slug'},
      'a-plain-string',
      {_type: 'slug', current: 42},
      [],
    ])
  },
  /** The title check (schemas/rules/titles.ts): a title still the one made from the file name. */
  placeholderTitle(doc, {r}) {
    if (!('titleSource' in doc) && !('source' in doc)) return
    const fileName = `${r.pick(WORDS)}-${r.pick(WORDS)}.txt`
    Object.assign(doc, {
      titleSource: 'fileName',
      title: titleFromFileName(fileName),
      source: {_type: 'sourceFile', fileName},
      ...(r.chance(0.3) ? {titleConfirmed: r.chance(0.5)} : {}),
    })
  },
  draft(doc) {
    if (!doc._id.startsWith('drafts.')) doc._id = `drafts.${doc._id}`
  },
}

export interface Corpus {
  docs: StoredDocument[]
  /** How each document was made: "valid", "full" or the mutations applied. */
  made: Map<string, string>
}

/**
 * `perType` documents of each document type (a third well-formed, the rest every field filled or
 * mutated), plus draft-only documents to point at. Deterministic for a seed.
 */
export function buildCorpus(schema: Schema, opts: {seed: number; perType: number}): Corpus {
  const r = createRandom(opts.seed)
  let slugs = 0
  let keys = 0
  const types = documentTypeNames(schema)
  const ids = new Map(
    types.map((t) => [t, Array.from({length: opts.perType}, (_, i) => `${t}-${i}`)]),
  )
  const isWellFormed = (i: number) => i % 3 === 0
  const ctx: Context = {
    r,
    schema,
    ids: new Map([...ids].map(([t, list]) => [t, list.filter((_, i) => isWellFormed(i))])),
    slug: () => `slug-${++slugs}`,
    key: () => `k${(++keys).toString(36)}`,
  }
  const sys = {_rev: 'rev1', _createdAt: '2026-01-01T00:00:00Z', _updatedAt: '2026-01-02T00:00:00Z'}
  const docs: StoredDocument[] = []
  const made = new Map<string, string>()
  for (const type of types) {
    const schemaType = schema.get(type)!
    for (const [i, id] of ids.get(type)!.entries()) {
      const full = !isWellFormed(i)
      const body = value(ctx, schemaType, full) as Record<string, unknown>
      docs.push({...body, ...sys, _id: id, _type: type} as StoredDocument)
      made.set(id, full ? 'full' : 'valid')
    }
    // Only a draft: what a published document may not point at.
    const draftId = `drafts.${type}-unpublished`
    docs.push({
      ...(value(ctx, schemaType, false) as object),
      ...sys,
      _id: draftId,
      _type: type,
    } as StoredDocument)
    made.set(draftId, 'draft only')
  }
  const drafts = docs.filter((d) => d._id.startsWith('drafts.')).map((d) => d._id)
  // Breaking a string, a value or dropping a field is what happens most: drawn more often.
  const names = Object.keys(MUTATIONS).flatMap((m) =>
    Array<string>(m === 'troubleString' ? 3 : m === 'drop' || m === 'trouble' ? 2 : 1).fill(m),
  )
  const mctx = {...ctx, all: docs, drafts}
  for (const doc of docs) {
    // Two in three of the filled documents get 1–3 mutations.
    if (made.get(doc._id) !== 'full' || r.chance(0.34)) continue
    const applied = Array.from({length: r.int(1, 4)}, () => r.pick(names))
    const oldId = doc._id
    for (const m of applied) MUTATIONS[m]!(doc, mctx)
    made.delete(oldId)
    made.set(doc._id, applied.join('+'))
  }
  return {docs, made}
}
