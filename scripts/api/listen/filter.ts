/**
 * A listener's query. Content Lake sends a stream the changes of documents that match its
 * filter before or after the change; whether they do is decided in a query worker under the
 * query time limit (`QueryService.match`), never on this thread: a filter such as
 * `*[count($a[]{"x": $a[]{"y": $a[]{"z": 1}}}) > 0]` takes seconds per document. What runs
 * here is only the parse, which is linear in the query's length (bounded by the URL's), so
 * that a syntax error is a 400 before the stream opens.
 */
import {parse} from 'groq-js'
import {HttpError} from '../http.ts'

export function assertListenQuery(query: string, params: Record<string, unknown>): void {
  try {
    parse(query, {params})
  } catch (e) {
    throw new HttpError(400, `Invalid listen query: ${(e as Error).message}`, 'queryParseError', {
      query,
    })
  }
}

/**
 * Streams whose filters are decided alike share one evaluation per change: same query, same
 * parameters, same caller identity, and the same visibility (with or without the token).
 */
export function listenFilterKey(
  query: string,
  params: Record<string, unknown>,
  identity: string,
  authenticated: boolean,
): string {
  return JSON.stringify([query, params, identity, authenticated])
}
