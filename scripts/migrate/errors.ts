/** Named errors of the migration runner. */
import {PipelineError} from '../lib/errors.ts'

/** A migration could not run or commit; nothing of it was written (see `cause` for the original error). */
export class MigrationFailedError extends PipelineError {
  override readonly code = 'MIGRATION_FAILED'
  readonly migrationId: string
  constructor(migrationId: string, message: string, options?: {cause?: unknown}) {
    super(`${migrationId}: ${message}`, options)
    this.migrationId = migrationId
  }
}

/** A Sanity API refused or failed a request of the remote runner. */
export class RemoteMigrationError extends PipelineError {
  override readonly code: string = 'REMOTE'
  readonly statusCode: number | undefined
  constructor(message: string, statusCode?: number, options?: {cause?: unknown}) {
    super(message, options)
    this.statusCode = statusCode
  }
}

/** The API refused a write because a document's revision changed (HTTP 409): nothing of that request was written. */
export class RemoteConflictError extends RemoteMigrationError {
  override readonly code: string = 'REVISION_CONFLICT'
}

/** The stable code of any error, for reports (`REVISION_CONFLICT`, `MUTATION`, `MIGRATION_FAILED`…). */
export function errorCode(e: unknown): string {
  return PipelineError.is(e) ? e.code : 'MIGRATION_FAILED'
}
