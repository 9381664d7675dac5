/**
 * Sanity's Webhooks API for the local project: hooks are listed, created, read, updated and
 * deleted under `/hooks/projects/<projectId>`, and each hook's recent messages and delivery
 * attempts are listed. Only the token holder may call it: a hook sends documents, drafts included
 * if it asks, to any URL. The secret is stored but never answered, as write-only as a password.
 */
import {HttpError, sendJson} from '../http.ts'
import {MAX_HOOKS} from '../hooks/store.ts'
import {publicHook, type StoredHook} from '../hooks/types.ts'
import {readHookSettings} from '../hooks/validate.ts'
import type {ApiContext, RequestContext, Route} from '../types.ts'

const PROJECT = '^/hooks/projects/(?<project>[^/]+)'
const HOOK = `${PROJECT}/(?<hook>[^/]+)`

function assertProject(ctx: RequestContext, app: ApiContext): void {
  if (ctx.params.project !== app.projectId)
    throw new HttpError(
      404,
      `Project "${ctx.params.project ?? ''}" not found (this API serves "${app.projectId}")`,
      'notFound',
    )
}

function hookOf(ctx: RequestContext, app: ApiContext): StoredHook {
  assertProject(ctx, app)
  const hook = app.webhooks.store.get(ctx.params.hook ?? '')
  if (!hook) throw new HttpError(404, `Webhook "${ctx.params.hook ?? ''}" not found`, 'notFound')
  return hook
}

export const hookRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`${PROJECT}$`),
    access: 'token',
    handle(ctx, app) {
      assertProject(ctx, app)
      sendJson(
        ctx.res,
        200,
        app.webhooks.store.list().map((h) => publicHook(h)),
      )
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`${PROJECT}$`),
    access: 'token',
    async handle(ctx, app) {
      assertProject(ctx, app)
      const settings = readHookSettings(await ctx.body(), {
        create: true,
        datasetName: app.datasetName,
      })
      const hook = app.webhooks.store.create(settings, {
        projectId: app.projectId,
        userId: app.user.id,
        now: new Date().toISOString(),
      })
      if (!hook)
        throw new HttpError(
          400,
          `A project has at most ${MAX_HOOKS} webhooks; delete one first`,
          'webhookLimitExceeded',
        )
      sendJson(ctx.res, 200, publicHook(hook))
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${HOOK}/attempts$`),
    access: 'token',
    handle(ctx, app) {
      const hook = hookOf(ctx, app)
      sendJson(ctx.res, 200, app.webhooks.log.attempts(hook.id))
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${HOOK}/messages$`),
    access: 'token',
    handle(ctx, app) {
      const hook = hookOf(ctx, app)
      sendJson(ctx.res, 200, app.webhooks.log.messages(hook.id))
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${HOOK}$`),
    access: 'token',
    handle(ctx, app) {
      sendJson(ctx.res, 200, publicHook(hookOf(ctx, app)))
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`${HOOK}$`),
    access: 'token',
    async handle(ctx, app) {
      const {id} = hookOf(ctx, app)
      const changes = readHookSettings(await ctx.body(), {
        create: false,
        datasetName: app.datasetName,
      })
      const hook = app.webhooks.store.update(id, changes)
      if (!hook) throw new HttpError(404, `Webhook "${id}" not found`, 'notFound')
      sendJson(ctx.res, 200, publicHook(hook))
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`${HOOK}$`),
    access: 'token',
    handle(ctx, app) {
      const {id} = hookOf(ctx, app)
      const hook = app.webhooks.store.remove(id)
      if (!hook) throw new HttpError(404, `Webhook "${id}" not found`, 'notFound')
      app.webhooks.log.forget(id)
      sendJson(ctx.res, 200, publicHook(hook, new Date().toISOString()))
    },
  },
]
