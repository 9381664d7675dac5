/** `GET|POST /data/query/{ds}`: GROQ with perspectives, answered as `{query, result, ms}`. */
import {GroqQueryError} from '../../query/errors.ts'
import {HttpError, sendJson} from '../http.ts'
import {effectivePerspective, parsePerspective} from '../perspective.ts'
import {assertDataset, assertShallowParams, groqParamsFromQuery} from '../router.ts'
import type {ApiContext, RequestContext, Route} from '../types.ts'

interface QueryRequest {
  query: string
  params: Record<string, unknown>
  perspective: unknown
}

async function readQuery(ctx: RequestContext): Promise<QueryRequest> {
  if (ctx.method === 'POST') {
    const body = (await ctx.body()) as
      {query?: unknown; params?: unknown; perspective?: unknown} | undefined
    if (!body || typeof body.query !== 'string')
      throw new HttpError(
        400,
        'Body must be {"query": string, "params"?: object}',
        'queryParseError',
      )
    const params = body.params ?? {}
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new HttpError(400, 'params must be an object', 'queryParseError')
    assertShallowParams(params as Record<string, unknown>)
    return {
      query: body.query,
      params: params as Record<string, unknown>,
      perspective: ctx.query.get('perspective') ?? body.perspective,
    }
  }
  const query = ctx.query.get('query')
  if (query === null) throw new HttpError(400, 'Missing query parameter "query"', 'queryParseError')
  return {
    query,
    params: groqParamsFromQuery(ctx.query),
    perspective: ctx.query.get('perspective') ?? undefined,
  }
}

async function handle(ctx: RequestContext, app: ApiContext): Promise<void> {
  assertDataset(app, ctx.params.ds)
  const {query, params, perspective} = await readQuery(ctx)
  const started = performance.now()
  let result: unknown
  try {
    result = await app.queries.run(
      query,
      params,
      effectivePerspective(parsePerspective(perspective), ctx.authenticated),
    )
  } catch (e) {
    if (e instanceof GroqQueryError) {
      const where = e.position === undefined ? {} : {start: e.position, end: e.position + 1}
      throw new HttpError(400, e.message, 'queryParseError', {query, ...where})
    }
    throw e
  }
  sendJson(ctx.res, 200, {
    query,
    result: result ?? null,
    ms: Math.round(performance.now() - started),
    syncTags: [],
  })
}

export const queryRoutes: Route[] = [
  {method: 'GET', pattern: /^\/data\/query\/(?<ds>[^/]+)$/, access: 'read', handle},
  {method: 'POST', pattern: /^\/data\/query\/(?<ds>[^/]+)$/, access: 'read', handle},
]
