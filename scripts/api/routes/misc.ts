/**
 * The small fixed endpoints: health checks, the version check, hosted-product "journeys"
 * (trials, announcements — nothing to announce offline) and telemetry intake (accepted and
 * dropped: nothing leaves the machine).
 */
import {sendJson, sendText} from '../http.ts'
import type {Route} from '../types.ts'

export const miscRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/ping$/,
    access: 'public',
    handle: (ctx) => sendText(ctx.res, 200, 'PONG', 'text/plain; charset=utf-8'),
  },
  {
    method: 'GET',
    pattern: /^\/data\/ping$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, {ok: true}),
  },
  {
    method: 'GET',
    pattern: /^\/help$/,
    access: 'public',
    handle: (ctx) =>
      sendJson(ctx.res, 200, {
        latest: null,
        isSupported: true,
        isUpToDate: true,
        helpResources: [],
      }),
  },
  {
    method: 'GET',
    pattern: /^\/journey\/announcements$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, []),
  },
  {
    method: 'GET',
    pattern: /^\/journey\/trial(\/.*)?$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, {}),
  },
  // Upsell dialogs (document limits, comments, …): `null` means "nothing to offer".
  {
    method: 'GET',
    pattern: /^\/journey\/[^/]+$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, null),
  },
  {
    method: 'GET',
    pattern: /^\/check\/cors$/,
    access: 'public',
    // Refused origins never get here (server.ts answers them 403), so whoever asks is allowed.
    handle: (ctx) => sendJson(ctx.res, 200, {result: {allowed: true, withCredentials: true}}),
  },
  {
    method: 'GET',
    pattern: /^\/intake\/telemetry-status$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, {status: 'denied'}),
  },
  {
    method: 'ANY',
    pattern: /^\/intake\/.*$/,
    access: 'public',
    handle: (ctx) => sendJson(ctx.res, 200, {}),
  },
]
