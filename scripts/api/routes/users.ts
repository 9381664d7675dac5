/**
 * Who is logged in, and the Studio's per-user preferences. The token holder is the one
 * administrator; authors in the transaction log (`importer`, `migration:<name>`, …) are
 * shown as users named after themselves.
 */
import {jsonLargerThan, MAX_DEPTH, nestsDeeperThan} from '../../store/limits.ts'
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

/**
 * Longest key of `/users/me/keyvalue`, the Studio's preferences (recent searches, pane layouts:
 * small values), kept for the server's lifetime.
 */
const MAX_KEY_LENGTH = 1024
/** Largest value of one key, as JSON bytes. */
const MAX_VALUE_BYTES = 1024 * 1024
/** All keys and values together; past it the least recently written keys are forgotten. */
const MAX_TOTAL_BYTES = 16 * 1024 * 1024

interface Entry {
  value: unknown
  /** The key's and value's JSON bytes. */
  bytes: number
}

/**
 * One item of a key-value PUT, checked. Every item is checked before any is stored: a bad one
 * left behind (nested past what JSON.stringify can write) would fail every later read.
 */
function checkedItem(item: unknown): {key: string; entry: Entry} {
  const {key, value = null} = (item ?? {}) as {key?: unknown; value?: unknown}
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY_LENGTH)
    throw new HttpError(
      400,
      `Each item needs a string "key" of 1 to ${MAX_KEY_LENGTH} characters`,
      'validationError',
    )
  if (nestsDeeperThan(value, MAX_DEPTH))
    throw new HttpError(400, `Value nested more than ${MAX_DEPTH} levels deep`, 'validationError')
  if (jsonLargerThan(value, MAX_VALUE_BYTES))
    throw new HttpError(
      413,
      `Value larger than ${MAX_VALUE_BYTES} bytes of JSON`,
      'payloadTooLarge',
    )
  const bytes = Buffer.byteLength(JSON.stringify(value)) + key.length
  return {key, entry: {value, bytes}}
}

/** Keep the store within MAX_TOTAL_BYTES, oldest writes first out (a Map keeps insertion order). */
function forgetOldest(store: Map<string, unknown>): void {
  let total = 0
  for (const entry of store.values()) total += (entry as Entry).bytes
  for (const [key, entry] of store) {
    if (total <= MAX_TOTAL_BYTES) break
    total -= (entry as Entry).bytes
    store.delete(key)
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
        keys.map((key) => ({
          key,
          value: (app.keyValue.get(key) as Entry | undefined)?.value ?? null,
        })),
      )
    },
  },
  {
    method: 'PUT',
    pattern: /^\/users\/me\/keyvalue$/,
    access: 'token',
    async handle(ctx, app) {
      const body = await ctx.body()
      const items = (Array.isArray(body) ? body : [body]).map(checkedItem)
      for (const {key, entry} of items) {
        app.keyValue.delete(key)
        app.keyValue.set(key, entry)
      }
      forgetOldest(app.keyValue)
      sendJson(
        ctx.res,
        200,
        items.map(({key, entry}) => ({key, value: entry.value})),
      )
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
