/**
 * Request bodies of the Webhooks API checked field by field. Every problem is collected, so one
 * 400 tells the client all it has to fix (a form in a UI shows them all at once). GROQ is only
 * parsed here, which is linear in its length (bounded below); it is evaluated in the query workers.
 */
import {HttpError} from '../http.ts'
import {parseDelta} from './deltaJob.ts'
import {
  HOOK_METHODS,
  HOOK_OPERATIONS,
  type HookMethod,
  type HookOperation,
  type HookRule,
  type HookSettings,
} from './types.ts'

export interface Problem {
  path: string
  message: string
}

const MAX_NAME = 200
const MAX_DESCRIPTION = 1024
const MAX_URL = 2048
const MAX_GROQ = 16 * 1024
const MAX_HEADERS = 32
const MAX_HEADER_VALUE = 4096
const MAX_SECRET = 256
/** RFC 9110 `token`: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Set by the delivery itself (framing, signature, Sanity's metadata): a hook cannot override them. */
const RESERVED_HEADER =
  /^(host|content-length|content-type|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|idempotency-key|sanity-.*|proxy-.*)$/i
const API_VERSION = /^v?(\d{4}-\d{2}-\d{2}|1|X)$/

/** Fields a client may send that are the server's to set: accepted and ignored (a GET round-trip). */
const READ_ONLY = new Set([
  'id',
  'projectId',
  'createdAt',
  'createdByUserId',
  'isDisabled',
  'deletedAt',
])

type Settings = Partial<Omit<HookSettings, 'rule'>> & {rule?: Partial<HookRule>}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The settings a body gives. `create`: `type`, `name`, `url` and `dataset` are required; a PATCH
 * may give any subset. Throws a 400 `validationError` listing every problem.
 */
export function readHookSettings(
  body: unknown,
  opts: {create: boolean; datasetName: string},
): Settings {
  const problems: Problem[] = []
  const problem = (path: string, message: string) => problems.push({path, message})
  if (!isObject(body)) {
    problem('', 'The body must be a JSON object')
    throw invalid(problems)
  }
  const out: Settings = {}
  for (const key of Object.keys(body))
    if (!FIELDS.has(key) && !READ_ONLY.has(key)) problem(key, 'Unknown field')

  const required = (key: string) => {
    if (opts.create && body[key] === undefined) problem(key, 'Required')
    return body[key] !== undefined
  }
  if (required('type')) {
    if (body.type === 'document') out.type = 'document'
    else problem('type', "Must be 'document' (transaction webhooks are not supported)")
  }
  if (required('name')) {
    const v = body.name
    if (typeof v !== 'string' || v.trim() === '') problem('name', 'Must be a non-empty string')
    else if (v.length > MAX_NAME) problem('name', `At most ${MAX_NAME} characters`)
    else out.name = v
  }
  if (body.description !== undefined) {
    const v = body.description
    if (v !== null && typeof v !== 'string') problem('description', 'Must be a string or null')
    else if (typeof v === 'string' && v.length > MAX_DESCRIPTION)
      problem('description', `At most ${MAX_DESCRIPTION} characters`)
    else out.description = v
  }
  if (required('url')) {
    const message = urlProblem(body.url)
    if (message) problem('url', message)
    else out.url = body.url as string
  }
  if (required('dataset')) {
    const v = body.dataset
    if (v !== '*' && v !== opts.datasetName)
      problem('dataset', `Must be "${opts.datasetName}" or "*" (the datasets of this project)`)
    else out.dataset = v
  }
  if (body.rule !== undefined) {
    const rule = readRule(body.rule, problem)
    if (rule) out.rule = rule
  }
  if (body.apiVersion !== undefined) {
    const v = body.apiVersion
    if (typeof v !== 'string' || !API_VERSION.test(v))
      problem('apiVersion', 'Must be an API version such as "v2021-03-25"')
    else out.apiVersion = v
  }
  if (body.httpMethod !== undefined) {
    const v = body.httpMethod
    if (!HOOK_METHODS.includes(v as HookMethod))
      problem('httpMethod', `Must be one of ${HOOK_METHODS.join(', ')}`)
    else out.httpMethod = v as HookMethod
  }
  for (const key of ['includeDrafts', 'isDisabledByUser'] as const) {
    if (body[key] === undefined) continue
    if (typeof body[key] !== 'boolean') problem(key, 'Must be true or false')
    else out[key] = body[key]
  }
  if (body.headers !== undefined) {
    const headers = readHeaders(body.headers, problem)
    if (headers) out.headers = headers
  }
  if (body.secret !== undefined) {
    const v = body.secret
    if (v !== null && (typeof v !== 'string' || v === '' || v.length > MAX_SECRET))
      problem('secret', `Must be null or a string of 1 to ${MAX_SECRET} characters`)
    else out.secret = v
  }
  if (problems.length > 0) throw invalid(problems)
  return out
}

