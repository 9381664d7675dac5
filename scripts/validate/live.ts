/**
 * Validation that follows a dataset: the publisher's gate (scripts/feeds/publisher.ts). One full
 * pass at the start, through the validation cache file as `npm run validate` makes it; then each
 * change re-runs only what it can affect, in memory:
 * - the Studio's rules on the changed documents, and on those whose cached answers (cache.ts:
 *   which referenced ids exist, the slug rule's answers) the change can alter: documents that
 *   reference an id that appeared or disappeared, documents sharing a slug value with a changed
 *   one. `stillValid` then decides, as it does for the cache file;
 * - the graph checks (graph.ts graphProblemsOf) on the changed documents, the referrers of an id
 *   that appeared or disappeared, the owners of the slugs they had or have, and every id they
 *   referenced or reference now (whether anything links to it).
 * Only published documents (not `_.` system ones) are judged, as by the gate. The verdicts are
 * those `validateDocuments` gives on the documents as they are now: tests/validate/live.test.ts
 * compares the two after every kind of edit. A rule that queries anything but slugs makes any
 * result depend on any document: each change then runs every document's rules again.
 */
import type {Problem} from '../lib/errors.ts'
import {isPublishedContentId, isSystemId, publishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'
import {reviewCutoff} from '../../schemas/rules/review.ts'
import {loadValidationCache, saveValidationCache, type CachedResult} from './cache.ts'
import {collectRefs, graphProblemsOf, graphSlugOf, type GraphIndex} from './graph.ts'
import {slugEntries} from './parallel.ts'
import {sortProblems, studioPass, withoutExplained, type ValidateOptions} from './run.ts'
import type {StudioValidator} from './studio.ts'
import type {OfflineIndex} from './studioClient.ts'

/** One changed document: its new version, or undefined when it is gone. */
export interface LiveChange {
  id: string
  doc: StoredDocument | undefined
}

export interface LiveVerdicts {
  /** Errors of published documents, sorted as `npm run validate` prints them. */
  errors: Problem[]
  invalidIds: Set<string>
  warnings: number
  /** Documents the Studio's rules ran on for this verdict. */
  validated: number
}

const today = () => reviewCutoff(new Date().toISOString())

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key)
  if (set) set.add(value)
  else map.set(key, new Set([value]))
}
function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key)
  if (set?.delete(value) && set.size === 0) map.delete(key)
}

export class LiveValidation {
  private readonly docs = new Map<string, StoredDocument>()
  private readonly studio = new Map<string, Problem[]>()
  private readonly graph = new Map<string, Problem[]>()
  private readonly errorIds = new Set<string>()
  private readonly warningCounts = new Map<string, number>()
  private warnings = 0
  /** Who references an id (any document, drafts included). */
  private readonly referrers = new Map<string, Set<string>>()
  /** Published owners per `type\0slug` (graph.ts's collision check). */
  private readonly slugOwners = new Map<string, Set<string>>()
  /** Every document per `type\0path` and slug value (the Studio's slug rule, as worker.ts indexes it). */
  private readonly slugValues = new Map<string, Map<unknown, string[]>>()
  private readonly index: OfflineIndex
  private readonly graphIndex: GraphIndex
  private validator: Promise<StudioValidator> | undefined
  /** The review cutoff the verdicts were made with (reviews expire by the day). */
  private readonly cutoff = today()

  /** Cache entries per target; undefined: a rule queried more than slugs, nothing is reusable. */
  private entries: Map<string, CachedResult> | undefined
  /** Entries of documents the gate does not judge (drafts), kept for the cache file. */
  private readonly others: Map<string, CachedResult>
  private readonly cachePath: string | undefined

  private constructor(
    docs: readonly StoredDocument[],
    others: Map<string, CachedResult>,
    cachePath: string | undefined,
  ) {
    this.others = others
    this.cachePath = cachePath
    for (const doc of docs) this.add(doc)
    const all = this.docs
    this.index = {
      exists: (id) => all.has(id),
      slugs: (type, path) => this.slugValues.get(`${type}\u0000${path}`) ?? new Map(),
      get documents() {
        return [...all.values()]
      },
      log: {slugs: new Map(), other: false},
    }
    this.graphIndex = {
      exists: (id) => all.has(id),
      linked: (id) => this.referrers.has(id),
      slugOwners: (type, slug) => [...(this.slugOwners.get(`${type}\u0000${slug}`) ?? [])].sort(),
    }
  }

  /** Validate every document (the cache file answers what it can) and keep what follows changes. */
  static async start(
    documents: readonly StoredDocument[],
    opts: {cache?: string} & Pick<ValidateOptions, 'workers' | 'onProgress'> = {},
  ): Promise<LiveValidation> {
    const docs = documents.filter((d) => !isSystemId(d._id))
    const cached = opts.cache ? loadValidationCache(opts.cache) : new Map<string, CachedResult>()
    const others = new Map([...cached].filter(([id]) => !isPublishedContentId(id)))
    const live = new LiveValidation(docs, others, opts.cache)
    const targets = docs.filter((d) => isPublishedContentId(d._id))
    const pass = await studioPass(docs, targets, live.index, cached, opts)
    live.entries = pass.entries
    for (const [id, problems] of pass.perDoc) live.studio.set(id, problems)
    for (const doc of targets) live.judge(doc._id)
    if (pass.validated > 0 || !pass.entries) live.save()
    return live
  }

  /** Whether the verdicts are out of date by the calendar alone (a review expired overnight). */
  stale(): boolean {
    return today() !== this.cutoff
  }

  /** A document as validated (any id). */
  get(id: string): StoredDocument | undefined {
    return this.docs.get(id)
  }

