/** Errors of the query path. */
import {PipelineError} from '../lib/errors.ts'

/**
 * A GROQ query that cannot run: a syntax error (with where it is) or an evaluation error.
 * `position` is a 0-based offset into `query`; `line`/`column` are 1-based.
 */
export class GroqQueryError extends PipelineError {
  override readonly code = 'GROQ'
  override readonly name = 'GroqQueryError'
  readonly query: string
  readonly position: number | undefined
  readonly line: number | undefined
  readonly column: number | undefined
  constructor(
    message: string,
    query: string,
    where: {position?: number; line?: number; column?: number} = {},
  ) {
    super(message)
    this.query = query
    this.position = where.position
    this.line = where.line
    this.column = where.column
  }
  static override is(e: unknown): e is GroqQueryError {
    return e instanceof GroqQueryError
  }
}

/** A Sanity API request failed (HTTP error or no connection). `statusCode` is undefined for network failures. */
export class RemoteQueryError extends PipelineError {
  override readonly code = 'REMOTE'
  override readonly name = 'RemoteQueryError'
  readonly statusCode: number | undefined
  constructor(message: string, statusCode?: number, options?: {cause?: unknown}) {
    super(message, options)
    this.statusCode = statusCode
  }
}
