/** The pipeline's named errors as HTTP answers, in Content Lake's error shapes. */
import {MutationError, RevisionConflictError} from '../lib/errors.ts'
import {HttpError} from './http.ts'

export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e
  if (e instanceof RevisionConflictError) {
    // Content Lake answers a stale ifRevisionID with 409 and a mutationError.
    return new HttpError(409, `The mutation(s) failed: ${e.message}`, 'mutationError', {
      items: [
        {
          error: {
            type: 'documentRevisionIdMismatchError',
            description: e.message,
            id: e.documentId,
            expectedRevisionId: e.expectedRev,
            actualRevisionId: e.actualRev ?? null,
          },
        },
      ],
    })
  }
  if (e instanceof MutationError) {
    const details =
      e.documentId === undefined
        ? {}
        : {items: [{error: {type: 'mutationError', description: e.message, id: e.documentId}}]}
    return new HttpError(
      e.statusCode,
      `The mutation(s) failed: ${e.message}`,
      'mutationError',
      details,
    )
  }
  return new HttpError(
    500,
    `Internal error: ${(e as Error)?.message ?? String(e)}`,
    'internalError',
  )
}
