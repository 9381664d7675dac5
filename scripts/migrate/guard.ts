/**
 * Optimistic locking for migrations: every document a migration changes must still be at the
 * revision the migration read, or the whole transaction fails (HTTP 409 / RevisionConflictError)
 * and nothing is written. Expressed with `ifRevisionID` on patches — the one revision check
 * `/data/mutate` has — so the same mutations lock on the embedded store, the local API and
 * Content Lake.
 */
import type {Mutation} from '../store/types.ts'
import {mutationTarget} from './collect.ts'

/**
 * `mutations` with a revision check on the first mutation that touches each existing document.
 * `revisions` maps the ids the migration read to their `_rev`. A patch gets `ifRevisionID`
 * (unless the migration set one itself); a createOrReplace or delete of an existing document is
 * preceded by an empty patch carrying the check. `create` fails on an existing document anyway and
 * `createIfNotExists` never changes one, so neither needs a check (later mutations still get one).
 */
export function guardRevisions(
  mutations: readonly Mutation[],
  revisions: ReadonlyMap<string, string>,
): Mutation[] {
  const guarded = new Set<string>()
  const out: Mutation[] = []
  for (const m of mutations) {
    const id = mutationTarget(m)
    const rev = id === undefined ? undefined : revisions.get(id)
    if (
      id === undefined ||
      rev === undefined ||
      guarded.has(id) ||
      'create' in m ||
      'createIfNotExists' in m
    ) {
      out.push(m)
      continue
    }
    guarded.add(id)
    if ('patch' in m) out.push({patch: {...m.patch, ifRevisionID: m.patch.ifRevisionID ?? rev}})
    else out.push({patch: {id, ifRevisionID: rev}}, m)
  }
  return out
}

/** True for the empty patch `guardRevisions` adds in front of a createOrReplace/delete. */
export function isGuardPatch(m: Mutation): boolean {
  return (
    'patch' in m &&
    Object.keys(m.patch).every((k) => k === 'id' || k === 'ifRevisionID') &&
    m.patch.ifRevisionID !== undefined
  )
}
