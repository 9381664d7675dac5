/**
 * Who is logged in, and the Studio's per-user preferences. The token holder is the one
 * administrator; authors in the transaction log (`importer`, `migration:<name>`, …) are
 * shown as users named after themselves.
 */
import {HttpError, sendJson} from '../http.ts'
import type {ApiContext, ApiUser, Route} from '../types.ts'

function currentUser(user: ApiUser) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    profileImage: null,
    provider: 'sanity',
    role: 'administrator',
    roles: [
      {
        name: 'administrator',
        title: 'Administrator',
        description: 'Full access to the local dataset',
      },
    ],
  }
}

function publicUser(id: string, app: ApiContext) {
  const me = id === app.user.id
  return {
    id,
    displayName: me ? app.user.name : id,
    familyName: null,
    givenName: null,
    middleName: null,
    imageUrl: null,
    isCurrentUser: me,
  }
}

export const userRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/users\/me$/,
    access: 'public',
    // Content Lake answers `{}` to an anonymous caller; the Studio then shows its login screen.
    handle: (ctx, app) => sendJson(ctx.res, 200, ctx.authenticated ? currentUser(app.user) : {}),
  },
  {
    method: 'GET',
    pattern: /^\/auth\/id$/,
    access: 'public',
    handle: (ctx, app) =>
      ctx.authenticated
        ? sendJson(ctx.res, 200, {id: app.user.id})
        : sendJson(ctx.res, 401, {
            statusCode: 401,
            error: 'Unauthorized',
            message: 'Not authenticated',
          }),
  },
  {
    method: 'GET',
    pattern: /^\/auth\/providers$/,
    access: 'public',
    // Token login only: no provider a browser could be sent to.
    handle: (ctx) =>
      sendJson(ctx.res, 200, {thirdPartyLogin: false, sso: {saml: false}, providers: []}),
  },
  {
    method: 'POST',
    pattern: /^\/auth\/logout$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, {}),
  },
  {
    method: 'GET',
    pattern: /^\/users\/me\/keyvalue\/(?<keys>[^/]+)$/,
    access: 'token',
    handle(ctx, app) {
      const keys = (ctx.params.keys ?? '').split(',').filter(Boolean)
      sendJson(
        ctx.res,
        200,
        keys.map((key) => ({key, value: app.keyValue.get(key) ?? null})),
      )
    },
  },
  {
    method: 'PUT',
    pattern: /^\/users\/me\/keyvalue$/,
    access: 'token',
    async handle(ctx, app) {
      const body = await ctx.body()
      const items = (Array.isArray(body) ? body : [body]) as Array<{key?: unknown; value?: unknown}>
      for (const item of items) {
        if (!item || typeof item.key !== 'string')
          throw new HttpError(400, 'Each item needs a string "key"', 'validationError')
        app.keyValue.set(item.key, item.value ?? null)
      }
      sendJson(ctx.res, 200, items)
    },
  },
  {
    method: 'GET',
    pattern: /^\/users\/(?<ids>[^/]+)$/,
    access: 'token',
    handle(ctx, app) {
      const ids = (ctx.params.ids ?? '').split(',').filter(Boolean)
      const users = ids.map((id) => publicUser(id, app))
      sendJson(ctx.res, 200, ids.length === 1 ? users[0] : users)
    },
  },
]
