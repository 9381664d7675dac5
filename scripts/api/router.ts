/** Route lookup: first route whose pattern matches the unversioned path and whose method fits. */
import {MAX_DEPTH, nestsDeeperThan} from '../store/limits.ts'
import {HttpError} from './http.ts'
import type {ApiContext, Route} from './types.ts'

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): RouteMatch | undefined {
  let pathMatched = false
  for (const route of routes) {
    const m = route.pattern.exec(path)
    if (!m) continue
    pathMatched = true
    if (
      route.method !== 'ANY' &&
      route.method !== method &&
      !(route.method === 'GET' && method === 'HEAD')
    )
      continue
    const params: Record<string, string> = {}
    for (const [k, v] of Object.entries(m.groups ?? {}))
      if (v !== undefined) params[k] = decodePathSegment(v)
    return {route, params}
  }
  if (pathMatched)
    throw new HttpError(405, `Method ${method} not allowed on ${path}`, 'methodNotAllowed')
  return undefined
}

/** `%E0%A4%A` (a cut-off UTF-8 sequence) is the client's mistake: a 400, not a URIError. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpError(400, `Malformed %-encoding in the path: ${segment}`, 'badRequest')
  }
}

/** Data routes name a dataset in the path; the local API serves exactly one. */
export function assertDataset(app: ApiContext, name: string | undefined): void {
  if (name !== app.datasetName)
    throw new HttpError(
      404,
      `Dataset "${name ?? ''}" not found (this API serves "${app.datasetName}")`,
      'notFound',
    )
}

/** Comma-separated ids from a path segment (`/data/doc/ds/a,b`). */
export const idList = (segment: string | undefined): string[] =>
  (segment ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export const boolParam = (q: URLSearchParams, name: string, fallback = false): boolean => {
  const v = q.get(name)
  return v === null ? fallback : v === 'true' || v === '1' || v === ''
}

/** GROQ parameters from a GET query string: `$name=<JSON>` (a bare string is accepted as is). */
export function groqParamsFromQuery(q: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const [k, v] of q) {
    if (!k.startsWith('$')) continue
    try {
      params[k.slice(1)] = JSON.parse(v) as unknown
    } catch {
      throw new HttpError(400, `Parameter ${k} is not valid JSON`, 'queryParseError')
    }
  }
  assertShallowParams(params)
  return params
}

/** GROQ parameters nested absurdly deep overflow the parser's and the evaluator's stacks: a 400, not a 500. */
export function assertShallowParams(params: Record<string, unknown>): void {
  if (nestsDeeperThan(params, MAX_DEPTH))
    throw new HttpError(
      400,
      `Query parameters nested more than ${MAX_DEPTH} levels deep`,
      'queryParseError',
    )
}
