/** Validate a set of documents: the Studio's rules per document plus whole-graph checks, every problem at once. */
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {graphProblems} from './graph.ts'
import {createStudioValidator} from './studio.ts'

export interface ValidationReport {
  documents: number
  errors: number
  warnings: number
  problems: Problem[]
}

export interface ValidateOptions {
  /** Validate these ids with the Studio rules (default: all); graph checks always see everything. */
  only?: ReadonlySet<string>
  /** Documents validated at once; Sanity's CLI uses 100 (rules are mostly async I/O). */
  concurrency?: number
  onProgress?: (done: number, total: number) => void
}

const LEVEL_ORDER = {error: 0, warning: 1, info: 2} as const

/** `_.`-prefixed ids are Sanity system documents (e.g. the migration ledger): not content, never validated. */
const isSystemDocument = (d: StoredDocument) => d._id.startsWith('_.')

export async function validateDocuments(allDocs: readonly StoredDocument[], opts: ValidateOptions = {}): Promise<ValidationReport> {
  const docs = allDocs.filter((d) => !isSystemDocument(d))
  const targets = opts.only ? docs.filter((d) => opts.only!.has(d._id)) : docs
  const validator = await createStudioValidator(docs)
  const perDoc: Problem[][] = new Array(targets.length)
  let next = 0
  let done = 0
  const worker = async () => {
    for (let i = next++; i < targets.length; i = next++) {
      perDoc[i] = await validator.validate(targets[i]!)
      if (++done % 1000 === 0) opts.onProgress?.(done, targets.length)
    }
  }
  await Promise.all(Array.from({length: Math.min(opts.concurrency ?? 100, Math.max(1, targets.length))}, worker))
  const graph = graphProblems(docs)
  // Where a graph check explains a field (a dangling reference, a colliding slug) it says more than
  // the Studio's generic marker on the same field ("Referenced document must be published"): keep one.
  const explained = new Set(graph.filter((p) => p.level === 'error').map((p) => `${p.documentId}\u0000${p.path}`))
  const studio = perDoc.flat().filter((p) => !explained.has(`${p.documentId}\u0000${p.path}`))
  const problems = sortProblems([...studio, ...graph])
  return {
    documents: targets.length,
    errors: problems.filter((p) => p.level === 'error').length,
    warnings: problems.filter((p) => p.level === 'warning').length,
    problems,
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
