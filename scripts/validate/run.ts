/**
 * Validate a set of documents: the Studio's rules per document plus whole-graph checks, every
 * problem at once. With a cache (cache.ts), documents whose content and dependencies did not
 * change keep their last results; the rest run the rules again (on worker threads when asked:
 * parallel.ts). Either way the report is the same as a full run's.
 */
import type {Problem} from '../lib/errors.ts'
import {isPublishedId, isSystemId, publishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'
import {
  documentHash,
  loadValidationCache,
  referencesOf,
  saveValidationCache,
  saveVerdicts,
  stillValid,
  type CachedResult,
} from './cache.ts'
import {graphProblems} from './graph.ts'
import {defaultWorkers, validateInWorkers} from './parallel.ts'
import type {StudioValidator} from './studio.ts'
import {
  createOfflineIndex,
  slugIsUnique,
  type OfflineIndex,
  type SlugAnswer,
} from './studioClient.ts'

export interface ValidationReport {
  documents: number
  errors: number
  warnings: number
  problems: Problem[]
  /** Documents the Studio's rules ran on this time (the rest came from the cache). */
  validated: number
  /** Documents whose cached results were still valid. */
  reused: number
  /** Worker threads used (0: this thread). */
  workers: number
}

export interface ValidateOptions {
  /** Validate these ids with the Studio rules (default: all); graph checks always see everything. */
  only?: ReadonlySet<string>
  /** Documents validated at once; Sanity's CLI uses 100 (rules are mostly async I/O). */
  concurrency?: number
  onProgress?: (done: number, total: number) => void
  /** Validation cache file (see cache.ts); default none. */
  cache?: string
  /** Worker threads for the Studio's rules; default none (parallel.ts defaultWorkers). */
  workers?: number
  /**
   * Keep the report's verdicts (cache.ts VerdictSnapshot) in this file, as of this log position:
   * the documents given must have been read at or after it.
   */
  verdicts?: {path: string; seq: number; tx: string; scope: 'published' | 'all'}
}

const LEVEL_ORDER = {error: 0, warning: 1, info: 2} as const

/** System documents (`_.` ids, e.g. the migration ledger) are bookkeeping, not content: never validated. */

export async function validateDocuments(
  allDocs: readonly StoredDocument[],
  opts: ValidateOptions = {},
): Promise<ValidationReport> {
  const docs = allDocs.some((d) => isSystemId(d._id))
    ? allDocs.filter((d) => !isSystemId(d._id))
    : allDocs
  const targets = opts.only ? docs.filter((d) => opts.only!.has(d._id)) : docs
  const index = createOfflineIndex(docs)
  const cached = opts.cache ? loadValidationCache(opts.cache) : undefined
  const pass = await studioPass(docs, targets, index, cached, opts)
  if (opts.cache) {
    const next = pass.entries
    // Documents outside `only` keep their entries.
    if (next && opts.only)
      for (const [id, e] of cached!) if (!next.has(id) && index.exists(id)) next.set(id, e)
    // Nothing ran and nothing was dropped: `next` is the file's own entries, so leave it alone (a
    // warm publish gate then only reads it).
    const unchanged = next !== undefined && pass.validated === 0 && next.size === cached!.size
    if (!unchanged) saveValidationCache(opts.cache, next)
  }
  const graph = graphProblems(docs)
  const problems = sortProblems(
    withoutExplained(
      targets.flatMap((d) => pass.perDoc.get(d._id) ?? []),
      graph,
    ).concat(graph),
  )
  if (opts.verdicts) {
    const {path, ...at} = opts.verdicts
    const published = targets.filter((d) => isPublishedId(d._id)).length
    saveVerdicts(path, {...at, documents: targets.length, published, problems})
  }
  return {
    documents: targets.length,
    errors: problems.filter((p) => p.level === 'error').length,
    warnings: problems.filter((p) => p.level === 'warning').length,
    problems,
    validated: pass.validated,
    reused: targets.length - pass.validated,
    workers: pass.workers,
  }
}

/** The Studio's rules over `targets`: what they found, and the cache entries that remember it. */
export interface StudioPass {
  /** Problems per target id (cached or fresh). */
  perDoc: Map<string, Problem[]>
  /** An entry per target, when `cached` was given and the run is cacheable (no other query). */
  entries?: Map<string, CachedResult>
  /** Targets the rules ran on (the rest reused their entries). */
  validated: number
  /** Worker threads used (0: this thread). */
  workers: number
}

/**
 * Run the Studio's rules on the targets `cached` (a validation cache's entries; undefined: no
 * cache) cannot answer. `index` holds every document, for the rules' reference and slug questions.
 */
export async function studioPass(
  docs: readonly StoredDocument[],
  targets: readonly StoredDocument[],
  index: OfflineIndex,
  cached: ReadonlyMap<string, CachedResult> | undefined,
  opts: Pick<ValidateOptions, 'concurrency' | 'onProgress' | 'workers'> & {
    /** The Studio's rules already loaded over `index` (default: loaded when a document needs them). */
    validator?: StudioValidator
  } = {},
): Promise<StudioPass> {
  const hashes = new Map<string, string>()
  const perDoc = new Map<string, Problem[]>()
  const toValidate: StoredDocument[] = []
  const slugUnique = (doc: StoredDocument) => (a: SlugAnswer) =>
    slugIsUnique(index, a[0], {docType: doc._type, slug: a[1], published: publishedId(doc._id)})
  for (const doc of targets) {
    if (!cached) {
      toValidate.push(doc)
      continue
    }
    const hash = documentHash(doc)
    hashes.set(doc._id, hash)
    const entry = cached.get(doc._id)
    if (stillValid(entry, doc, hash, index.exists, slugUnique(doc)))
      perDoc.set(doc._id, entry.problems)
    else toValidate.push(doc)
  }

  const workers = opts.workers ?? defaultWorkers(toValidate.length)
  const parallel = workers > 1 && toValidate.length > 1
  let slugLog: Map<string, SlugAnswer[]>
  let other: boolean
  if (parallel) {
    const r = await validateInWorkers(docs, toValidate, workers, {
      concurrency: opts.concurrency,
      onProgress: opts.onProgress,
    })
    for (const [id, problems] of r.problems) perDoc.set(id, problems)
    slugLog = r.slugs
    other = r.other
  } else {
    // What the rules ask is logged per pass (an index may outlive one: live.ts).
    index.log.slugs.clear()
    index.log.other = false
    // Loaded only when a document needs the rules: `sanity` takes ~2 s to load, and a run the
    // cache answers whole (a warm publish gate) should not pay for it.
    const validator = toValidate.length
      ? (opts.validator ?? (await (await import('./studio.ts')).createStudioValidator(index)))
      : undefined
    let next = 0
    let done = 0
    const worker = async () => {
      for (let i = next++; i < toValidate.length; i = next++) {
        const doc = toValidate[i]!
        perDoc.set(doc._id, await validator!.validate(doc))
        if (++done % 1000 === 0) opts.onProgress?.(done, toValidate.length)
      }
    }
    await Promise.all(
      Array.from(
        {length: Math.min(opts.concurrency ?? 100, Math.max(1, toValidate.length))},
        worker,
      ),
    )
    slugLog = index.log.slugs
    other = index.log.other
  }

  // A rule that queried anything but slugs could depend on any document: cache nothing then.
  let entries: Map<string, CachedResult> | undefined
  if (cached && !other) {
    entries = new Map()
    const ran = new Set(toValidate)
    for (const doc of targets) {
      const reused = cached.get(doc._id)
      entries.set(
        doc._id,
        !ran.has(doc) && reused
          ? reused
          : {
              hash: hashes.get(doc._id)!,
              missing: referencesOf(doc).filter((id) => !index.exists(id)),
              slugs: slugLog.get(publishedId(doc._id)) ?? [],
              problems: perDoc.get(doc._id) ?? [],
            },
      )
    }
  }
  return {perDoc, entries, validated: toValidate.length, workers: parallel ? workers : 0}
}

/**
 * The Studio's problems without those a graph error explains: where a graph check explains a field
 * (a dangling reference, a colliding slug) it says more than the Studio's generic marker on the same
 * field ("Referenced document must be published"), so only the graph's is kept.
 */
export function withoutExplained(studio: readonly Problem[], graph: readonly Problem[]): Problem[] {
  const explained = new Set(
    graph.filter((p) => p.level === 'error').map((p) => `${p.documentId}\u0000${p.path}`),
  )
  return studio.filter((p) => !explained.has(`${p.documentId}\u0000${p.path}`))
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort(
    (a, b) =>
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
      (a.documentId ?? '').localeCompare(b.documentId ?? '') ||
      (a.path ?? '').localeCompare(b.path ?? '') ||
      a.message.localeCompare(b.message),
  )
}
