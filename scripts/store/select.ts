/**
 * GROQ selection for `delete`/`patch` mutations by query. Transactions are synchronous (they hold
 * a SQLite write lock), so this uses groq-js's sync evaluator, which covers filters, projections,
 * ordering and slices — everything a mutation query needs.
 */
import {evaluateSync, parse, toJS} from 'groq-js'
import {missingParamsMessage} from '../query/params.ts'

/** Ids of the documents `query` returns (one document or an array of them). */
export function selectIds(
  docs: readonly {_id: string}[],
  query: string,
  params: Record<string, unknown> = {},
): string[] {
  const byId = new Map(docs.map((d) => [d._id, d]))
  const tree = parse(query, {params})
  const missing = missingParamsMessage(tree, params)
  if (missing) throw new Error(missing)
  return selectedIds(
    toJS(evaluateSync(tree, {dataset: docs, params, dereference: ({_ref}) => byId.get(_ref)})),
  )
}

/** The `_id`s of what a selection query returns (one document or an array of them), each once. */
export function selectedIds(result: unknown): string[] {
  const items = Array.isArray(result) ? result : result == null ? [] : [result]
  const ids = new Set<string>()
  for (const item of items) {
    const id = item && typeof item === 'object' ? (item as {_id?: unknown})._id : undefined
    if (typeof id === 'string') ids.add(id)
  }
  return [...ids]
}
