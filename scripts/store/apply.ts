/**
 * Applies Sanity mutations (the `/data/mutate` JSON form) to an in-memory working set. Pure: the
 * store hands in how to read documents and how to make ids; nothing here touches SQLite, so a
 * failing mutation simply throws and the caller rolls back.
 *
 * Patches go through @sanity/mutator (the same JSONMatch engine the Studio uses); creates,
 * deletes, ids and revision checks are handled here because they need the dataset around them.
 */
import {Mutation as SanityMutation} from '@sanity/mutator'
import {MutationError, RevisionConflictError} from '../lib/errors.ts'
import {idProblem} from './ids.ts'
import {jsonLargerThan, MAX_DOCUMENT_BYTES, MAX_PATH_LENGTH} from './limits.ts'
import {indexProblem} from './pathIndexes.ts'
import {assertPatchShape, patchSteps} from './patchSpec.ts'
import {selectIds} from './select.ts'
import type {Mutation, PatchSpec, StoredDocument} from './types.ts'

/** Document content as mutations see it (system fields may still be present from storage). */
export type Doc = {_id: string; _type: string; [field: string]: unknown}

export const SYSTEM_FIELDS = ['_rev', '_createdAt', '_updatedAt'] as const

/** A copy of `doc` without `_rev`/`_createdAt`/`_updatedAt`: callers never set those. */
export function withoutSystemFields<T extends Record<string, unknown>>(doc: T): T {
  const {_rev, _createdAt, _updatedAt, ...rest} = doc as Record<string, unknown>
  return rest as T
}

/** Equal content, ignoring system fields and object key order. */
export function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const sa = JSON.stringify(withoutSystemFields(a))
  const sb = JSON.stringify(withoutSystemFields(b))
  if (sa === sb) return true
  // Reordering keys never changes the length, so different lengths mean different content.
  return (
    sa.length === sb.length &&
    sortedJson(withoutSystemFields(a)) === sortedJson(withoutSystemFields(b))
  )
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) =>
            x < y ? -1 : x > y ? 1 : 0,
          ),
        )
      : v,
  )
}

export interface BatchIO {
  /** The stored document, as of the start of the transaction. */
  load(id: string): StoredDocument | undefined
  /** Every stored document, as of the start of the transaction (only read for query mutations). */
  loadAll(): StoredDocument[]
  newId(): string
  /** Longest the batch may spend applying patch operations, in ms (see SERVER_PATCH_BUDGET_MS). */
  patchBudgetMs?: number
}

interface Touched {
  before: StoredDocument | undefined
  current: Doc | undefined
}

/** The state of one transaction: every document it touched, in first-touch order. */
/**
 * What a server lets one transaction spend applying patch operations, in ms (BatchIO
 * patchBudgetMs). The mutator copies an operation's parent object for every operation, so a short
 * request (5,000 keys set at the top of a document) can cost seconds of the server's only thread:
 * past this the transaction is refused and nothing is written. Studio and migration patches take
 * well under a millisecond per document. CLIs pass none: nobody else waits for their thread.
 */
export const SERVER_PATCH_BUDGET_MS = 250

export class MutationBatch {
  readonly touched = new Map<string, Touched>()
  private readonly io: BatchIO
  private all: StoredDocument[] | undefined
  /** When the budget for applying patch operations runs out (PATCH_BUDGET_MS from the first). */
  private deadline: number | undefined

  constructor(io: BatchIO) {
    this.io = io
  }

  private entry(id: string): Touched {
    let t = this.touched.get(id)
    if (!t) {
      const before = this.io.load(id)
      t = {before, current: before}
      this.touched.set(id, t)
    }
    return t
  }

  current(id: string): Doc | undefined {
    return this.touched.has(id) ? this.touched.get(id)!.current : this.io.load(id)
  }

  /** Every document as the transaction currently sees it, for GROQ selection. */
  private snapshot(): Doc[] {
    this.all ??= this.io.loadAll()
    if (this.touched.size === 0) return this.all
    const out: Doc[] = []
    for (const d of this.all) if (!this.touched.has(d._id)) out.push(d)
    for (const t of this.touched.values()) if (t.current) out.push(t.current)
    return out
  }

  /** Apply mutation `index` of a transaction. `mutation` must already be a private copy. */
  apply(mutation: Mutation, index: number): void {
    const at = `mutations[${index}]`
    if (!mutation || typeof mutation !== 'object')
      throw new MutationError(`${at}: must be an object`)
    const kinds = Object.keys(mutation)
    if (kinds.length !== 1)
      throw new MutationError(
        `${at}: must have exactly one of create, createOrReplace, createIfNotExists, delete, patch (got ${kinds.join(', ') || 'none'})`,
      )
    const m = mutation as Record<string, unknown>
    if ('create' in m) return this.create(mutation as {create: Record<string, unknown>}, at)
    if ('createOrReplace' in m) return this.put('createOrReplace', m.createOrReplace, at, 'replace')
    if ('createIfNotExists' in m)
      return this.put('createIfNotExists', m.createIfNotExists, at, 'ifMissing')
    if ('delete' in m) return this.delete(m.delete, at)
    if ('patch' in m) return this.patch(m.patch as PatchSpec, at)
    throw new MutationError(`${at}: unknown mutation kind "${kinds[0]}"`)
  }

  private create(mutation: {create: Record<string, unknown>}, at: string): void {
    const doc = mutation.create
    assertObject(doc, `${at}.create`)
    // Like Content Lake: no _id, or an _id ending in "." (a prefix such as "drafts."), gets a fresh id.
    if (doc._id === undefined || doc._id === null) doc._id = this.io.newId()
    else if (typeof doc._id === 'string' && doc._id.endsWith('.'))
      doc._id = `${doc._id}${this.io.newId()}`
    const content = validDocument(doc, `${at}.create`)
    const t = this.entry(content._id)
    if (t.current)
      throw new MutationError(
        `${at}.create: document "${content._id}" already exists`,
        409,
        content._id,
      )
    t.current = content
  }

