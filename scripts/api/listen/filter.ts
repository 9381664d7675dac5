/**
 * A listener's query as a predicate on one document: Content Lake sends a stream the changes
 * of documents that match its filter before or after the change, so the query is evaluated
 * against a one-document dataset (`*[filter]` returns it or nothing).
 */
import {evaluateSync, parse, toJS, type ExprNode} from 'groq-js'
import {HttpError} from '../http.ts'

export type DocumentPredicate = (doc: {_id: string}) => boolean

export function compileListenFilter(
  query: string,
  params: Record<string, unknown>,
  identity: string,
  onError: (message: string) => void = () => {},
): DocumentPredicate {
  let tree: ExprNode
  try {
    tree = parse(query, {params})
  } catch (e) {
    throw new HttpError(400, `Invalid listen query: ${(e as Error).message}`, 'queryParseError', {
      query,
    })
  }
  let reported = false
  return (doc) => {
    try {
      const result = toJS(
        evaluateSync(tree, {dataset: [doc], params, identity, dereference: () => undefined}),
      ) as unknown
      return Array.isArray(result)
        ? result.length > 0
        : result !== null && result !== undefined && result !== false
    } catch (e) {
      // A filter groq-js cannot evaluate must not break the stream; say so once.
      if (!reported) onError(`listen filter failed (${(e as Error).message}): ${query}`)
      reported = true
      return false
    }
  }
}
