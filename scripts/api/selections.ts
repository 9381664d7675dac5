/**
 * Deletes and patches by query, made into deletes and patches by id before the transaction. The
 * store would select with GROQ inside the transaction: under the write lock, on the server's only
 * thread, without a time limit. Here each query runs in a query worker under the query time limit
 * (queryService.ts), and the mutation becomes one mutation per selected `_id`.
 *
 * What a selection means, decided here:
 * - it sees the dataset as committed when the request is made, not the request's own earlier
 *   mutations (a document an earlier mutation creates is not selected; one an earlier mutation
 *   deletes is skipped by a patch, as the store skips documents that are gone);
 * - it applies to exactly the selected documents, each as it was selected: every one is pinned
 *   to its revision (checked under the write lock), and one that another writer changed since
 *   the request began makes the caller select again (Selection.stale);
 * - it selects at most MAX_SELECTED documents, Content Lake's limit for a delete by query.
 */
import {MutationError} from '../lib/errors.ts'
import {GroqQueryError} from '../query/errors.ts'
import type {Mutation, PatchSpec} from '../store/types.ts'
import {HttpError} from './http.ts'
import type {QueryCaller} from './queryService.ts'
import type {ApiContext} from './types.ts'

/** "The query can only operate on up to 10,000 documents" (sanity.io/docs/http-reference/mutation). */
export const MAX_SELECTED = 10_000

export interface Selection {
  /** The request's mutations, each by-query one replaced by its by-id ones. */
  mutations: Mutation[]
  /** The revision each selected document had when it was selected. */
  pins: Record<string, string>
  /** For each of `mutations`, the index of the request's mutation it came from. */
  origin: number[]
  /** A selected document changed while the queries ran: select again. */
  stale: boolean
}

type Spec = Record<string, unknown>

const isPlainObject = (v: unknown): v is Spec =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** `delete`/`patch` with a `query`: its kind and spec; undefined for every other mutation. */
function byQuery(m: unknown): {kind: 'delete' | 'patch'; spec: Spec} | undefined {
  if (!isPlainObject(m)) return undefined
  for (const kind of ['delete', 'patch'] as const) {
    const spec = m[kind]
    if (isPlainObject(spec) && spec.query !== undefined) return {kind, spec}
  }
  return undefined
}

/** The ids one by-query mutation selects, in the worker; errors name the mutation. */
async function select(
  spec: Spec,
  at: string,
  app: ApiContext,
  caller: QueryCaller,
): Promise<string[]> {
  if (spec.id !== undefined) throw new MutationError(`${at}: use either id or query, not both`)
  if (typeof spec.query !== 'string') throw new MutationError(`${at}.query: must be a string`)
  if (spec.params !== undefined && !isPlainObject(spec.params))
    throw new MutationError(`${at}.params: must be an object`)
  let ids: string[]
  try {
    ids = await app.queries.ids(spec.query, (spec.params as Spec | undefined) ?? {}, caller)
  } catch (e) {
    if (e instanceof GroqQueryError) throw new MutationError(`${at}.query: ${e.message}`)
    throw e
  }
  if (ids.length > MAX_SELECTED)
    throw new HttpError(
      400,
      `${at}.query selects ${ids.length} documents; a delete or patch by query may touch at most ${MAX_SELECTED}: slice it and send several transactions`,
      'mutationError',
    )
  return ids
}

/** Select every by-query mutation of `mutations` (an unchecked request body) and expand it. */
export async function selectByQuery(
  mutations: unknown[],
  app: ApiContext,
  caller: QueryCaller,
): Promise<Selection> {
  const since = app.ds.lastSeq()
  const selected = new Map<number, string[]>()
  for (const [i, m] of mutations.entries()) {
    const q = byQuery(m)
    if (q) selected.set(i, await select(q.spec, `mutations[${i}].${q.kind}`, app, caller))
  }
  const out: Selection = {mutations: [], pins: {}, origin: [], stale: false}
  if (selected.size === 0) {
    out.mutations = mutations as Mutation[]
    out.origin = mutations.map((_, i) => i)
    return out
  }
  const all = [...new Set([...selected.values()].flat())]
  const changed = app.ds.changedIdsSince(since)
  const changedIds = new Set(changed.ids)
  out.stale = !changed.complete || all.some((id) => changedIds.has(id))
  app.ds.getMany(all).forEach((doc, k) => {
    if (!doc) out.stale = true
    else out.pins[all[k]!] = doc._rev
  })
  // Ids the request has deleted so far (by id or by query), so that a later patch skips them.
  const gone = new Set<string>()
  mutations.forEach((m, i) => {
    const q = byQuery(m)
    const expanded: Mutation[] = []
    if (!q) {
      expanded.push(m as Mutation)
      trackExistence(m, gone)
    } else {
      const {query: _q, params: _p, ...rest} = q.spec
      for (const id of selected.get(i)!) {
        if (q.kind === 'delete') {
          expanded.push({delete: {id}})
          gone.add(id)
        } else if (!gone.has(id)) {
          expanded.push({patch: {...rest, id} as PatchSpec})
        }
      }
    }
    for (const e of expanded) {
      out.mutations.push(e)
      out.origin.push(i)
    }
  })
  return out
}

/** Follow which documents the request deletes and creates again, by id. */
function trackExistence(m: unknown, gone: Set<string>): void {
  if (!isPlainObject(m)) return
  const del = m.delete
  if (isPlainObject(del) && typeof del.id === 'string') gone.add(del.id)
  for (const kind of ['create', 'createOrReplace', 'createIfNotExists']) {
    const doc = m[kind]
    if (isPlainObject(doc) && typeof doc._id === 'string') gone.delete(doc._id)
  }
}

/**
 * A store error about an expanded mutation (`mutations[7]`), renamed after the request's own
 * mutation it came from.
 */
export function renumbered(e: unknown, origin: readonly number[]): unknown {
  if (!(e instanceof MutationError)) return e
  const m = /^mutations\[(\d+)\]/.exec(e.message)
  const from = m ? origin[Number(m[1])] : undefined
  if (from === undefined || from === Number(m![1])) return e
  return new MutationError(
    e.message.replace(/^mutations\[\d+\]/, `mutations[${from}]`),
    e.statusCode,
    e.documentId,
  )
}
