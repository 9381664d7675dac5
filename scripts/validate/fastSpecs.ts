/**
 * Sanity's built-in rule flags (`required()`, `max()`, `unique()`, `uri()`, `reference()`, the
 * type check…) as synchronous functions, for the fast path (fastPath.ts). Each returns what
 * Sanity's own validator for that flag and rule type returns — `true`, a message, or
 * `{message, path}` items — with the same i18n keys and parameters, so the words come from
 * Sanity's locale bundle, not from here. Semantics read from sanity 6.9.2 (`typeValidators` in
 * lib/datastores-*.js). A flag or rule type missing from NATIVE_SPECS is not guessed at:
 * fastPath.ts hands that spec to Sanity's own `Rule.validate`.
 */
import {getPublishedId, isArrayOfBlocksSchemaType, isReference, type SchemaType} from 'sanity'

/** What a spec needs besides its constraint and value: a slice of Sanity's validation context. */
export interface SpecContext {
  i18n: {t: (key: string, options?: Record<string, unknown>) => string}
  type: SchemaType
  document: {_id?: unknown} | undefined
  /** Whether a document exists (Sanity's `getDocumentExists`, answered synchronously). */
  exists: (id: string) => boolean
}

/** A validator: (constraint, value, the rule's message, context) → Sanity's validator result. */
export type SpecFn = (
  constraint: unknown,
  value: unknown,
  message: string | undefined,
  ctx: SpecContext,
) => unknown

const BUILT_INS: unknown[] = [Object, Function, Array, String, Boolean, Number, Date, RegExp, Error]

/** The type name Sanity's type check compares: "String", "Array", "null", "undefined", … */
export function typeString(value: unknown): string {
  // The common cases first (what the general path below gives for them, without its string work).
  switch (typeof value) {
    case 'string':
      return 'String'
    case 'number':
      return 'Number'
    case 'boolean':
      return 'Boolean'
  }
  const tag = Object.prototype.toString.call(value).slice(8, -1)
  if (value === null || value === undefined) return tag.toLowerCase()
  const ctor = (value as {constructor?: {name: string}}).constructor
  return ctor && !BUILT_INS.includes(ctor) ? ctor.name : tag
}

/**
 * Sanity's deep equality for `unique()` and `valid()`: `_key` ignored when comparing values (not
 * when counting keys), Dates by time, RegExps by text. Asymmetric as Sanity's is: `a`'s keys are
 * looked up in `b`.
 */
export function equalIgnoringKey(a: unknown, b: unknown): boolean {
  if (a === b) return true
  const aIsArray = Array.isArray(a)
  if (aIsArray && Array.isArray(b)) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!equalIgnoringKey(a[i], b[i])) return false
    return true
  }
  if (aIsArray !== Array.isArray(b)) return false
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (a instanceof Date !== b instanceof Date) return false
  if (a instanceof RegExp && b instanceof RegExp) return a.toString() === b.toString()
  if (a instanceof RegExp !== b instanceof RegExp) return false
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  for (const k of keys)
    if (k !== '_key' && !Object.prototype.hasOwnProperty.call(y, k)) return false
  for (const k of keys) if (k !== '_key' && !equalIgnoringKey(x[k], y[k])) return false
  return true
}

type Items = ArrayLike<unknown> | null | undefined
const itemSegment = (item: unknown, index: number) => {
  const key = (item as {_key?: unknown} | null | undefined)?._key
  return key ? {_key: key} : index
}

const generic: Record<string, SpecFn> = {
  type: (expected, value, message, {i18n}) => {
    const actualType = typeString(value)
    return actualType !== expected && actualType !== 'undefined'
      ? message || i18n.t('validation:generic.incorrect-type', {actualType, expectedType: expected})
      : true
  },
  presence: (expected, value, message, {i18n}) =>
    value === undefined && expected === 'required'
      ? message || i18n.t('validation:generic.required')
      : true,
  valid: (allowed, actual, message, {i18n}) => {
    const kind = typeof actual
    if (kind === 'undefined') return true
    const text = (kind === 'number' || kind === 'string') && `${actual as string}`
    const hint = text && text.length > 30 ? `${text.slice(0, 30)}…` : text
    return (allowed as unknown[]).some((expected) => equalIgnoringKey(expected, actual))
      ? true
      : message ||
          i18n.t('validation:generic.not-allowed', text ? {context: 'hint', replace: {hint}} : {})
  },
}

const blocksContext = (type: SchemaType) => (isArrayOfBlocksSchemaType(type) ? 'blocks' : undefined)

