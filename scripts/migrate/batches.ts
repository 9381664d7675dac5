/**
 * Split a migration's mutations into requests a Sanity API accepts. Each request is one atomic
 * transaction; a migration that fits one request (the usual case) is all-or-nothing on the remote
 * too. Pure.
 */
import type {Mutation} from '../store/types.ts'
import {isGuardPatch} from './guard.ts'

/**
 * Groups of mutations of at most `maxBytes` JSON each (one oversized unit goes alone), in order.
 * A revision-check patch stays in the same group as the mutation it guards, and the last
 * mutation (the ledger record) is in the last group: the record is only written with the final
 * part of the migration.
 */
export function batchMutations(mutations: readonly Mutation[], maxBytes: number): Mutation[][] {
  const units: Mutation[][] = []
  for (let i = 0; i < mutations.length; i++) {
    const m = mutations[i]!
    if (isGuardPatch(m) && i + 1 < mutations.length) {
      units.push([m, mutations[++i]!])
    } else units.push([m])
  }
  const batches: Mutation[][] = []
  let current: Mutation[] = []
  let size = 0
  for (const unit of units) {
    const bytes = unit.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)) + 1, 0)
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current)
      current = []
      size = 0
    }
    current.push(...unit)
    size += bytes
  }
  if (current.length > 0) batches.push(current)
  return batches
}