  /** Every published document, as validated. */
  published(): StoredDocument[] {
    const out: StoredDocument[] = []
    for (const [id, doc] of this.docs) if (isPublishedContentId(id)) out.push(doc)
    return out
  }

  /** Apply changes (any documents, drafts included) and judge again what they can affect. */
  async apply(changes: readonly LiveChange[]): Promise<LiveVerdicts> {
    const rules = new Set<string>()
    const graph = new Set<string>()
    const appeared: string[] = []
    for (const {id, doc} of changes) {
      if (isSystemId(id)) continue
      const old = this.docs.get(id)
      if (old === doc || (old && doc && old._rev === doc._rev)) continue
      if (old) this.remove(old, rules, graph)
      if (doc) this.add(doc, rules, graph)
      if (!old !== !doc) appeared.push(id)
      rules.add(id)
      graph.add(id)
    }
    // An id that appeared or disappeared changes its referrers' reference checks (the graph's
    // "exists only as a draft" too, hence the published id of a draft).
    for (const id of appeared)
      for (const key of new Set([id, publishedId(id)]))
        for (const r of this.referrers.get(key) ?? []) {
          rules.add(r)
          graph.add(r)
        }
    let validated = 0
    const targets = [...rules].flatMap((id) => {
      const doc = this.docs.get(id)
      return doc && isPublishedContentId(id) ? [doc] : []
    })
    if (targets.length) {
      const pass = await this.pass(this.entries ? targets : this.published())
      validated = pass.validated
      if (this.entries && !pass.entries) {
        // A rule asked more than slugs: from now on every change runs every document's rules.
        this.entries = undefined
        validated += (await this.pass(this.published())).validated
      }
    }
    for (const id of [...rules].filter((id) => !this.docs.has(id))) {
      this.studio.delete(id)
      this.entries?.delete(id)
    }
    for (const id of new Set([...rules, ...graph])) if (isPublishedContentId(id)) this.judge(id)
    return {...this.verdicts(), validated}
  }

  /** The verdicts as they stand. */
  verdicts(): Omit<LiveVerdicts, 'validated'> {
    const errors: Problem[] = []
    for (const id of this.errorIds)
      for (const p of this.problemsOf(id)) if (p.level === 'error') errors.push(p)
    return {
      errors: sortProblems(errors),
      invalidIds: new Set(this.errorIds),
      warnings: this.warnings,
    }
  }

  /** Write what the rules found to the cache file, for the next `npm run validate` or export. */
  save(): void {
    if (!this.cachePath) return
    if (!this.entries) return saveValidationCache(this.cachePath, undefined)
    const next = new Map(this.entries)
    for (const [id, e] of this.others) if (this.docs.has(id) && !next.has(id)) next.set(id, e)
    saveValidationCache(this.cachePath, next)
  }

  private async pass(targets: readonly StoredDocument[]) {
    this.validator ??= import('./studio.ts').then((m) => m.createStudioValidator(this.index))
    const validator = await this.validator
    const pass = await studioPass([], targets, this.index, this.entries, {
      workers: 0,
      validator,
    })
    for (const [id, problems] of pass.perDoc) this.studio.set(id, problems)
    if (this.entries && pass.entries) for (const [id, e] of pass.entries) this.entries.set(id, e)
    return pass
  }

  private problemsOf(id: string): Problem[] {
    const graph = this.graph.get(id) ?? []
    return withoutExplained(this.studio.get(id) ?? [], graph).concat(graph)
  }

  private judge(id: string): void {
    const doc = this.docs.get(id)
    if (doc) this.graph.set(id, graphProblemsOf(doc, this.graphIndex))
    else this.graph.delete(id)
    const problems = doc ? this.problemsOf(id) : []
    const warnings = problems.filter((p) => p.level === 'warning').length
    this.warnings += warnings - (this.warningCounts.get(id) ?? 0)
    if (warnings) this.warningCounts.set(id, warnings)
    else this.warningCounts.delete(id)
    if (problems.some((p) => p.level === 'error')) this.errorIds.add(id)
    else this.errorIds.delete(id)
  }

  /** Index a document; name what its arrival can affect. */
  private add(doc: StoredDocument, rules?: Set<string>, graph?: Set<string>): void {
    this.docs.set(doc._id, doc)
    this.indexOf(doc, +1, rules, graph)
  }

  private remove(doc: StoredDocument, rules: Set<string>, graph: Set<string>): void {
    this.docs.delete(doc._id)
    this.indexOf(doc, -1, rules, graph)
  }

  private indexOf(doc: StoredDocument, sign: 1 | -1, rules?: Set<string>, graph?: Set<string>) {
    const id = doc._id
    for (const site of collectRefs(doc)) {
      // Whether something links to the target may flip.
      graph?.add(site.ref)
      if (sign > 0) addTo(this.referrers, site.ref, id)
      else removeFrom(this.referrers, site.ref, id)
    }
    const slug = graphSlugOf(doc)
    if (slug !== undefined) {
      const key = `${doc._type}\u0000${slug}`
      if (sign > 0) addTo(this.slugOwners, key, id)
      for (const owner of this.slugOwners.get(key) ?? []) graph?.add(owner)
      if (sign < 0) removeFrom(this.slugOwners, key, id)
    }
    for (const [type, path, value] of slugEntries([doc])) {
      const key = `${type}\u0000${path}`
      let byValue = this.slugValues.get(key)
      if (!byValue) this.slugValues.set(key, (byValue = new Map()))
      const owners = byValue.get(value) ?? []
      for (const owner of owners) rules?.add(owner)
      if (sign > 0) byValue.set(value, [...owners, id])
      else if (owners.length > 1)
        byValue.set(
          value,
          owners.filter((o) => o !== id),
        )
      else byValue.delete(value)
    }
  }
}
