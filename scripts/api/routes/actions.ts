/**
 * `POST /data/actions/{ds}`: the Studio's writes (create, edit, publish, unpublish, discard,
 * delete). The plan is made outside the write lock, so a revision pin the client did not ask
 * for may go stale when another process writes in between; then the plan is simply made again.
 */
import {RevisionConflictError} from '../../lib/errors.ts'
import {SERVER_PATCH_BUDGET_MS} from '../../store/apply.ts'
import {planActions} from '../actions.ts'
import {HttpError, sendJson} from '../http.ts'
import {assertDataset} from '../router.ts'
import type {Route} from '../types.ts'

const ATTEMPTS = 3

export const actionRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/data\/actions\/(?<ds>[^/]+)$/,
    access: 'token',
    async handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const body = (await ctx.body()) as
        {actions?: unknown; transactionId?: unknown; dryRun?: unknown} | undefined
      if (!body || typeof body !== 'object')
        throw new HttpError(400, 'Body must be {"actions": [...]}', 'actionError')
      if (body.dryRun === true)
        throw new HttpError(400, 'dryRun is not supported by the local API', 'actionError')
      const transactionId = typeof body.transactionId === 'string' ? body.transactionId : undefined
      for (let attempt = 1; ; attempt++) {
        const plan = planActions(body.actions, (id) => app.ds.get(id))
        try {
          const tx = app.ds.transaction(plan.mutations, {
            author: app.user.id,
            ifRevisionIDs: plan.ifRevisionIDs,
            patchBudgetMs: SERVER_PATCH_BUDGET_MS,
            ...(transactionId ? {transactionId} : {}),
          })
          app.hub.notify()
          sendJson(ctx.res, 200, {transactionId: tx.transactionId})
          return
        } catch (e) {
          const retry =
            e instanceof RevisionConflictError &&
            plan.implied.has(e.documentId) &&
            attempt < ATTEMPTS
          if (!retry) throw e
        }
      }
    },
  },
]
