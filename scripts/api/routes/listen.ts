/**
 * `GET /data/listen/{ds}?query=…`: Server-Sent Events. `welcome` first, then one `mutation`
 * event per matching document change (see listen/events.ts for the exact shape). Without the
 * token a stream only sees published documents.
 */
import {randomBytes} from 'node:crypto'
import {isPublishedId} from '../../store/ids.ts'
import {eventsForStream, type StreamOptions} from '../listen/events.ts'
import {compileListenFilter} from '../listen/filter.ts'
import {HttpError, writeHead} from '../http.ts'
import {assertDataset, boolParam, groqParamsFromQuery} from '../router.ts'
import type {Route} from '../types.ts'

/** A comment line now and then keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 20_000

export const listenRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/data\/listen\/(?<ds>[^/]+)$/,
    access: 'read',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const query = ctx.query.get('query')
      if (!query) throw new HttpError(400, 'Missing query parameter "query"', 'queryParseError')
      const filter = compileListenFilter(
        query,
        groqParamsFromQuery(ctx.query),
        app.user.id,
        app.log,
      )
      const authenticated = ctx.authenticated
      const opts: StreamOptions = {
        matches: (doc) => (authenticated || isPublishedId(doc._id)) && filter(doc),
        includeResult: boolParam(ctx.query, 'includeResult', true),
        includePreviousRevision: boolParam(ctx.query, 'includePreviousRevision'),
        includeMutations: boolParam(ctx.query, 'includeMutations', true),
        ...(ctx.query.get('effectFormat') === 'mendoza' ? {effectFormat: 'mendoza' as const} : {}),
      }
      const {res, req} = ctx
      writeHead(res, 200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      })
      const write = (chunk: string) => {
        if (!res.writableEnded && !res.destroyed) (res as NodeJS.WritableStream).write(chunk)
      }
      write(
        `event: welcome\ndata: ${JSON.stringify({listenerName: `local-${randomBytes(6).toString('hex')}`})}\n\n`,
      )
      const unsubscribe = app.hub.subscribe({
        fromSeq: app.hub.position(),
        deliver(tx) {
          for (const event of eventsForStream(tx, opts))
            write(`event: mutation\nid: ${event.eventId}\ndata: ${JSON.stringify(event)}\n\n`)
        },
      })
      const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS)
      const stop = () => {
        clearInterval(keepalive)
        unsubscribe()
      }
      req.once('close', stop)
      res.once('close', stop)
    },
  },
]
