/**
 * The Studio's rules without Sanity's per-document machinery: the same markers as Sanity's
 * `validateDocument` (environment "cli"), computed synchronously from the compiled schema.
 *
 * The rules are not restated: each schema type's `validation` is the list of `Rule` objects
 * Sanity compiled from schemas/ (normalized once, when the workspace was built), and this walks a
 * document the way Sanity's `validateItemObservable` does — every field of an object, every item
 * of an array (its member type chosen as Sanity chooses it), `hidden` resolved per node — and
 * evaluates each rule's specs as `Rule.validate` would: `optional()`/unset values, the rule's
 * level and message, custom functions called with Sanity's context (`document`, `parent`, `path`,
 * `type`, `hidden`, `i18n`, `getClient`, …), and the unknown-field check Sanity appends (as a
 * warning) to every object type's rules outside the Studio. Built-in flags run from fastSpecs.ts;
 * Sanity's slug rule is answered from the same offline index its query would reach.
 *
 * What it does not understand it does not guess:
 * - a spec with no native validator (a date's format, a number's limits, `all`/`either`…) goes to
 *   Sanity's own `Rule.validate` for that one spec (`stats.delegated`); where the answer depends
 *   on the value alone, a value it passed once passes again without asking (`delegatedReused`);
 * - a custom rule that returns a promise is awaited, as Sanity awaits it;
 * - everything else — an unknown `_type`, validation functions that need their context at compile
 *   time, `Rule.fields()`, a validator that throws, a result Sanity would turn into an "Exception
 *   occurred" marker — throws NeedsSanity, and the caller (studio.ts) runs Sanity's
 *   `validateDocument` on that whole document instead (`stats.fallbacks`).
 */
import {
  ConcreteRuleClass,
  getPublishedId,
  isKeyedObject,
  isSlug,
  isTypedObject,
  type Path,
  type Rule,
  type RuleSpec,
  type Schema,
  type SchemaType,
  type ValidationContext,
} from 'sanity'
import {NATIVE_SPECS, typeString, type SpecContext, type SpecFn} from './fastSpecs.ts'

/** The fast path cannot give Sanity's answer for this document: run `validateDocument` on it. */
export class NeedsSanity extends Error {
  readonly reason: string
  constructor(reason: string) {
    super(`fast validation path: ${reason}`)
    this.reason = reason
  }
}

type Level = 'error' | 'warning' | 'info'
export interface FastMarker {
  level: Level
  message: string
  path: Path
}

/** A slug-uniqueness question: the query Sanity's default `isUnique` would send. */
export interface SlugQuestion {
  docType: string
  /** The slug's path, `slug.current`. */
  path: string
  slug: string
  published: string
}

export interface FastPathOptions {
  schema: Schema
  i18n: SpecContext['i18n'] & {loadNamespaces?: unknown}
  getClient: ValidationContext['getClient']
  getDocumentExists: NonNullable<ValidationContext['getDocumentExists']>
  /** `getDocumentExists`, answered synchronously. */
  exists: (id: string) => boolean
  /** What the offline client answers to Sanity's slug query (studioClient.ts). */
  slugIsUnique: (q: SlugQuestion) => boolean
  /** Where to count delegations (default: a new object, returned as `stats`). */
  stats?: FastPathStats
}

export interface FastPathStats {
  /** Specs handed to Sanity's `Rule.validate` (and answers reused for a value seen before). */
  delegated: number
  delegatedReused: number
}

export interface FastResult {
  markers: FastMarker[]
  /** The slug questions asked, with their answers (for the validation cache). */
  slugs: Array<[SlugQuestion, boolean]>
}

type CustomFn = (value: unknown, context: unknown) => unknown

interface CompiledSpec {
  flag: string
  constraint: unknown
  native?: SpecFn
  custom?: CustomFn
  /** Sanity's slug rule: answered from the index when the default `isUnique` applies. */
  slug?: boolean
  /** The unknown-field check added below (true for any value that is not an object). */
  unknownFields?: boolean
  /** One-spec copy of the rule, for Sanity's `Rule.validate`. */
  delegate?: Rule
  /** Values Sanity passed, for specs whose answer depends on the value alone. */
  passed?: Set<unknown>
}

interface CompiledRule {
  level: Level
  message: string | undefined
  required: Rule['_required']
  specs: CompiledSpec[]
  /** What runs when the value is unset and the rule says neither required nor optional. */
  customOnly: CompiledSpec[]
}

/**
 * A path, built only when something needs it (a marker, a custom rule's context, `hidden()`):
 * most values are checked without one.
 */
interface PathLink {
  up: PathLink | undefined
  segment: Path[number]
  path?: Path
}

/** One value being checked, and what Sanity's context says about it. */
interface Node {
  value: unknown
  type: SchemaType
  at: PathLink | undefined
  parent: unknown
  hidden: unknown
  context?: ValidationContext
}

