/**
 * History: `/data/history/{ds}/transactions/{ids}` (NDJSON, the Studio's review-changes
 * timeline), `/data/history/{ds}/documents/{ids}?revision=|time=` (a document as it was), and
 * `/data/history/{ds}/events/documents/{id}` (the document group's events, see documentEvents.ts).
 */
import {draftId, publishedId} from '../../store/ids.ts'
import {documentGroupEvents} from '../documentEvents.ts'
import {documentAt, documentTransactions, transactionsTouching} from '../history.ts'
import {sendJson, sendText} from '../http.ts'
import {assertDataset, boolParam, idList} from '../router.ts'
import type {Route} from '../types.ts'

export const historyRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/data\/history\/(?<ds>[^/]+)\/transactions\/(?<ids>[^/]+)$/,
    access: 'token',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const q = ctx.query
      const limit = q.get('limit')
      const txs = documentTransactions(app.ds, idList(ctx.params.ids), {
        ...(q.get('fromTransaction') ? {fromTransaction: q.get('fromTransaction')!} : {}),
        ...(q.get('toTransaction') ? {toTransaction: q.get('toTransaction')!} : {}),
        ...(q.get('fromTime') ? {fromTime: q.get('fromTime')!} : {}),
        ...(q.get('toTime') ? {toTime: q.get('toTime')!} : {}),
        ...(limit !== null && /^\d+$/.test(limit) ? {limit: Number(limit)} : {}),
        reverse: boolParam(q, 'reverse'),
        excludeMutations: boolParam(q, 'excludeMutations') || boolParam(q, 'excludeContent'),
        includeIdentifiedDocumentsOnly: boolParam(q, 'includeIdentifiedDocumentsOnly'),
        ...(q.get('effectFormat') === 'mendoza' ? {effectFormat: 'mendoza' as const} : {}),
      })
      sendText(ctx.res, 200, txs.map((t) => JSON.stringify(t)).join('\n'), 'application/x-ndjson')
    },
  },
  {
    method: 'GET',
    pattern: /^\/data\/history\/(?<ds>[^/]+)\/documents\/(?<ids>[^/]+)$/,
    access: 'token',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const revision = ctx.query.get('revision') ?? undefined
      const time = ctx.query.get('time') ?? undefined
      const documents = idList(ctx.params.ids)
        .map((id) =>
          documentAt(app.ds, id, {...(revision ? {revision} : {}), ...(time ? {time} : {})}),
        )
        .filter((d) => d !== undefined)
      sendJson(ctx.res, 200, {documents})
    },
  },
  {
    method: 'GET',
    pattern: /^\/data\/history\/(?<ds>[^/]+)\/events\/documents\/(?<id>[^/]+)$/,
    access: 'token',
    handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const id = ctx.params.id!
      const published = publishedId(id)
      const txs = transactionsTouching(app.ds, [published, draftId(published)]).map((t) => ({
        id: t.transactionId,
        timestamp: t.timestamp,
        effects: t.effects,
        ...(t.author !== undefined ? {author: t.author} : {}),
      }))
      // Keyed by the id asked for (the Studio asks with the draft id, too); no paging locally.
      sendJson(ctx.res, 200, {events: {[id]: documentGroupEvents(txs, published)}, nextCursor: ''})
    },
  },
]
