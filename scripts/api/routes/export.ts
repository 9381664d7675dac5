/**
 * `GET /data/export/{ds}?types=a,b`: the dataset as NDJSON, one document per line sorted by
 * `_id` (the `sanity dataset export` shape). Without the token: documents with public ids only
 * (no drafts, versions or `_.`-paths such as `_.migrations.x`), as on the hosted API.
 *
 * Streamed a page of documents at a time, waiting for the client to take each: the dataset is
 * never held whole, and other requests are answered between pages. Like a hosted export, it is
 * not one snapshot: a document changed while the export runs may appear in either version.
 */
import type {Writable} from 'node:stream'
import {isPublicId} from '../../store/ids.ts'
import {writeHead} from '../http.ts'
import {assertDataset, idList} from '../router.ts'
import type {Route} from '../types.ts'

/** Documents read per page (a few MB at most for typical documents). */
const PAGE = 500

export const exportRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/data\/export\/(?<ds>[^/]+)$/,
    access: 'read',
    async handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const types = idList(ctx.query.get('types') ?? '')
      const res = ctx.res as unknown as Writable
      writeHead(ctx.res, 200, {'content-type': 'application/x-ndjson; charset=utf-8'})
      let closed = false
      res.once('close', () => (closed = true))
      for (let after = ''; !closed;) {
        const page = app.ds.documentPage(after, PAGE, types.length > 0 ? {types} : {})
        if (page.length === 0) break
        after = page.at(-1)!.id
        const text = page
          .filter((row) => ctx.authenticated || isPublicId(row.id))
          .map((row) => `${row.json}\n`)
          .join('')
        if (text && !res.write(text))
          await new Promise<void>((resolve) => {
            // Whichever comes first; the other listener goes too, so pages do not pile them up.
            const done = () => {
              res.off('drain', done)
              res.off('close', done)
              resolve()
            }
            res.once('drain', done)
            res.once('close', done)
          })
      }
      res.end()
    },
  },
]
