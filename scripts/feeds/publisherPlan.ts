/**
 * The publisher's pure core: given the published documents now, the gate's verdicts and the
 * revision each document was last published at, decide what to export. The rule, from issue 18:
 * hold back only the failing documents and publish the rest.
 * - A valid document is exported as it is now.
 * - An invalid document that was published before stays at that version (its pages do not
 *   change); one never published (or whose old version the history lost) does not appear.
 * - A deleted document whose last published version a held-back version still references (a
 *   strong reference) stays too: deleting it would break the page that is being kept. It is
 *   released with the document that holds it.
 * No I/O: the shell (publisher.ts) loads the old versions `neededPrevious` names.
 */
import type {Problem} from '../lib/errors.ts'
import {isPublishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'
import {collectRefs} from '../validate/graph.ts'

export interface PlanInput {
  /** Published documents now (no drafts or release versions), as the gate saw them. */
  current: readonly StoredDocument[]
  /** The errors of each invalid published document (gate.ts errorsById). */
  errors: ReadonlyMap<string, readonly Problem[]>
  /** The revision each document was last published at (publisherState.ts). */
  lastPublished: ReadonlyMap<string, string>
  /** Last-published versions of the documents `neededPrevious` named; one missing = history lost. */
  previous: ReadonlyMap<string, StoredDocument>
}

export interface HeldBack {
  id: string
  problems: Problem[]
  /** The revision still published in its place; absent: the document is not published at all. */
  kept?: string
}

export interface PublishPlan {
  /** What to export, sorted by _id. */
  documents: StoredDocument[]
  heldBack: HeldBack[]
  /** True when `documents` is exactly `current`: the export may read the dataset itself (incremental). */
  asCurrent: boolean
  /** The revisions this plan publishes: the next `lastPublished`. */
  published: Map<string, string>
}

/**
 * The ids whose last-published version the plan may need: nothing when every document is valid;
 * otherwise the invalid ones published before, and every document published before that is gone.
 */
export function neededPrevious(
  current: readonly StoredDocument[],
  errors: ReadonlyMap<string, readonly Problem[]>,
  lastPublished: ReadonlyMap<string, string>,
): Array<{id: string; rev: string}> {
  if (errors.size === 0) return []
  const now = new Set(current.map((d) => d._id))
  const out: Array<{id: string; rev: string}> = []
  for (const [id, rev] of lastPublished) if (errors.has(id) || !now.has(id)) out.push({id, rev})
  return out
}

export function planPublish(input: PlanInput): PublishPlan {
  const {current, errors, lastPublished, previous} = input
  const chosen = new Map<string, StoredDocument>()
  const held = new Map<string, HeldBack>()
  const lastVersion = (id: string) => {
    const doc = previous.get(id)
    return doc && doc._rev === lastPublished.get(id) ? doc : undefined
  }
  for (const doc of current) {
    const problems = errors.get(doc._id)
    if (!problems?.length) {
      chosen.set(doc._id, doc)
      continue
    }
    const prev = lastVersion(doc._id)
    held.set(doc._id, {id: doc._id, problems: [...problems], ...(prev ? {kept: prev._rev} : {})})
    if (prev) chosen.set(doc._id, prev)
  }
  // Kept versions may reference documents deleted since: keep those as well, transitively.
  const currentIds = new Set(current.map((d) => d._id))
  let queue = [...held.values()].flatMap((h) => (h.kept ? [chosen.get(h.id)!] : []))
  while (queue.length) {
    const next: StoredDocument[] = []
    for (const doc of queue) {
      for (const site of collectRefs(doc)) {
        if (site.weak || chosen.has(site.ref) || currentIds.has(site.ref)) continue
        if (!isPublishedId(site.ref)) continue
        const prev = lastVersion(site.ref)
        if (!prev) continue
        chosen.set(site.ref, prev)
        held.set(site.ref, {
          id: site.ref,
          problems: [
            {
              documentId: site.ref,
              level: 'error',
              message: `deleted, but the published version of held-back ${doc._id} references it (${site.path}): kept until that document is fixed`,
            },
          ],
          kept: prev._rev,
        })
        next.push(prev)
      }
    }
    queue = next
  }
  const documents = [...chosen.values()].sort((a, b) =>
    a._id < b._id ? -1 : a._id > b._id ? 1 : 0,
  )
  return {
    documents,
    heldBack: [...held.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    asCurrent: held.size === 0,
    published: new Map(documents.map((d) => [d._id, d._rev])),
  }
}
