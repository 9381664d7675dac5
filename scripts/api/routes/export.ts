/**
 * `GET /data/export/{ds}?types=a,b`: the dataset as NDJSON, one document per line sorted by
 * `_id` (the `sanity dataset export` shape). Without the token: documents with public ids only
 * (no drafts, versions or `_.`-paths such as `_.migrations.x`), as on the hosted API.
 */
import {isPublicId} from '../../store/ids.ts'
import {exportNdjson} from '../../store/ndjson.ts'
import {sendText} from '../http.ts'
import {assertDataset, idList} from '../router.ts'
import type {Route} from '../types.ts'

export const exportRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/data\/export\/(?<ds>[^/]+)$/,
    access: 'read',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const types = idList(ctx.query.get('types') ?? '')
      let text: string
      if (ctx.authenticated && types.length === 0) {
        text = exportNdjson(app.ds)
      } else {
        const docs = app.ds
          .documents(types.length > 0 ? {types} : {})
          .filter((d) => ctx.authenticated || isPublicId(d._id))
        text = docs.map((d) => `${JSON.stringify(d)}\n`).join('')
      }
      sendText(ctx.res, 200, text, 'application/x-ndjson; charset=utf-8')
    },
  },
]
