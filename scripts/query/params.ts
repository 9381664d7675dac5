/** `$param` checks shared by the query runner and the store's delete/patch-by-query selection. */
import {GroqQueryError} from './errors.ts'

/** Names of every `$param` in a parsed groq-js query tree. */
export function parameterNames(tree: unknown): Set<string> {
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

/**
 * Content Lake rejects a query whose `$param` is not supplied; groq-js would quietly use null (and a
 * typo in a delete-by-query would silently select nothing). The message, or undefined when all are given.
 */
export function missingParamsMessage(
  tree: unknown,
  params: Record<string, unknown>,
): string | undefined {
  const missing = [...parameterNames(tree)].filter((name) => !Object.hasOwn(params, name))
  return missing.length > 0
    ? `param ${missing.map((n) => `$${n}`).join(', ')} referenced, but not provided`
    : undefined
}

/**
 * Offset of the first `$name` in `query` (not inside a string or a comment), or undefined. The
 * parsed tree keeps no positions, so the text is scanned.
 */
function paramPosition(query: string, name: string): number | undefined {
  const token = /\/\/[^\n]*|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|\$([A-Za-z_][A-Za-z0-9_]*)/g
  for (const m of query.matchAll(token)) if (m[1] === name) return m.index
  return undefined
}

/**
 * The query runner's answer to a missing `$param`: Content Lake's message, at the first missing
 * parameter's place in the query (so a client's code frame points at it), or undefined when all
 * are given.
 */
export function missingParamsError(
  tree: unknown,
  params: Record<string, unknown>,
  query: string,
): GroqQueryError | undefined {
  const message = missingParamsMessage(tree, params)
  if (message === undefined) return undefined
  const first = [...parameterNames(tree)].find((name) => !Object.hasOwn(params, name))!
  const position = paramPosition(query, first)
  if (position === undefined) return new GroqQueryError(message, query)
  const before = query.slice(0, position).split('\n')
  return new GroqQueryError(message, query, {
    position,
    line: before.length,
    column: before.at(-1)!.length + 1,
  })
}
