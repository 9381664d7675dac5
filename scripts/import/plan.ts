/**
 * Desired documents vs. the dataset → the mutations of one transaction. The importer owns the
 * fields it writes (ARTICLE_FIELDS, BENEFIT_FIELDS) and patches only those, with the current
 * revision as a lock, so editors' additions (SEO, medical review, publish date) survive a
 * re-import. Taxonomy is created once and then belongs to editors (createIfNotExists semantics).
 * Identical content plans nothing, so a re-import of the same text writes nothing.
 */
import {InputError} from '../lib/errors.ts'
import {canonicalJson} from '../lib/hash.ts'
import type {Mutation, PatchSpec, StoredDocument} from '../store/types.ts'
import {ARTICLE_FIELDS, BENEFIT_FIELDS, type Composition} from './documents.ts'
import type {TaxonomyDoc} from './taxonomy.ts'
import type {ImportWarning} from './types.ts'

export interface PlanInput {
  file: string
  composition: Composition
  /** Taxonomy as the files describe it. */
  taxonomy: readonly TaxonomyDoc[]
  /** Stored documents by id: every id planned here, their `drafts.` copies, the article's previous benefits. */
  current: ReadonlyMap<string, StoredDocument>
  /** Benefits the stored article listed before this import. */
  previousBenefitIds: readonly string[]
  /** Other documents (not this article) that reference `id`. */
  referencedBy: (id: string) => string[]
}

export interface Plan {
  mutations: Mutation[]
  /** Revisions the transaction must still find (documents patched or deleted). */
  ifRevisionIDs: Record<string, string>
  created: string[]
  updated: string[]
  unchanged: string[]
  deleted: string[]
  /** Taxonomy entries whose stored copy differs from the files (edited in the Studio) and was kept. */
  kept: string[]
  warnings: ImportWarning[]
}

export function planImport(input: PlanInput): Plan {
  const {composition: c, current, file} = input
  const plan: Plan = {
    mutations: [],
    ifRevisionIDs: {},
    created: [],
    updated: [],
    unchanged: [],
    deleted: [],
    kept: [],
    warnings: [],
  }

  for (const doc of input.taxonomy) {
    const stored = current.get(doc._id)
    if (!stored) {
      plan.mutations.push({createIfNotExists: {...doc}})
      plan.created.push(doc._id)
      continue
    }
    plan.unchanged.push(doc._id)
    if (!sameFields(stored, doc, Object.keys(doc))) plan.kept.push(doc._id)
  }

  type Owned = Record<string, unknown> & {_id: string; _type: string}
  const owned: Array<[Owned, readonly string[]]> = [
    ...c.benefits.map((b): [Owned, readonly string[]] => [{...b}, BENEFIT_FIELDS]),
    [{...c.article}, ARTICLE_FIELDS],
  ]
  for (const [doc, fields] of owned) {
    const stored = current.get(doc._id)
    if (current.has(`drafts.${doc._id}`)) {
      plan.warnings.push({
        file,
        documentId: doc._id,
        level: 'warning',
        rule: 'draft-exists',
        message: `an editor's draft (drafts.${doc._id}) exists; the import updates the published document only, and publishing the draft would overwrite it`,
      })
    }
    if (!stored) {
      plan.mutations.push({create: {...doc}})
      plan.created.push(doc._id)
      continue
    }
    if (stored._type !== doc._type) {
      throw new InputError([
        {
          file,
          documentId: doc._id,
          level: 'error',
          message: `${doc._id} already exists as a ${stored._type}, not a ${doc._type}`,
        },
      ])
    }
    const patch = fieldPatch(stored, doc, fields)
    if (!patch) {
      plan.unchanged.push(doc._id)
      continue
    }
    plan.mutations.push({patch: {id: doc._id, ifRevisionID: stored._rev, ...patch}})
    plan.ifRevisionIDs[doc._id] = stored._rev
    plan.updated.push(doc._id)
  }

  const keep = new Set(c.benefits.map((b) => b._id))
  for (const id of input.previousBenefitIds) {
    const stored = current.get(id)
    if (keep.has(id) || !stored) continue
    const others = input.referencedBy(id)
    if (others.length) {
      plan.warnings.push({
        file,
        documentId: id,
        level: 'warning',
        rule: 'benefit-kept',
        message: `no longer in the source, but kept: still referenced by ${others.join(', ')}`,
      })
      continue
    }
    plan.mutations.push({delete: {id}})
    plan.ifRevisionIDs[id] = stored._rev
    plan.deleted.push(id)
    plan.warnings.push({
      file,
      documentId: id,
      level: 'info',
      rule: 'benefit-deleted',
      message: `"${String(stored.title ?? id)}" is no longer in the source; deleted`,
    })
    if (current.has(`drafts.${id}`)) {
      plan.warnings.push({
        file,
        documentId: `drafts.${id}`,
        level: 'warning',
        rule: 'draft-exists',
        message: `the deleted benefit has an editor's draft, which was left alone`,
      })
    }
  }
  // Deletes go last: the article patch above has already dropped its references to them.
  return plan
}

/** `set`/`unset` for the owned fields that differ, or undefined when they are all equal. */
function fieldPatch(
  stored: StoredDocument,
  doc: Record<string, unknown>,
  fields: readonly string[],
): Pick<PatchSpec, 'set' | 'unset'> | undefined {
  const set: Record<string, unknown> = {}
  const unset: string[] = []
  for (const f of fields) {
    if (doc[f] === undefined) {
      if (stored[f] !== undefined) unset.push(f)
    } else if (canonicalJson(doc[f]) !== canonicalJson(stored[f])) set[f] = doc[f]
  }
  if (unset.length === 0 && Object.keys(set).length === 0) return undefined
  return {...(Object.keys(set).length ? {set} : {}), ...(unset.length ? {unset} : {})}
}

function sameFields(
  stored: StoredDocument,
  doc: Record<string, unknown>,
  fields: readonly string[],
): boolean {
  return fields.every((f) => canonicalJson(doc[f]) === canonicalJson(stored[f]))
}
