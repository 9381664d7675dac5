/**
 * The publish gate: one function every path that writes feeds goes through (`npm run export`,
 * `npm start`, the publisher), so "valid" means the same thing everywhere — the Studio's rules
 * plus the whole-graph checks of `npm run validate` (scripts/validate/run.ts), over the same
 * incremental validation cache (`<dataset>-validation-cache.json`): a second export validates
 * only the documents that changed, and a gate the cache answers whole never loads `sanity`.
 *
 * Only published documents can block: drafts and release versions are not exported, so their
 * errors are the Studio's business, not the feeds'. Warnings never block.
 */
import {InputError, type Problem} from '../lib/errors.ts'
import {Dataset} from '../store/dataset.ts'
import {isPublishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'
import {validationCachePath} from '../validate/cache.ts'
import {validateDocuments} from '../validate/run.ts'

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
  /** The documents the verdicts are about (what an export should read to publish exactly these). */
  documents: StoredDocument[]
  /** Documents the rules ran on this time; the rest came from the cache. */
  validated: number
  reused: number
  ms: number
}

/** Published documents failed validation: nothing was exported. */
export class ValidationGateError extends InputError {
  override readonly code = 'VALIDATION_FAILED'
}

const isSystemId = (id: string) => id.startsWith('_.')
const blocks = (p: Problem) =>
  p.documentId !== undefined && isPublishedId(p.documentId) && !isSystemId(p.documentId)

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
  const documents = input instanceof Dataset ? input.documents() : [...input]
  const cache =
    opts.cache === false
      ? undefined
      : (opts.cache ??
        (input instanceof Dataset && input.path !== ':memory:'
          ? validationCachePath(input.path)
          : undefined))
  const only = new Set(
    documents.filter((d) => isPublishedId(d._id) && !isSystemId(d._id)).map((d) => d._id),
  )
  const report = await validateDocuments(documents, {
    only,
    ...(cache ? {cache} : {}),
    ...(opts.workers !== undefined ? {workers: opts.workers} : {}),
    onProgress: (done, total) => opts.onProgress?.(`validated ${done}/${total}`),
  })
  const published = report.problems.filter(blocks)
  const errors = published.filter((p) => p.level === 'error')
  return {
    errors,
    warnings: published.filter((p) => p.level === 'warning'),
    invalidIds: new Set(errors.map((p) => p.documentId!)),
    documents,
    validated: report.validated,
    reused: report.reused,
    ms: Math.round(performance.now() - started),
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
export function errorsById(gate: GateResult): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>()
  for (const p of gate.errors) {
    const list = out.get(p.documentId!)
    if (list) list.push(p)
    else out.set(p.documentId!, [p])
  }
  return out
}
