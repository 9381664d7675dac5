/**
 * The versioned JSON Schemas (draft 2020-12) of every JSON file the exporter writes — the output
 * declarations of outputs/, plus JSON Feed's own — validated with ajv. The same schemas are
 * shipped into dist/schemas/ so consumers validate with what we used.
 */
import type {Ajv2020, ErrorObject, ValidateFunction} from 'ajv/dist/2020.js'
import type {FormatsPlugin} from 'ajv-formats'
import {createRequire} from 'node:module'
import type {Problem} from '../lib/errors.ts'
import {sha256} from '../lib/hash.ts'
import {appBundleSchema} from './outputs/appBundle.ts'
import {manifestSchema} from './outputs/manifest.ts'
import {partnerContentSchema} from './outputs/partnerContent.ts'
import {partnerProfileSchema} from './outputs/partnerProfile.ts'
import {webPageSchema} from './outputs/webPage.ts'
import jsonFeed from './schemas/jsonfeed-1.1.schema.json' with {type: 'json'}

/** Schema name → schema; the shipped file is `schemas/<$id's last segment>`. */
export const SCHEMAS = {
  webPage: webPageSchema,
  appBundle: appBundleSchema,
  partnerContent: partnerContentSchema,
  partnerProfile: partnerProfileSchema,
  manifest: manifestSchema,
  jsonFeed,
} as const
export type SchemaName = keyof typeof SCHEMAS

export const schemaId = (name: SchemaName): string => SCHEMAS[name].$id
export const schemaFileName = (name: SchemaName): string => SCHEMAS[name].$id.split('/').at(-1)!

// ajv and ajv-formats are CommonJS; required on first use (a module that only needs schemaId,
// such as the export's writer thread, does not load them) and without ESM default-import interop.
const requireCjs = createRequire(import.meta.url)

/**
 * allErrors: report every problem at once; strict: a typo in a schema keyword is a bug
 * (strictRequired off: JSON Feed's "content_html or content_text" is an anyOf of bare requireds).
 * No optimizing pass over the generated code: compiling is a third faster without it, and
 * validating (even a 100k-entry manifest) measured the same.
 */
export const ajvOptions = {
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  code: {optimize: false},
} as const

/** What the validators are made from: the schemas, the options and the ajv versions. */
export function schemasHash(): string {
  const version = (name: string) =>
    (requireCjs(`${name}/package.json`) as {version: string}).version
  return sha256(
    JSON.stringify({
      schemas: SCHEMAS,
      ajvOptions,
      ajv: version('ajv'),
      ajvFormats: version('ajv-formats'),
    }),
  )
}

type Validators = Record<SchemaName, ValidateFunction>

/** The generated module's validators when it was made from these schemas (`hash`), else none. */
export function usableValidators(generated: unknown, hash: string): Partial<Validators> {
  return (generated as {schemasHash?: unknown} | null)?.schemasHash === hash
    ? (generated as Validators)
    : {}
}

/**
 * The six validators: the generated module (validatorsSource.ts, `npm run validators`) when it
 * was made from these schemas, else compiled here with ajv (a schema being edited).
 */
function loadValidators(): Partial<Validators> {
  try {
    return usableValidators(requireCjs('./schemas/validators.generated.cjs'), schemasHash())
  } catch {
    return {}
  }
}

/** An ajv instance with the project's options and formats; `code` adds code-generation options. */
export function createAjv(code: Record<string, unknown> = {}): Ajv2020 {
  const {Ajv2020} = requireCjs('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')
  const addFormats = requireCjs('ajv-formats') as FormatsPlugin
  const instance = new Ajv2020({...ajvOptions, code: {...ajvOptions.code, ...code}})
  addFormats(instance)
  return instance
}

let ajv: Ajv2020 | undefined
let validators: Partial<Validators> | undefined

/** One schema's validator: precompiled, or compiled on first use (an export checks some schemas, a profile load one). */
function validator(name: SchemaName): ValidateFunction {
  validators ??= loadValidators()
  let validate = validators[name]
  if (!validate) {
    ajv ??= createAjv()
    validators[name] = validate = ajv.compile(SCHEMAS[name])
  }
  return validate
}

/** One Problem per schema violation, located by JSON pointer (and by file, when given). */
export function validateAgainst(name: SchemaName, value: unknown, file?: string): Problem[] {
  const validate = validator(name)
  if (validate(value)) return []
  return (validate.errors ?? []).map((e: ErrorObject) => ({
    level: 'error' as const,
    ...(file === undefined ? {} : {file}),
    path: e.instancePath || '/',
    message: `${e.message ?? 'is invalid'}${detail(e)} [${schemaFileName(name)}]`,
  }))
}

/** The offending name or the allowed values: what the generic ajv message leaves out. */
function detail(e: ErrorObject): string {
  const p = e.params as {
    additionalProperty?: string
    allowedValues?: unknown[]
    allowedValue?: unknown
  }
  if (p.additionalProperty) return `: "${p.additionalProperty}"`
  if (p.allowedValues) return `: ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
  if (p.allowedValue !== undefined) return `: ${JSON.stringify(p.allowedValue)}`
  return ''
}
