/**
 * GROQ selection for `delete`/`patch` mutations by query. Transactions are synchronous (they hold
 * a SQLite write lock), so this uses groq-js's sync evaluator, which covers filters, projections,
 * ordering and slices — everything a mutation query needs.
 */
import {evaluateSync, parse, toJS} from 'groq-js'

/** Ids of the documents `query` returns (one document or an array of them). */
export function selectIds(
  docs: readonly {_id: string}[],
  query: string,
  params: Record<string, unknown> = {},
): string[] {
  const byId = new Map(docs.map((d) => [d._id, d]))
  const tree = parse(query, {params})
  // Like Content Lake (and the query runner): a $param that was not supplied is an error, not null —
  // otherwise a typo in a delete-by-query silently selects nothing.
  const missing = [...parameterNames(tree)].filter((name) => !Object.hasOwn(params, name))
  if (missing.length > 0) throw new Error(`param ${missing.map((n) => `$${n}`).join(', ')} referenced, but not provided`)
  const result = toJS(evaluateSync(tree, {dataset: docs, params, dereference: ({_ref}) => byId.get(_ref)})) as unknown
  const items = Array.isArray(result) ? result : result == null ? [] : [result]
  const ids = new Set<string>()
  for (const item of items) {
    const id = item && typeof item === 'object' ? (item as {_id?: unknown})._id : undefined
    if (typeof id === 'string') ids.add(id)
  }
  return [...ids]
}

/** Names of every `$param` in a parsed query. */
function parameterNames(tree: unknown): Set<string> {
  const names = new Set<string>()
  const stack: unknown[] = [tree]
  while (stack.length > 0) {
    const node = stack.pop()
    if (Array.isArray(node)) stack.push(...node)
    else if (node && typeof node === 'object') {
      const n = node as {type?: unknown; name?: unknown}
      if (n.type === 'Parameter' && typeof n.name === 'string') names.add(n.name)
      for (const v of Object.values(node)) if (v && typeof v === 'object') stack.push(v)
    }
  }
  return names
}