interface CompiledType {
  /** No rule can fire and nothing is called for an unset value (walking it is a no-op). */
  inertWhenUnset: boolean
  rules: CompiledRule[]
  required: boolean
  fields: Array<{name: string; type: SchemaType}> | undefined
  /** The fields' compiled types, once a value of this type has been walked. */
  compiledFields?: CompiledType[]
  of: SchemaType[] | undefined
  hidden: unknown
  /** Why the fast path cannot validate a value of this type. */
  unsupported?: string
}

/** Flags whose delegated answer depends only on the value (and the rule): a pass is remembered. */
const VALUE_ONLY = new Set([
  'type',
  'presence',
  'min',
  'max',
  'length',
  'regex',
  'uri',
  'email',
  'stringCasing',
  'integer',
  'precision',
  'greaterThan',
  'lessThan',
  'valid',
])
const MEMO_LIMIT = 20_000
const OBJECT_BASES = ['object', 'document', 'file', 'image']

const typeChain = (type: SchemaType): SchemaType[] => {
  const chain: SchemaType[] = []
  for (let t: SchemaType | undefined = type; t && !chain.includes(t); t = t.type) chain.push(t)
  return chain
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as {then?: unknown} | null)?.then === 'function'

/** Sanity's `Rule.fields()` anywhere in a rule (also inside `all`/`either`). */
const hasFieldRules = (rule: Rule): boolean =>
  rule._fieldRules !== undefined ||
  rule._rules.some(
    (s) =>
      (s.flag === 'all' || s.flag === 'either') &&
      Array.isArray(s.constraint) &&
      (s.constraint as Rule[]).some(hasFieldRules),
  )

const unknownFieldChecks = new WeakSet<CustomFn>()

/** The warning Sanity adds outside the Studio for fields an object type does not declare. */
const unknownFields = (type: SchemaType) => {
  let names: Set<string> | undefined
  const check = (value: unknown) => {
    if (typeof value !== 'object' || !value) return true
    const known = (names ??= new Set(
      (type as {fields?: Array<{name: string}>}).fields?.map((f) => f.name),
    ))
    return Object.keys(value)
      .filter((key) => !key.startsWith('_') && !known.has(key))
      .map((key) => ({
        message: `Field '${key}' does not exist on type '${type.name}'`,
        path: [key],
      }))
  }
  unknownFieldChecks.add(check)
  return check
}

/** Sanity's choice of member type for an array item. */
function memberType(item: unknown, candidates: SchemaType[]): SchemaType | undefined {
  if (candidates.length === 1) return candidates[0]
  const itemType = isTypedObject(item) && item._type
  const primitive = item == null || (!itemType && typeString(item).toLowerCase())
  if (primitive && primitive !== 'object')
    return candidates.find((c) => (c.jsonType as unknown) === primitive)
  return (
    candidates.find((c) => c.type?.name === itemType) ??
    candidates.find((c) => c.name === itemType) ??
    candidates.find((c) => c.name === 'object' && primitive === 'object')
  )
}

/** `slug.current` as Sanity's slug query writes it (`[]` for an array step). */
const slugQueryPath = (path: Path) =>
  path
    .concat('current')
    .reduce<string>(
      (s, seg, i) => s + (typeof seg === 'string' ? `${i === 0 ? '' : '.'}${seg}` : '[]'),
      '',
    )

