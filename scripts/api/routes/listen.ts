/**
 * `GET /data/listen/{ds}?query=…`: Server-Sent Events. `welcome` first, then one `mutation`
 * event per matching document change (see listen/events.ts for the exact shape). Without the
 * token a stream only sees documents with public ids (no `.`: no drafts, versions or `_.`
 * system documents). The filter is parsed here (a 400 for a syntax error) and evaluated in the
 * query workers; limits and last events are the hub's (listen/hub.ts).
 */
import {randomBytes} from 'node:crypto'
import {isPublicId} from '../../store/ids.ts'
import {HttpError, writeHead} from '../http.ts'
import type {EventFormat} from '../listen/events.ts'
import {assertListenQuery, listenFilterKey} from '../listen/filter.ts'
import type {ListenFilter} from '../listen/hub.ts'
import {SseStream} from '../listen/stream.ts'
import {ANONYMOUS_PREFIX} from '../queryScheduler.ts'
import {assertDataset, boolParam, groqParamsFromQuery} from '../router.ts'
import type {RequestContext, Route} from '../types.ts'

/** A comment line now and then keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 20_000

/**
 * Whose stream it is, for the per-client cap and for turns in the query pool: the token holder,
 * or an anonymous caller by address. Not by connection, as queries are: over HTTP/1.1 every
 * stream is a connection of its own, so a caller opening hundreds would count as hundreds.
 */
function listenClient(ctx: RequestContext): string {
  return ctx.authenticated ? 'token' : `${ANONYMOUS_PREFIX}${ctx.req.socket?.remoteAddress ?? '?'}`
}

export const listenRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/data\/listen\/(?<ds>[^/]+)$/,
    access: 'read',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const query = ctx.query.get('query')
      if (!query) throw new HttpError(400, 'Missing query parameter "query"', 'queryParseError')
      const params = groqParamsFromQuery(ctx.query)
      assertListenQuery(query, params)
      const {authenticated} = ctx
      const identity = app.user.id
      const client = listenClient(ctx)
      const filter: ListenFilter = {
        key: listenFilterKey(query, params, identity, authenticated),
        client,
        query,
        visible: authenticated ? () => true : isPublicId,
        match: (docs) => app.queries.match(query, params, docs, {identity, client}),
      }
      const format: EventFormat = {
        includeResult: boolParam(ctx.query, 'includeResult', true),
        includePreviousRevision: boolParam(ctx.query, 'includePreviousRevision'),
        includeMutations: boolParam(ctx.query, 'includeMutations', true),
        ...(ctx.query.get('effectFormat') === 'mendoza' ? {effectFormat: 'mendoza' as const} : {}),
      }
      const {res, req} = ctx
      const stream = new SseStream(res, app.hub.position(), format)
      // Before the first byte: over the caps this is a 429, which @sanity/client retries.
      const unsubscribe = app.hub.subscribe(filter, stream)
      writeHead(res, 200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      })
      stream.write([
        `event: welcome\ndata: ${JSON.stringify({listenerName: `local-${randomBytes(6).toString('hex')}`})}\n\n`,
      ])
      const keepalive = setInterval(() => stream.write([': keepalive\n\n']), KEEPALIVE_MS)
      const stop = () => {
        clearInterval(keepalive)
        unsubscribe()
      }
      req.once('close', stop)
      res.once('close', stop)
    },
  },
]