  private put(kind: string, value: unknown, at: string, mode: 'replace' | 'ifMissing'): void {
    assertObject(value, `${at}.${kind}`)
    const content = validDocument(value, `${at}.${kind}`)
    const t = this.entry(content._id)
    if (mode === 'ifMissing' && t.current) return
    t.current = content
  }

  private delete(spec: unknown, at: string): void {
    assertObject(spec, `${at}.delete`)
    for (const id of this.targets(
      spec as {id?: unknown; query?: unknown; params?: unknown},
      `${at}.delete`,
    )) {
      this.entry(id).current = undefined
    }
  }

  private patch(spec: PatchSpec, at: string): void {
    assertObject(spec as unknown, `${at}.patch`)
    assertPatchShape(spec as unknown as Record<string, unknown>, `${at}.patch`)
    const byId = spec.id !== undefined
    const ids = this.targets(spec, `${at}.patch`)
    const {id: _id, query: _q, params: _p, ifRevisionID, ...operations} = spec
    if (ifRevisionID !== undefined && typeof ifRevisionID !== 'string')
      throw new MutationError(`${at}.patch.ifRevisionID: must be a string`)
    for (const id of ids) {
      const t = this.entry(id)
      if (ifRevisionID !== undefined && t.before?._rev !== ifRevisionID) {
        throw new RevisionConflictError(id, ifRevisionID, t.before?._rev)
      }
      if (!t.current) {
        if (byId) throw new MutationError(`${at}.patch: document "${id}" not found`, 404, id)
        continue
      }
      let result: Doc | null = t.current
      // One path at a time, each checked against the document as the steps before left it. The
      // mutator only applies patch operations whose `id` matches the document's `_id`.
      for (const step of patchSteps(operations as Record<string, unknown>, id)) {
        const problem =
          step.path.length > MAX_PATH_LENGTH
            ? `path longer than ${MAX_PATH_LENGTH} characters`
            : indexProblem(step.path, result)
        if (problem)
          throw new MutationError(`${at}.patch.${step.label} (${id}): ${problem}`, 400, id)
        const budget = this.io.patchBudgetMs
        if (budget !== undefined) {
          this.deadline ??= performance.now() + budget
          if (performance.now() > this.deadline)
            throw new MutationError(
              `${at}.patch (${id}): applying this transaction's patches took over ${budget} ms (at ${step.label}); split it into smaller patches`,
              400,
              id,
            )
        }
        try {
          result = new SanityMutation({mutations: [{patch: step.patch as never}]}).apply(
            result,
          ) as Doc | null
        } catch (e) {
          throw new MutationError(`${at}.patch (${id}): ${(e as Error).message}`, 400, id)
        }
      }
      if (!result || result._id !== id)
        throw new MutationError(`${at}.patch: _id cannot be changed (document "${id}")`, 400, id)
      if (typeof result._type !== 'string' || result._type === '') {
        throw new MutationError(
          `${at}.patch: _type must remain a non-empty string (document "${id}")`,
          400,
          id,
        )
      }
      // Patches may touch system fields; those are the store's, so restore them.
      const restored = withoutSystemFields(result)
      for (const f of SYSTEM_FIELDS) if (t.current[f] !== undefined) restored[f] = t.current[f]
      assertSize(restored, `${at}.patch`)
      t.current = restored
    }
  }

  /** The ids a delete/patch addresses: `id`, or every document `query` returns. */
  private targets(spec: {id?: unknown; query?: unknown; params?: unknown}, at: string): string[] {
    if (spec.id !== undefined && spec.query !== undefined)
      throw new MutationError(`${at}: use either id or query, not both`)
    if (spec.id !== undefined) {
      const problem = idProblem(spec.id)
      if (problem) throw new MutationError(`${at}.id: ${problem}`)
      return [spec.id as string]
    }
    if (typeof spec.query !== 'string') throw new MutationError(`${at}: needs id or query`)
    if (
      spec.params !== undefined &&
      (typeof spec.params !== 'object' || spec.params === null || Array.isArray(spec.params))
    ) {
      throw new MutationError(`${at}.params: must be an object`)
    }
    try {
      return selectIds(this.snapshot(), spec.query, (spec.params ?? {}) as Record<string, unknown>)
    } catch (e) {
      throw new MutationError(`${at}.query: ${(e as Error).message}`)
    }
  }
}

function assertObject(value: unknown, at: string): asserts value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new MutationError(`${at}: must be an object`)
}

/** Check `_id`/`_type`, drop system fields. */
function validDocument(doc: Record<string, unknown>, at: string): Doc {
  const problem = idProblem(doc._id)
  if (problem)
    throw new MutationError(
      `${at}._id: ${problem}`,
      400,
      typeof doc._id === 'string' ? doc._id : undefined,
    )
  if (typeof doc._type !== 'string' || doc._type === '') {
    throw new MutationError(`${at}._type: required (a non-empty string)`, 400, doc._id as string)
  }
  const content = withoutSystemFields(doc) as Doc
  assertSize(content, at)
  return content
}

/** Content Lake's document size limit, for every document a mutation writes (see limits.ts). */
function assertSize(doc: Doc, at: string): void {
  if (jsonLargerThan(doc, MAX_DOCUMENT_BYTES))
    throw new MutationError(
      `${at}: document "${doc._id}" would be larger than ${MAX_DOCUMENT_BYTES / 1e6} MB, the maximum document size`,
      400,
      doc._id,
    )
}
