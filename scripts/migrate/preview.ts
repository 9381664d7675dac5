/**
 * What a migration's mutations do, worked out on an in-memory copy of the documents they touch:
 * the same store code as the real commit (scripts/store), so a mutation that cannot apply fails
 * here, before anything is sent, and the dry run shows exactly what a real run writes.
 */
import {Dataset} from '../store/dataset.ts'
import type {Mutation, StoredDocument} from '../store/types.ts'
import {diffDocuments} from './diff.ts'
import type {DocumentChange} from './types.ts'

/** Apply `mutations` to a private copy of `docs`; one entry per document that would change, sorted by id. */
export function previewChanges(
  docs: readonly StoredDocument[],
  mutations: readonly Mutation[],
): DocumentChange[] {
  if (mutations.length === 0) return []
  const scratch = Dataset.open(':memory:')
  try {
    if (docs.length > 0) scratch.importDocuments(docs, {author: 'preview'})
    const {effects} = scratch.transaction([...mutations], {author: 'preview'})
    return effects
      .map((e) => ({
        id: e.id,
        type: (e.after ?? e.before)?._type ?? '',
        operation: e.operation,
        fields: diffDocuments(e.before, e.after),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  } finally {
    scratch.close()
  }
}
