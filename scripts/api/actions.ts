/**
 * Document actions (`POST /data/actions/{ds}`, what the Studio writes with) turned into one
 * store transaction of plain mutations:
 * - create: a draft (or the given draft id) from attributes;
 * - edit: patch the draft, first copying the published document into it if there is no draft;
 * - publish: draft content → published id (createOrReplace), then delete the draft;
 * - unpublish: published → draft (unless a draft exists), then delete the published document;
 * - discard: delete the draft; delete: the published document and the listed drafts;
 * - replaceDraft: createOrReplace the draft.
 * The plan is computed against the store's own mutation engine (MutationBatch), so several
 * actions in one request see each other's effects, exactly as the transaction will apply them.
 * Every document whose content was copied is pinned with its revision (`ifRevisionIDs`), so a
 * concurrent write from another process turns into a conflict instead of a lost update.
 */
import {MutationError, RevisionConflictError} from '../lib/errors.ts'
import {MutationBatch, SERVER_PATCH_BUDGET_MS, withoutSystemFields} from '../store/apply.ts'
import {DRAFTS_PREFIX, isDraftId, isPublishedId} from '../store/ids.ts'
import type {Mutation, PatchSpec, StoredDocument} from '../store/types.ts'

export interface ActionPlan {
  mutations: Mutation[]
  /** Revision checks the transaction enforces under its write lock. */
  ifRevisionIDs: Record<string, string>
  /** The ids in `ifRevisionIDs` the client did not ask for (a conflict on them is worth a retry). */
  implied: Set<string>
}

type Action = Record<string, unknown> & {actionType: string}

const str = (a: Action, key: string): string | undefined =>
  typeof a[key] === 'string' ? (a[key] as string) : undefined

function need(a: Action, key: string, at: string): string {
  const v = str(a, key)
  if (!v) throw new MutationError(`${at}.${key}: required`)
  return v
}

function draftIdOf(a: Action, at: string): string {
  const id = str(a, 'draftId') ?? `${DRAFTS_PREFIX}${need(a, 'publishedId', at)}`
  if (!isDraftId(id))
    throw new MutationError(`${at}.draftId: must start with "${DRAFTS_PREFIX}" (got "${id}")`)
  return id
}

function publishedIdOf(a: Action, at: string): string {
  const id = need(a, 'publishedId', at)
  if (!isPublishedId(id))
    throw new MutationError(`${at}.publishedId: must not be a draft or version id (got "${id}")`)
  return id
}

