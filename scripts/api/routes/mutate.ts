/**
 * `POST /data/mutate/{ds}`: `{mutations, transactionId?}` applied as one store transaction
 * (the store checks `ifRevisionID` under its write lock → 409); deletes and patches by query
 * select their documents in a query worker first (selections.ts). Answers
 * `{transactionId, results: [{id, operation, document?}]}` with documents when
 * `returnDocuments=true`, which is what @sanity/client's create/patch().commit() read.
 */
import {RevisionConflictError} from '../../lib/errors.ts'
import {SERVER_PATCH_BUDGET_MS} from '../../store/apply.ts'
import type {Dataset} from '../../store/dataset.ts'
import type {
  DocumentEffect,
  Mutation,
  StoredDocument,
  TransactionResult,
} from '../../store/types.ts'
import {HttpError, sendJson} from '../http.ts'
import {queryClient, type QueryCaller} from '../queryService.ts'
import {assertDataset, boolParam} from '../router.ts'
import {renumbered, selectByQuery} from '../selections.ts'
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

/** Selections and commit are tried again this often when a selected document changes in between. */
const ATTEMPTS = 3

/**
 * The request's mutations as one transaction, deletes and patches by query selected first, off
 * this thread (selections.ts). A selected document another writer changes before the commit
 * fails the pinned revision under the write lock: then everything is selected again.
 */
async function commit(
  mutations: unknown[],
  app: ApiContext,
  caller: QueryCaller,
  opts: {author: string; transactionId?: string},
): Promise<TransactionResult> {
  for (let attempt = 1; ; attempt++) {
    const selection = await selectByQuery(mutations, app, caller)
    const last = attempt === ATTEMPTS
    if (selection.stale) {
      if (!last) continue
      throw new HttpError(
        409,
        `The documents selected by query kept changing while they were selected (${ATTEMPTS} times); try again`,
        'mutationError',
      )
    }
    try {
      return app.ds.transaction(selection.mutations, {
        ...opts,
        ifRevisionIDs: selection.pins,
        patchBudgetMs: SERVER_PATCH_BUDGET_MS,
      })
    } catch (e) {
      const moved =
        e instanceof RevisionConflictError && selection.pins[e.documentId] === e.expectedRev
      if (!moved || last) throw renumbered(e, selection.origin)
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
      const tx = await commit(
        body.mutations,
        app,
        {client: queryClient(ctx)},
        {
          author: app.user.id,
          ...(transactionId ? {transactionId} : {}),
        },
      )
      app.hub.notify()
      const withDocuments = boolParam(ctx.query, 'returnDocuments')
      const results = mutationResults(tx.mutations, tx.effects, app.ds, withDocuments)
      sendJson(ctx.res, 200, {transactionId: tx.transactionId, results})
    },
  },
]