const array: Record<string, SpecFn> = {
  ...generic,
  min: (minLength, value, message, {i18n, type}) =>
    !value || (value as unknown[]).length >= (minLength as number)
      ? true
      : message ||
        i18n.t('validation:array.minimum-length', {minLength, context: blocksContext(type)}),
  max: (maxLength, value, message, {i18n, type}) =>
    !value || (value as unknown[]).length <= (maxLength as number)
      ? true
      : message ||
        i18n.t('validation:array.maximum-length', {maxLength, context: blocksContext(type)}),
  length: (wantedLength, value, message, {i18n, type}) =>
    !value || (value as unknown[]).length === wantedLength
      ? true
      : message ||
        i18n.t('validation:array.exact-length', {wantedLength, context: blocksContext(type)}),
  presence: (flag, value, message, {i18n}) =>
    flag === 'required' && !value
      ? message || i18n.t('validation:generic.required', {context: 'array'})
      : true,
  valid: (allowed, values, message, {i18n}) => {
    if (values === undefined) return true
    const items = values as Items
    const paths: unknown[][] = []
    for (let i = 0; i < items!.length; i++) {
      const item = items![i]
      if (!(allowed as unknown[]).some((expected) => equalIgnoringKey(expected, item)))
        paths.push([itemSegment(item, i)])
    }
    if (paths.length === 0) return paths
    const shared = message || i18n.t('validation:generic.not-allowed')
    return paths.map((path) => ({message: shared, path}))
  },
  unique: (_unused, value, message, {i18n}) => {
    if (!value) return true
    const items = value as ArrayLike<unknown>
    const dupes: number[] = []
    for (let x = 0; x < items.length; x++)
      for (let y = x + 1; y < items.length; y++)
        if (equalIgnoringKey(items[x], items[y])) {
          if (!dupes.includes(x)) dupes.push(x)
          if (!dupes.includes(y)) dupes.push(y)
        }
    if (dupes.length === 0) return dupes
    const shared = message || i18n.t('validation:array.item-duplicate')
    return dupes.map((i) => ({message: shared, path: [itemSegment(items[i], i)]}))
  },
}

const DUMMY_ORIGIN = 'http://sanity'
const isRelativeUrl = (url: unknown) => /^\.*\//.test(url as string)

interface UriConstraint {
  options: {
    scheme: RegExp[]
    allowRelative: boolean
    relativeOnly: boolean
    allowCredentials: boolean
  }
}

const string: Record<string, SpecFn> = {
  ...generic,
  min: (minLength, value, message, {i18n}) =>
    !value ||
    (value as string).length >= (minLength as number) ||
    message ||
    i18n.t('validation:string.minimum-length', {minLength}),
  max: (maxLength, value, message, {i18n}) =>
    !value ||
    (value as string).length <= (maxLength as number) ||
    message ||
    i18n.t('validation:string.maximum-length', {maxLength}),
  length: (wantedLength, value, message, {i18n}) =>
    ((value || '') as string).length === wantedLength ||
    message ||
    i18n.t('validation:string.exact-length', {wantedLength}),
  presence: (flag, value, message, {i18n}) =>
    flag === 'required' && !value
      ? message || i18n.t('validation:generic.required', {context: 'string'})
      : true,
  regex: (constraint, value, message, {i18n}) => {
    const {pattern, name, invert} = constraint as {pattern: RegExp; name?: string; invert: boolean}
    const regName = name || `${pattern.toString()}`
    pattern.lastIndex = 0
    const matches = pattern.test((value || '') as string)
    if ((!invert && !matches) || (invert && matches))
      return (
        message ||
        i18n.t(
          invert ? 'validation:string.regex-match' : 'validation:string.regex-does-not-match',
          {
            name: regName,
          },
        )
      )
    return true
  },
  uri: (constraint, value, message, {i18n}) => {
    const text = (value || '') as string
    if (!text) return true
    const {options} = constraint as UriConstraint
    const allowRelative = options.allowRelative || options.relativeOnly
    let url: URL
    try {
      url = allowRelative ? new URL(text, DUMMY_ORIGIN) : new URL(text)
    } catch {
      return message || i18n.t('validation:string.url.invalid')
    }
    if (options.relativeOnly && url.origin !== DUMMY_ORIGIN)
      return message || i18n.t('validation:string.url.not-relative')
    if (!allowRelative && url.origin === DUMMY_ORIGIN && isRelativeUrl(text))
      return message || i18n.t('validation:string.url.not-absolute')
    if (!options.allowCredentials && (url.username || url.password))
      return message || i18n.t('validation:string.url.includes-credentials')
    const scheme = url.protocol.replace(/:$/, '')
    return isRelativeUrl(text) || options.scheme.some((s) => s.test(scheme))
      ? true
      : message || i18n.t('validation:string.url.disallowed-scheme', {scheme})
  },
}

const META_KEYS = ['_key', '_type', '_weak']

const object: Record<string, SpecFn> = {
  ...generic,
  presence: (expected, value, message, {i18n}) => {
    if (expected !== 'required') return true
    const keys = value ? Object.keys(value).filter((key) => !META_KEYS.includes(key)) : undefined
    return value === undefined || (keys !== undefined && keys.length === 0)
      ? message || i18n.t('validation:generic.required', {context: 'object'})
      : true
  },
  reference: (_unused, value, message, {i18n, type, document, exists}) => {
    if (!value) return true
    if (!isReference(value)) return message || i18n.t('validation:object.not-reference')
    if ('weak' in type && type.weak) return true
    const documentId = document?._id
    // Sanity's own message here ignores the rule's message.
    return (documentId && value._ref == getPublishedId(documentId as string)) || exists(value._ref)
      ? true
      : i18n.t('validation:object.reference-not-published', {documentId: value._ref})
  },
}

const boolean: Record<string, SpecFn> = {
  ...generic,
  presence: (flag, value, message, {i18n}) =>
    flag === 'required' && typeof value !== 'boolean'
      ? message || i18n.t('validation:generic.required', {context: 'boolean'})
      : true,
}

/**
 * The validators this module implements, by the rule's type as Sanity picks them (a rule without
 * a type uses the generic ones). Left out on purpose, so Sanity runs them: Date's own type check
 * and limits, numbers' limits, `email`, letter case, `all`/`either`, assets and media.
 */
export const NATIVE_SPECS: Record<string, Record<string, SpecFn>> = {
  generic,
  Array: array,
  String: string,
  Object: object,
  Boolean: boolean,
  Number: generic,
  Date: {presence: generic.presence!, valid: generic.valid!},
}
