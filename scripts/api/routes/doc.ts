/**
 * `GET /data/doc/{ds}/{ids}`: documents by id, `{documents, omitted}`. Without the token, ids in
 * a path (drafts, versions, `_.`-paths such as `_.sys`) are omitted for `permission`, whether or
 * not they exist, as on the hosted API.
 */
import {isPublicId} from '../../store/ids.ts'
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
      const visible = ids.filter((id) => ctx.authenticated || isPublicId(id))
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