const FIELDS = new Set([
  'type',
  'name',
  'description',
  'url',
  'dataset',
  'rule',
  'apiVersion',
  'httpMethod',
  'includeDrafts',
  'isDisabledByUser',
  'headers',
  'secret',
])

function urlProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'Must be a string'
  if (v.length > MAX_URL) return `At most ${MAX_URL} characters`
  let url: URL
  try {
    url = new URL(v)
  } catch {
    return 'Must be an absolute URL'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Must be an http(s) URL'
  return undefined
}

function readRule(
  v: unknown,
  problem: (path: string, message: string) => void,
): Partial<HookRule> | undefined {
  if (!isObject(v)) {
    problem('rule', 'Must be an object {on, filter, projection}')
    return undefined
  }
  const rule: Partial<HookRule> = {}
  let ok = true
  for (const key of Object.keys(v))
    if (key !== 'on' && key !== 'filter' && key !== 'projection') {
      problem(`rule.${key}`, 'Unknown field')
      ok = false
    }
  if (v.on !== undefined) {
    const on = v.on
    if (!Array.isArray(on) || on.length === 0) {
      problem('rule.on', `Must be a non-empty array of ${HOOK_OPERATIONS.join(', ')}`)
      ok = false
    } else {
      on.forEach((op, i) => {
        if (!HOOK_OPERATIONS.includes(op as HookOperation)) {
          problem(`rule.on[${i}]`, `Must be one of ${HOOK_OPERATIONS.join(', ')}`)
          ok = false
        }
      })
      rule.on = [...new Set(on as HookOperation[])]
    }
  }
  for (const part of ['filter', 'projection'] as const) {
    const text = v[part]
    if (text === undefined) continue
    if (text !== null && typeof text !== 'string') {
      problem(`rule.${part}`, 'Must be a GROQ string or null')
      ok = false
    } else if (typeof text === 'string' && text.length > MAX_GROQ) {
      problem(`rule.${part}`, `At most ${MAX_GROQ} characters`)
      ok = false
    } else if (typeof text === 'string' && text.trim() !== '') {
      try {
        parseDelta(text, part)
        rule[part] = text
      } catch (e) {
        problem(`rule.${part}`, (e as Error).message)
        ok = false
      }
    } else rule[part] = null
  }
  return ok ? rule : undefined
}

function readHeaders(
  v: unknown,
  problem: (path: string, message: string) => void,
): Record<string, string> | undefined {
  if (v === null) return {}
  if (!isObject(v)) {
    problem('headers', 'Must be an object of header names to string values')
    return undefined
  }
  const entries = Object.entries(v)
  let ok = true
  if (entries.length > MAX_HEADERS) {
    problem('headers', `At most ${MAX_HEADERS} headers`)
    ok = false
  }
  for (const [name, value] of entries) {
    const path = `headers.${name}`
    if (!HEADER_NAME.test(name)) {
      problem(path, 'Not a valid header name')
      ok = false
    } else if (RESERVED_HEADER.test(name)) {
      problem(path, 'Set by the delivery itself; cannot be overridden')
      ok = false
    }
    if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE || /[\r\n\0]/.test(value)) {
      problem(path, `Must be a string of at most ${MAX_HEADER_VALUE} characters, on one line`)
      ok = false
    }
  }
  return ok ? (v as Record<string, string>) : undefined
}

function invalid(problems: Problem[]): HttpError {
  const list = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')
  return new HttpError(400, `Invalid webhook: ${list}`, 'validationError', {items: problems})
}
