/**
 * `POST /data/mutate/{ds}`: `{mutations, transactionId?}` applied as one store transaction
 * (the store checks `ifRevisionID` under its write lock → 409). Answers
 * `{transactionId, results: [{id, operation, document?}]}` with documents when
 * `returnDocuments=true`, which is what @sanity/client's create/patch().commit() read.
 */
import {GroqQueryError} from '../../query/errors.ts'
import type {Dataset} from '../../store/dataset.ts'
import type {DocumentEffect, Mutation, StoredDocument} from '../../store/types.ts'
import {HttpError, sendJson} from '../http.ts'
import {assertDataset, boolParam} from '../router.ts'
import type {ApiContext, Route} from '../types.ts'

interface MutationResult {
  id: string
  operation: string
  document?: StoredDocument | null
}

/** The id a mutation names directly (query-addressed ones have none). */
function namedId(m: Mutation): string | undefined {
  if ('create' in m) return typeof m.create._id === 'string' ? m.create._id : undefined
  if ('createOrReplace' in m) return m.createOrReplace._id
  if ('createIfNotExists' in m) return m.createIfNotExists._id
  if ('delete' in m) return m.delete.id
  if ('patch' in m) return m.patch.id
  return undefined
}

/**
 * One result per changed document, in order; a mutation that named a document but changed
 * nothing (createIfNotExists on an existing one, a patch to the same value) still reports it,
 * so a client asking for the first document gets it back.
 */
export function mutationResults(
  mutations: Mutation[],
  effects: DocumentEffect[],
  ds: Dataset,
  withDocuments: boolean,
): MutationResult[] {
  const results: MutationResult[] = effects.map((e) => ({
    id: e.id,
    operation: e.operation,
    ...(withDocuments ? {document: e.after ?? null} : {}),
  }))
  const seen = new Set(results.map((r) => r.id))
  for (const m of mutations) {
    const id = namedId(m)
    if (id === undefined || seen.has(id)) continue
    seen.add(id)
    const doc = ds.get(id)
    results.push({
      id,
      operation: doc ? 'update' : 'none',
      ...(withDocuments ? {document: doc ?? null} : {}),
    })
  }
  return results
}

/**
 * A delete or patch by query selects its documents inside the transaction: under the write lock
 * and on the server's only thread, without the query time limit. Each selection is tried first in
 * the time-limited query worker, so a pathological one is refused with a 400 instead of holding
 * the lock and the server. (Syntax errors are left to the store, which names the mutation.)
 */
async function preflightSelections(mutations: unknown[], app: ApiContext): Promise<void> {
  for (const m of mutations) {
    if (!m || typeof m !== 'object') continue
    const spec = (m as {delete?: unknown; patch?: unknown}).delete ?? (m as {patch?: unknown}).patch
    const {query, params} = (spec && typeof spec === 'object' ? spec : {}) as {
      query?: unknown
      params?: unknown
    }
    if (typeof query !== 'string') continue
    try {
      await app.queries.run(
        query,
        params && typeof params === 'object' && !Array.isArray(params)
          ? (params as Record<string, unknown>)
          : {},
        'raw',
      )
    } catch (e) {
      if (!(e instanceof GroqQueryError)) throw e
    }
  }
}

export const mutateRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/data\/mutate\/(?<ds>[^/]+)$/,
    access: 'token',
    async handle(ctx, app) {
      assertDataset(app, ctx.params.ds)
      const body = (await ctx.body()) as {mutations?: unknown; transactionId?: unknown} | undefined
      if (!body || !Array.isArray(body.mutations))
        throw new HttpError(400, 'Body must be {"mutations": [...]}', 'mutationError')
      if (boolParam(ctx.query, 'dryRun'))
        throw new HttpError(400, 'dryRun is not supported by the local API', 'mutationError')
      const transactionId =
        ctx.query.get('transactionId') ??
        (typeof body.transactionId === 'string' ? body.transactionId : undefined)
      const mutations = body.mutations as Mutation[]
      await preflightSelections(mutations, app)
      const tx = app.ds.transaction(mutations, {
        author: app.user.id,
        ...(transactionId ? {transactionId} : {}),
      })
      app.hub.notify()
      const withDocuments = boolParam(ctx.query, 'returnDocuments')
      const results = mutationResults(tx.mutations, tx.effects, app.ds, withDocuments)
      sendJson(ctx.res, 200, {transactionId: tx.transactionId, results})
    },
  },
]
