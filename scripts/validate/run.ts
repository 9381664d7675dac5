/**
 * Validate a set of documents: the Studio's rules per document plus whole-graph checks, every
 * problem at once. With a cache (cache.ts), documents whose content and dependencies did not
 * change keep their last results; the rest run on worker threads when there are enough of them
 * (parallel.ts). Either way the report is the same as a full run's.
 */
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {
  documentHash,
  loadValidationCache,
  referencesOf,
  saveValidationCache,
  stillValid,
  type CachedResult,
} from './cache.ts'
import {graphProblems} from './graph.ts'
import {defaultWorkers, validateInWorkers} from './parallel.ts'
import {createOfflineIndex, publishedIdOf, slugIsUnique, type SlugAnswer} from './studioClient.ts'

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
  /** Worker threads for the Studio's rules; default: one per core when ≥ 2000 documents need them. */
  workers?: number
}

const LEVEL_ORDER = {error: 0, warning: 1, info: 2} as const

/** System documents (`_.` ids, e.g. the migration ledger) are bookkeeping, not content: never validated. */
const isSystemId = (id: string) => id.startsWith('_.')

export async function validateDocuments(
  allDocs: readonly StoredDocument[],
  opts: ValidateOptions = {},
): Promise<ValidationReport> {
  const docs = allDocs.some((d) => isSystemId(d._id))
    ? allDocs.filter((d) => !isSystemId(d._id))
    : allDocs
  const targets = opts.only ? docs.filter((d) => opts.only!.has(d._id)) : docs
  const index = createOfflineIndex(docs)
  const cached = opts.cache ? loadValidationCache(opts.cache) : new Map<string, CachedResult>()
  const hashes = new Map<string, string>()
  const perDoc = new Map<string, Problem[]>()
  const toValidate: StoredDocument[] = []
  const slugUnique = (doc: StoredDocument) => (a: SlugAnswer) =>
    slugIsUnique(index, a[0], {docType: doc._type, slug: a[1], published: publishedIdOf(doc._id)})
  for (const doc of targets) {
    if (!opts.cache) {
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
  let slugLog: Map<string, SlugAnswer[]>
  let other: boolean
  if (workers > 1 && toValidate.length > 1) {
    const r = await validateInWorkers(docs, toValidate, workers, {
      concurrency: opts.concurrency,
      onProgress: opts.onProgress,
    })
    for (const [id, problems] of r.problems) perDoc.set(id, problems)
    slugLog = r.slugs
    other = r.other
  } else {
    // Loaded only when a document needs the rules: `sanity` takes ~2 s to load, and a run the
    // cache answers whole (a warm publish gate) should not pay for it.
    const validator = toValidate.length
      ? await (await import('./studio.ts')).createStudioValidator(index)
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

  if (opts.cache) {
    // A rule that queried anything but slugs could depend on any document: cache nothing then.
    let next: Map<string, CachedResult> | undefined
    if (!other) {
      next = new Map()
      const ran = new Set(toValidate)
      for (const doc of targets) {
        const reused = cached.get(doc._id)
        if (!ran.has(doc) && reused) {
          next.set(doc._id, reused)
          continue
        }
        next.set(doc._id, {
          hash: hashes.get(doc._id)!,
          missing: referencesOf(doc).filter((id) => !index.exists(id)),
          slugs: slugLog.get(publishedIdOf(doc._id)) ?? [],
          problems: perDoc.get(doc._id) ?? [],
        })
      }
      // Documents outside `only` keep their entries.
      if (opts.only)
        for (const [id, e] of cached) if (!next.has(id) && index.exists(id)) next.set(id, e)
    }
    // Nothing ran and nothing was dropped: `next` is the file's own entries, so leave it alone (a
    // warm publish gate then only reads it).
    const unchanged = next !== undefined && toValidate.length === 0 && next.size === cached.size
    if (!unchanged) saveValidationCache(opts.cache, next)
  }

  const graph = graphProblems(docs)
  // Where a graph check explains a field (a dangling reference, a colliding slug) it says more than
  // the Studio's generic marker on the same field ("Referenced document must be published"): keep one.
  const explained = new Set(
    graph.filter((p) => p.level === 'error').map((p) => `${p.documentId}\u0000${p.path}`),
  )
  const studio = targets
    .flatMap((d) => perDoc.get(d._id) ?? [])
    .filter((p) => !explained.has(`${p.documentId}\u0000${p.path}`))
  const problems = sortProblems([...studio, ...graph])
  return {
    documents: targets.length,
    errors: problems.filter((p) => p.level === 'error').length,
    warnings: problems.filter((p) => p.level === 'warning').length,
    problems,
    validated: toValidate.length,
    reused: targets.length - toValidate.length,
    workers: workers > 1 && toValidate.length > 1 ? workers : 0,
  }
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
