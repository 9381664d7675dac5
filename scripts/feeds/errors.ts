/** Errors of the exporter. */
import {InputError} from '../lib/errors.ts'

/** Rendered output failed its schema, format or safety checks: nothing was written. */
export class ExportValidationError extends InputError {
  override readonly code = 'EXPORT_INVALID'
}
