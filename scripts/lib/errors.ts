/**
 * Named errors of the pipeline. Each carries where the problem is (file + line, or document + field)
 * so a CLI can print one line per problem and scripts can match on `code`.
 */

/** One problem in an input, located as precisely as we can. */
export interface Problem {
  /** File the problem is in, when it comes from a file. */
  file?: string
  /** 1-based line in `file`. */
  line?: number
  /** Document `_id`, when it comes from the dataset. */
  documentId?: string
  /** Field path inside the document, e.g. `benefits[2]` or `slug.current`. */
  path?: string
  level: 'error' | 'warning' | 'info'
  message: string
}

export function formatProblem(p: Problem): string {
  const where = [p.file && (p.line ? `${p.file}:${p.line}` : p.file), p.documentId, p.path]
    .filter(Boolean)
    .join(' ')
  return `${p.level}: ${where ? `${where}: ` : ''}${p.message}`
}

/** Base class: `code` is stable for scripts, `exitCode` is what a CLI should exit with. */
export class PipelineError extends Error {
  readonly code: string = 'PIPELINE_ERROR'
  readonly exitCode: number = 1
  static is(e: unknown): e is PipelineError {
    return e instanceof PipelineError
  }
}

/** Wrong command-line use: exit code 2. */
export class UsageError extends PipelineError {
  override readonly code = 'USAGE'
  override readonly exitCode = 2
}

/** Bad input: one or more problems, all reported at once. */
export class InputError extends PipelineError {
  override readonly code: string = 'INPUT'
  readonly problems: Problem[]
  constructor(problems: Problem[], summary?: string) {
    super(summary ?? problems.map(formatProblem).join('\n'))
    this.problems = problems
  }
}

/** An `ifRevisionID` (optimistic lock) did not match: someone else changed the document first. HTTP 409. */
export class RevisionConflictError extends PipelineError {
  override readonly code = 'REVISION_CONFLICT'
  readonly statusCode = 409
  readonly documentId: string
  readonly expectedRev: string
  readonly actualRev: string | undefined
  constructor(documentId: string, expectedRev: string, actualRev: string | undefined) {
    super(
      `Revision conflict on ${documentId}: expected _rev ${expectedRev}, found ${actualRev ?? 'no document'}; re-read the document and try again`,
    )
    this.documentId = documentId
    this.expectedRev = expectedRev
    this.actualRev = actualRev
  }
}

/** A mutation that cannot apply (create over an existing id, patch of a missing document, bad patch). HTTP 409/400. */
export class MutationError extends PipelineError {
  override readonly code = 'MUTATION'
  readonly statusCode: 400 | 404 | 409
  readonly documentId: string | undefined
  constructor(message: string, statusCode: 400 | 404 | 409 = 400, documentId?: string) {
    super(message)
    this.statusCode = statusCode
    this.documentId = documentId
  }
}