export function planActions(
  actions: unknown,
  load: (id: string) => StoredDocument | undefined,
): ActionPlan {
  if (!Array.isArray(actions) || actions.length === 0)
    throw new MutationError('actions: must be a non-empty array')
  const loaded = new Map<string, StoredDocument | undefined>()
  const loadOnce = (id: string) => {
    if (!loaded.has(id)) loaded.set(id, load(id))
    return loaded.get(id)
  }
  const batch = new MutationBatch({
    load: loadOnce,
    loadAll: () => {
      throw new MutationError('actions cannot address documents by query')
    },
    newId: () => {
      throw new MutationError('actions must name their document ids')
    },
    patchBudgetMs: SERVER_PATCH_BUDGET_MS,
  })
  const plan: ActionPlan = {mutations: [], ifRevisionIDs: {}, implied: new Set()}
  const emit = (m: Mutation) => {
    batch.apply(JSON.parse(JSON.stringify(m)) as Mutation, plan.mutations.length)
    plan.mutations.push(m)
  }
  /** Pin a stored document we copy from, unless this request already changed it. */
  const pin = (id: string) => {
    const stored = loadOnce(id)
    if (stored && !batch.touched.has(id) && plan.ifRevisionIDs[id] === undefined) {
      plan.ifRevisionIDs[id] = stored._rev
      plan.implied.add(id)
    }
  }
  /** A client-given revision: checked now for a clear error, and again under the write lock. */
  const expect = (id: string, rev: string | undefined) => {
    if (rev === undefined) return
    const current = batch.current(id) as StoredDocument | undefined
    if (current?._rev !== rev)
      throw new RevisionConflictError(id, rev, current?._rev as string | undefined)
    plan.ifRevisionIDs[id] = rev
    plan.implied.delete(id)
  }

  actions.forEach((raw, i) => {
    const at = `actions[${i}]`
    if (!raw || typeof raw !== 'object' || typeof (raw as Action).actionType !== 'string')
      throw new MutationError(`${at}.actionType: required`)
    const a = raw as Action
    switch (a.actionType) {
      case 'sanity.action.document.create': {
        const attributes = a.attributes as Record<string, unknown> | undefined
        if (!attributes || typeof attributes !== 'object')
          throw new MutationError(`${at}.attributes: required`)
        const id =
          typeof attributes._id === 'string'
            ? attributes._id
            : `${DRAFTS_PREFIX}${publishedIdOf(a, at)}`
        if (isPublishedId(id))
          throw new MutationError(
            `${at}.attributes._id: create makes a draft or version, not "${id}"`,
          )
        if (batch.current(id)) {
          if (a.ifExists === 'ignore') break
          throw new MutationError(`${at}: document "${id}" already exists`, 409, id)
        }
        emit({create: {...attributes, _id: id} as {_id: string; _type: string}})
        break
      }
      case 'sanity.action.document.edit': {
        const draftId = draftIdOf(a, at)
        const publishedId = publishedIdOf(a, at)
        if (!a.patch || typeof a.patch !== 'object')
          throw new MutationError(`${at}.patch: required`)
        if (!batch.current(draftId)) {
          const published = batch.current(publishedId)
          if (!published)
            throw new MutationError(
              `${at}: neither "${draftId}" nor "${publishedId}" exists`,
              409,
              publishedId,
            )
          pin(publishedId)
          emit({create: {...withoutSystemFields(published), _id: draftId}})
        }
        emit({patch: {...(a.patch as PatchSpec), id: draftId}})
        break
      }
      case 'sanity.action.document.publish': {
        const draftId = draftIdOf(a, at)
        const publishedId = publishedIdOf(a, at)
        expect(draftId, str(a, 'ifDraftRevisionId'))
        expect(publishedId, str(a, 'ifPublishedRevisionId'))
        const draft = batch.current(draftId)
        if (!draft)
          throw new MutationError(`${at}: there is no draft "${draftId}" to publish`, 409, draftId)
        pin(draftId)
        emit({createOrReplace: {...withoutSystemFields(draft), _id: publishedId}})
        emit({delete: {id: draftId}})
        break
      }
      case 'sanity.action.document.unpublish': {
        const draftId = draftIdOf(a, at)
        const publishedId = publishedIdOf(a, at)
        const published = batch.current(publishedId)
        if (!published)
          throw new MutationError(`${at}: "${publishedId}" is not published`, 409, publishedId)
        if (!batch.current(draftId)) {
          pin(publishedId)
          emit({create: {...withoutSystemFields(published), _id: draftId}})
        }
        emit({delete: {id: publishedId}})
        break
      }
      case 'sanity.action.document.discard': {
        const draftId = draftIdOf(a, at)
        if (!batch.current(draftId))
          throw new MutationError(`${at}: there is no draft "${draftId}" to discard`, 409, draftId)
        emit({delete: {id: draftId}})
        break
      }
      case 'sanity.action.document.delete': {
        const publishedId = publishedIdOf(a, at)
        const drafts = Array.isArray(a.includeDrafts)
          ? (a.includeDrafts as unknown[]).map(String)
          : []
        const own = `${DRAFTS_PREFIX}${publishedId}`
        if (batch.current(own) && !drafts.includes(own)) {
          throw new MutationError(
            `${at}: "${publishedId}" has a draft; list it in includeDrafts to delete both`,
            409,
            publishedId,
          )
        }
        const ids = [publishedId, ...drafts].filter((id) => batch.current(id))
        if (ids.length === 0)
          throw new MutationError(`${at}: "${publishedId}" does not exist`, 409, publishedId)
        for (const id of ids) emit({delete: {id}})
        break
      }
      case 'sanity.action.document.replaceDraft': {
        const attributes = a.attributes as Record<string, unknown> | undefined
        if (!attributes || typeof attributes !== 'object')
          throw new MutationError(`${at}.attributes: required`)
        const id =
          str(a, 'draftId') ??
          (typeof attributes._id === 'string'
            ? attributes._id
            : `${DRAFTS_PREFIX}${publishedIdOf(a, at)}`)
        if (isPublishedId(id))
          throw new MutationError(`${at}: replaceDraft writes a draft, not "${id}"`)
        emit({createOrReplace: {...attributes, _id: id} as {_id: string; _type: string}})
        break
      }
      default:
        // Releases and versions are switched off in the local workspace (see sanity.config.ts).
        throw new MutationError(`${at}: action "${a.actionType}" is not supported by the local API`)
    }
  })
  return plan
}
