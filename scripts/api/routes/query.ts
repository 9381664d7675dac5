/**
 * `GET|POST /data/query/{ds}`: GROQ with perspectives, answered as `{query, result, ms, syncTags}`
 * (without `query` when asked `returnQuery=false`, as @sanity/client does for every fetch).
 * Without a perspective, the API version decides: `raw` before v2025-02-19, `published` from it.
 * The result arrives from the query worker already serialized: this thread writes its bytes
 * between the envelope's, never parsing or re-serializing them, so a large result costs other
 * requests nothing here.
 */
import type {ServerResponse} from 'node:http'
import {GroqQueryError} from '../../query/errors.ts'
import {HttpError, parseJson, readBody, writeHead, type Res} from '../http.ts'
import {defaultPerspective, effectivePerspective, parsePerspective} from '../perspective.ts'
import {queryClient} from '../queryService.ts'
import {assertDataset, assertShallowParams, boolParam, groqParamsFromQuery} from '../router.ts'
import type {ApiContext, RequestContext, Route} from '../types.ts'

interface QueryRequest {
  query: string
  params: Record<string, unknown>
  perspective: unknown
}

/** Room for the query text beside its params in a POST body. */
const QUERY_TEXT_BYTES = 1024 * 1024

async function readQuery(ctx: RequestContext, app: ApiContext): Promise<QueryRequest> {
  if (ctx.method === 'POST') {
    // A body past what params may take is refused as it arrives (or by its Content-Length),
    // before it is kept or parsed: not after reading and parsing 32 MB on this thread.
    const limit = app.queries.maxParamsBytes + QUERY_TEXT_BYTES
    const body = parseJson(await readBody(ctx.req, limit)) as
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

/** Until the response is sent: a query still waiting for a worker is dropped if the client leaves. */
function whileOpen(res: Res): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => controller.abort())
  return controller.signal
}

/**
 * `{"query":…,"result":<bytes>,"ms":…,"syncTags":[]}`, the result's bytes written as they came;
 * `query` is left out when `query` is undefined (`returnQuery=false`).
 */
function sendResult(res: Res, query: string | undefined, result: Uint8Array, ms: number): void {
  const echo = query === undefined ? '' : `"query":${JSON.stringify(query)},`
  const head = Buffer.from(`{${echo}"result":`)
  const tail = Buffer.from(`,"ms":${ms},"syncTags":[]}`)
  writeHead(res, 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(head.byteLength + result.byteLength + tail.byteLength),
  })
  // One cast for both servers, as writeHead does: HTTP/2's compatibility response writes alike.
  const out = res as ServerResponse
  out.write(head)
  out.write(result)
  out.end(tail)
}

async function handle(ctx: RequestContext, app: ApiContext): Promise<void> {
  assertDataset(app, ctx.params.ds)
  const {query, params, perspective} = await readQuery(ctx, app)
  const requested = parsePerspective(perspective) ?? defaultPerspective(ctx.apiVersion)
  const started = performance.now()
  let result: Uint8Array
  try {
    result = await app.queries.runJson(
      query,
      params,
      effectivePerspective(requested, ctx.authenticated),
      {client: queryClient(ctx), authenticated: ctx.authenticated, signal: whileOpen(ctx.res)},
    )
  } catch (e) {
    if (e instanceof GroqQueryError) {
      const where =
        e.position === undefined ? {} : {start: e.position, end: tokenEnd(query, e.position)}
      throw new HttpError(400, e.message, 'queryParseError', {query, ...where})
    }
    throw e
  }
  const echo = boolParam(ctx.query, 'returnQuery', true) ? query : undefined
  sendResult(ctx.res, echo, result, Math.round(performance.now() - started))
}

/**
 * Where the error's token ends: past the whole `$name` when the position is a parameter (a missing
 * one, so the client's code frame underlines all of it), one character further otherwise.
 */
function tokenEnd(query: string, position: number): number {
  const param = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(position))
  return position + (param ? param[0].length : 1)
}

export const queryRoutes: Route[] = [
  {method: 'GET', pattern: /^\/data\/query\/(?<ds>[^/]+)$/, access: 'read', handle},
  {method: 'POST', pattern: /^\/data\/query\/(?<ds>[^/]+)$/, access: 'read', handle},
]
