/**
 * `GET /data/doc/{ds}/{ids}`: documents by id, `{documents, omitted}`. Without the token,
 * drafts and versions are omitted as if they did not exist (a public dataset).
 */
import {isPublishedId} from '../../store/ids.ts'
import {sendJson} from '../http.ts'
import {assertDataset, idList} from '../router.ts'
import type {Route} from '../types.ts'

export const docRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/data\/doc\/(?<ds>[^/]+)\/(?<ids>[^/]+)$/,
    access: 'read',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const ids = idList(ctx.params.ids)
      const visible = ids.filter((id) => ctx.authenticated || isPublishedId(id))
      const found = app.ds.getMany(visible)
      const documents = found.filter((d) => d !== undefined)
      const present = new Set(documents.map((d) => d._id))
      const omitted = ids
        .filter((id) => !present.has(id))
        .map((id) => ({id, reason: visible.includes(id) ? 'existence' : 'permission'}))
      sendJson(ctx.res, 200, {documents, omitted})
    },
  },
]
