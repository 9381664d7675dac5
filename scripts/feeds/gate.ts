/**
 * The publish gate: one function every path that writes feeds goes through (`npm run export`,
 * `npm start`; the publisher keeps the same verdicts live, validate/live.ts), so "valid" means the
 * same thing everywhere — the Studio's rules plus the whole-graph checks of `npm run validate`
 * (scripts/validate/run.ts), over the same incremental validation cache
 * (`<dataset>-validation-cache.json`): a second export validates only the documents that changed,
 * and a gate the cache answers whole never loads `sanity`. When the dataset's log has not moved
 * since the last validation (`npm run validate`, an export), its verdicts
 * (`<dataset>-validation-verdicts.json`) answer without reading a document.
 *
 * Only published documents can block: drafts and release versions are not exported, so their
 * errors are the Studio's business, not the feeds'. Warnings never block.
 */
import {InputError, type Problem} from '../lib/errors.ts'
import {Dataset} from '../store/dataset.ts'
import {isPublishedContentId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'
import {loadVerdicts, validationCachePath, verdictsPath} from '../validate/cache.ts'
import {validateDocuments, type ValidateOptions} from '../validate/run.ts'

export interface GateOptions {
  /** Validation cache file; default: beside a dataset file, none for documents in memory; false: none. */
  cache?: string | false
  /** Worker threads for the Studio's rules (default: validateDocuments' choice). */
  workers?: number
  onProgress?: (message: string) => void
}

export interface GateResult {
  /** Errors of published documents, sorted as `npm run validate` prints them. */
  errors: Problem[]
  /** Warnings of published documents (never blocking). */
  warnings: Problem[]
  /** Published documents with at least one error. */
  invalidIds: Set<string>
  /**
   * The documents the verdicts are about, when they were given (documents from a remote API or in
   * memory: what an export should publish). A dataset is read, and let go, by the gate itself.
   */
  documents?: StoredDocument[]
  /** Published documents judged. */
  judged: number
  /** Documents the rules ran on this time; the rest came from the cache. */
  validated: number
  reused: number
  ms: number
}

/** Published documents failed validation: nothing was exported. */
export class ValidationGateError extends InputError {
  override readonly code = 'VALIDATION_FAILED'
}

const blocks = (p: Problem) => p.documentId !== undefined && isPublishedContentId(p.documentId)

/**
 * Validate what would be published. `input` is an open dataset (read now, whole) or documents
 * already read from any source (a remote API, memory). Every document is passed to the
 * validator, so graph checks see drafts ("exists only as a draft"), but only published
 * documents get the Studio's rules here (drafts keep their cache entries for `npm run validate`).
 */
export async function publishGate(
  input: Dataset | readonly StoredDocument[],
  opts: GateOptions = {},
): Promise<GateResult> {
  const started = performance.now()
  const cache =
    opts.cache === false
      ? undefined
      : (opts.cache ??
        (input instanceof Dataset && input.path !== ':memory:'
          ? validationCachePath(input.path)
          : undefined))
  // A dataset whose log has not moved since its last validation: its verdicts still hold.
  let snapshot: ValidateOptions['verdicts']
  if (input instanceof Dataset && cache) {
    const seq = input.lastSeq()
    snapshot = {
      path: verdictsPath(input.path),
      seq,
      tx: input.transactionIdAt(seq) ?? '',
      scope: 'published',
    }
    const known = loadVerdicts(snapshot.path, snapshot, 'published')
    if (known)
      return result(known.problems.filter(blocks), {
        judged: known.published,
        validated: 0,
        reused: known.published,
      })
  }
  const documents = input instanceof Dataset ? input.documents() : [...input]
  const only = new Set(documents.filter((d) => isPublishedContentId(d._id)).map((d) => d._id))
  const report = await validateDocuments(documents, {
    only,
    ...(cache ? {cache} : {}),
    ...(opts.workers !== undefined ? {workers: opts.workers} : {}),
    ...(snapshot ? {verdicts: snapshot} : {}),
    onProgress: (done, total) => opts.onProgress?.(`validated ${done}/${total}`),
  })
  return result(report.problems.filter(blocks), {
    judged: report.documents,
    validated: report.validated,
    reused: report.reused,
    ...(input instanceof Dataset ? {} : {documents}),
  })

  function result(
    published: Problem[],
    counts: Pick<GateResult, 'judged' | 'validated' | 'reused' | 'documents'>,
  ): GateResult {
    const errors = published.filter((p) => p.level === 'error')
    return {
      errors,
      warnings: published.filter((p) => p.level === 'warning'),
      invalidIds: new Set(errors.map((p) => p.documentId!)),
      ...counts,
      ms: Math.round(performance.now() - started),
    }
  }
}

/** Throw ValidationGateError naming every error (document id, field path, message) when there are any. */
export function assertPublishable(gate: GateResult): void {
  if (gate.errors.length === 0) return
  throw new ValidationGateError(
    gate.errors,
    `validation failed with ${gate.errors.length} error(s) in ${gate.invalidIds.size} published document(s); nothing exported`,
  )
}

/** Every error of each invalid published document, by id (the publisher's verdicts). */
export function errorsById(errors: readonly Problem[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>()
  for (const p of errors) {
    const list = out.get(p.documentId!)
    if (list) list.push(p)
    else out.set(p.documentId!, [p])
  }
  return out
}
