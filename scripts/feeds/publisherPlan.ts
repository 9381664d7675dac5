/**
 * The publisher's pure core: what each document's published version should be, given the
 * documents now, the gate's verdicts and the versions published last. The rule, from issue 18:
 * hold back only the failing documents and publish the rest.
 * - A valid document is published as it is now.
 * - An invalid document that was published before stays at that version (its pages do not
 *   change); one never published (or whose old version the history lost) does not appear.
 * - A deleted document whose published version a kept version still references (a strong
 *   reference) stays too: deleting it would break the page that is being kept. It is released
 *   with the document that holds it.
 * It decides only the ids it is given (the publisher passes what changed, what was held back and
 * whose verdict changed; every id on its first publish), so a publish costs what it changes. No
 * I/O: the shell (publisher.ts) reads the documents through `now` and `published`.
 */
import type {Problem} from '../lib/errors.ts'
import {isPublishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'
import {collectRefs} from '../validate/graph.ts'
import {compareStrings} from './text.ts'

export interface PlanInput {
  /** The ids to decide. */
  ids: Iterable<string>
  /** A published document as it is now (undefined: it does not exist). */
  now(id: string): StoredDocument | undefined
  /** The version published last (undefined: none, or the history lost it). */
  published(id: string): StoredDocument | undefined
  /** The errors of each invalid published document (gate.ts errorsById). */
  errors: ReadonlyMap<string, readonly Problem[]>
}

export interface HeldBack {
  id: string
  problems: Problem[]
  /** The revision still published in its place; absent: the document is not published at all. */
  kept?: string
}

export interface PublishPlan {
  /** Each decided id's version to publish; undefined: not published. */
  chosen: Map<string, StoredDocument | undefined>
  /** Every held-back document among the decided ones (and deleted ones kept for them), by id. */
  heldBack: HeldBack[]
}

export function planPublish(input: PlanInput): PublishPlan {
  const {now, published, errors} = input
  const chosen = new Map<string, StoredDocument | undefined>()
  const held = new Map<string, HeldBack>()
  const kept: StoredDocument[] = []
  for (const id of input.ids) {
    if (chosen.has(id)) continue
    const doc = now(id)
    const problems = errors.get(id)
    if (doc && !problems?.length) {
      chosen.set(id, doc)
      continue
    }
    const prev = published(id)
    if (doc) {
      held.set(id, {id, problems: [...problems!], ...(prev ? {kept: prev._rev} : {})})
      chosen.set(id, prev)
      if (prev) kept.push(prev)
    } else if (!held.has(id)) chosen.set(id, undefined)
  }
  // Kept versions may reference documents deleted since: keep those as well, transitively.
  for (let doc = kept.pop(); doc; doc = kept.pop()) {
    for (const site of collectRefs(doc)) {
      if (site.weak || !isPublishedId(site.ref) || now(site.ref) || held.has(site.ref)) continue
      const prev = published(site.ref)
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
      kept.push(prev)
    }
  }
  return {chosen, heldBack: [...held.values()].sort((a, b) => compareStrings(a.id, b.id))}
}
