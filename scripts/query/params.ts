/** `$param` checks shared by the query runner and the store's delete/patch-by-query selection. */

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