export function createFastPath(opts: FastPathOptions) {
  const {schema, i18n} = opts
  const stats: FastPathStats = opts.stats ?? {delegated: 0, delegatedReused: 0}
  const compiledTypes = new WeakMap<SchemaType, CompiledType>()
  const slugRule = schema.get('slug')?.validation
  const slugValidators = new Set<unknown>(
    (Array.isArray(slugRule) ? (slugRule as Rule[]) : [])
      .flatMap((r) => r._rules)
      .filter((s) => s.flag === 'custom')
      .map((s) => s.constraint),
  )

  const compileRule = (rule: Rule): CompiledRule => {
    const family = (rule._type && NATIVE_SPECS[rule._type]) || NATIVE_SPECS.generic!
    const localized = typeof rule._message === 'object' && rule._message !== null
    const specs = rule._rules.map((spec: RuleSpec): CompiledSpec => {
      const constraint = 'constraint' in spec ? spec.constraint : null
      const fieldRef = (constraint as {type?: unknown} | null)?.type === ConcreteRuleClass.FIELD_REF
      const native = localized || fieldRef ? undefined : family[spec.flag]
      if (spec.flag === 'custom' && !localized)
        return {
          flag: 'custom',
          constraint,
          custom: constraint as CustomFn,
          slug: slugValidators.has(constraint),
          unknownFields: unknownFieldChecks.has(constraint as CustomFn),
        }
      if (native) return {flag: spec.flag, constraint, native}
      const delegate = rule.clone()
      delegate._rules = [spec]
      return {
        flag: spec.flag,
        constraint,
        delegate,
        ...(VALUE_ONLY.has(spec.flag) && !fieldRef ? {passed: new Set()} : {}),
      }
    })
    return {
      level: rule._level || 'error',
      message: localized ? undefined : (rule._message as string | undefined),
      required: rule._required,
      specs,
      customOnly: specs.filter((s) => s.flag === 'custom'),
    }
  }

  const compile = (type: SchemaType): CompiledType => {
    let c = compiledTypes.get(type)
    if (c) return c
    const validation = type.validation as unknown
    const t = type as SchemaType & {fields?: CompiledType['fields']; of?: SchemaType[]}
    c = {
      inertWhenUnset: false,
      rules: [],
      required: false,
      fields: type.jsonType === 'object' ? (t.fields ?? []) : undefined,
      of: type.jsonType === 'array' ? (t.of ?? []) : undefined,
      hidden: type.hidden,
    }
    if (
      !Array.isArray(validation) ||
      !validation.every((r: unknown) => r instanceof ConcreteRuleClass)
    )
      c.unsupported = `validation of type "${type.name}" is resolved per value`
    else if ((validation as Rule[]).some(hasFieldRules))
      c.unsupported = `type "${type.name}" uses Rule.fields()`
    else {
      let rules = validation as Rule[]
      c.required = rules.some((r) => r.isRequired())
      if (type.jsonType === 'object' && typeChain(type).some((x) => OBJECT_BASES.includes(x.name)))
        rules = rules.map((r) =>
          r.custom(unknownFields(type), {bypassConcurrencyLimit: true}).warning(),
        )
      c.rules = rules.map(compileRule)
      c.inertWhenUnset =
        (c.hidden === undefined || typeof c.hidden === 'boolean') &&
        c.rules.every(
          (r) =>
            r.required === 'optional' ||
            (r.required === undefined && r.customOnly.every((s) => s.unknownFields)),
        )
    }
    compiledTypes.set(type, c)
    return c
  }

  function validate(doc: {_id?: unknown; _type?: unknown}): FastResult | Promise<FastResult> {
    if (typeof doc?._type !== 'string') throw new NeedsSanity('document without a _type')
    const docType = schema.get(doc._type)
    if (!docType) throw new NeedsSanity(`unknown type "${doc._type}"`)
    const markers: FastMarker[] = []
    const slugs: FastResult['slugs'] = []
    const pending: Array<PromiseLike<void>> = []
    const document = doc as ValidationContext['document']

    const root: Path = []
    const pathOf = (at: PathLink | undefined): Path =>
      at === undefined ? root : (at.path ??= pathOf(at.up).concat([at.segment]))

    const emit = (result: unknown, level: Level, at: PathLink | undefined): void => {
      if (result === true) return
      const path = pathOf(at)
      if (Array.isArray(result)) {
        for (const r of result) emit(r, level, at)
        return
      }
      if (typeof result === 'string') {
        markers.push({level, message: result, path})
        return
      }
      const r = result as {message?: unknown; path?: Path; paths?: Path[]} | null | undefined
      if (!r || typeof r.message !== 'string')
        throw new NeedsSanity('a validator returned neither true, a message nor errors')
      const paths: Path[] = []
      if (r.path) paths.push(r.path)
      if (r.paths && !Array.isArray(r.paths))
        throw new NeedsSanity('a validator returned `paths` that is not a list')
      for (const p of r.paths || []) paths.push(p)
      if (paths.length === 0) markers.push({level, message: r.message, path})
      else for (const p of paths) markers.push({level, message: r.message, path: path.concat(p)})
    }

    const specContext: SpecContext = {i18n, type: docType, document, exists: opts.exists}
    /** Sanity's context for custom rules and delegated specs, made when one needs it. */
    const contextOf = (node: Node) =>
      (node.context ??= {
        getClient: opts.getClient,
        schema,
        document,
        i18n,
        getDocumentExists: opts.getDocumentExists,
        currentUser: undefined,
        hidden: node.hidden as boolean,
        environment: 'cli',
        parent: node.parent,
        path: pathOf(node.at),
        type: node.type,
      } as unknown as ValidationContext)

    const check = (c: CompiledType, node: Node): void => {
      const {value, at} = node
      const empty = value === null || value === undefined
      for (const rule of c.rules) {
        if (empty && rule.required === 'optional') continue
        const specs = rule.required === undefined && empty ? rule.customOnly : rule.specs
        for (const spec of specs) {
          if (spec.native) {
            let result: unknown
            specContext.type = node.type
            try {
              result = spec.native(spec.constraint, value, rule.message, specContext)
            } catch {
              throw new NeedsSanity(`the ${spec.flag} check threw`)
            }
            emit(result, rule.level, at)
          } else if (spec.custom) {
            const slug = spec.slug ? slugAnswer(value, node.type, at) : undefined
            if (slug !== undefined) {
              emit(typeof slug === 'string' && rule.message ? rule.message : slug, rule.level, at)
              continue
            }
            let result: unknown
            try {
              result = spec.custom(value, contextOf(node))
            } catch {
              throw new NeedsSanity('a custom rule threw')
            }
            const done = (r: unknown) =>
              emit((typeof r === 'string' && rule.message) || r, rule.level, at)
            if (isThenable(result))
              pending.push(
                result.then(done, () => {
                  throw new NeedsSanity('a custom rule rejected')
                }),
              )
            else done(result)
          } else delegate(spec, node)
        }
      }
    }

    const visit = (
      value: unknown,
      type: SchemaType | undefined,
      at: PathLink | undefined,
      parent: unknown,
      parentHidden: unknown,
    ): void => {
      if (!type) return
      const c = compile(type)
      if (c.unsupported) throw new NeedsSanity(c.unsupported)
      const ancestorHidden = parentHidden === true
      let hidden: unknown = ancestorHidden
      if (!ancestorHidden) {
        if (typeof c.hidden === 'function')
          try {
            hidden = (c.hidden as (ctx: unknown) => unknown)({
              document,
              parent,
              value,
              currentUser: null,
              path: pathOf(at),
            })
          } catch {
            throw new NeedsSanity(`hidden() of type "${type.name}" threw`)
          }
        else if (c.hidden === undefined || typeof c.hidden === 'boolean') hidden = !!c.hidden
        else throw new NeedsSanity(`hidden of type "${type.name}" is not a boolean or function`)
      }
      if (c.rules.length) check(c, {value, type, at, parent, hidden})

      if (c.fields && (value || ((value === null || value === undefined) && c.required))) {
        const record = isRecord(value) ? value : undefined
        const compiled = (c.compiledFields ??= c.fields.map((f) => compile(f.type)))
        for (let i = 0; i < c.fields.length; i++) {
          const field = c.fields[i]!
          const fieldValue = record?.[field.name]
          // An unset field whose rules cannot fire for an unset value: nothing to walk.
          if ((fieldValue === undefined || fieldValue === null) && compiled[i]!.inertWhenUnset)
            continue
          visit(fieldValue, field.type, {up: at, segment: field.name}, value, hidden)
        }
      }
      if (c.of && Array.isArray(value))
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i]
          visit(
            item,
            memberType(item, c.of),
            {up: at, segment: isKeyedObject(item) ? {_key: item._key} : i},
            value,
            hidden,
          )
        }
    }

    /** Sanity's slug rule, or undefined when it would ask something the index cannot answer. */
    const slugAnswer = (
      value: unknown,
      type: SchemaType,
      at: PathLink | undefined,
    ): true | string | undefined => {
      if (!value) return true
      if (typeof value !== 'object' || Array.isArray(value))
        return i18n.t('validation:slug.not-object')
      if (!isSlug(value) || value.current.trim().length === 0)
        return i18n.t('validation:slug.missing-current')
      if ((type.options as {isUnique?: unknown} | undefined)?.isUnique) return undefined
      const slugPath = slugQueryPath(pathOf(at))
      if (slugPath.includes('[]') || typeof doc._id !== 'string') return undefined
      const question = {
        docType: doc._type as string,
        path: slugPath,
        slug: value.current,
        published: getPublishedId(doc._id),
      }
      const unique = opts.slugIsUnique(question)
      slugs.push([question, unique])
      return unique ? true : i18n.t('validation:slug.not-unique', {slug: value.current})
    }

    const delegate = (spec: CompiledSpec, node: Node) => {
      const {value} = node
      // Only "no problem" is remembered: a problem's message may name its path.
      const primitive = value === null || typeof value !== 'object'
      if (primitive && spec.passed?.has(value)) {
        stats.delegatedReused++
        return
      }
      stats.delegated++
      pending.push(
        spec.delegate!.validate(value, contextOf(node)).then(
          (found) => {
            for (const m of found) markers.push({level: m.level, message: m.message, path: m.path})
            if (primitive && found.length === 0 && spec.passed && spec.passed.size < MEMO_LIMIT)
              spec.passed.add(value)
          },
          () => {
            throw new NeedsSanity(`Sanity's ${spec.flag} check failed`)
          },
        ),
      )
    }

    visit(doc, docType, undefined, undefined, undefined)
    if (pending.length === 0) return {markers, slugs}
    return Promise.all(pending).then(() => ({markers, slugs}))
  }

  return {validate, stats}
}
