/**
 * Array indexes in patch paths stay within their array, as in Content Lake: an index may address
 * an item or the slot just past the last one (an append), and no further. @sanity/mutator checks
 * neither: `set: {"arr[19999999]": 1}` (a 70-byte request) made a 100 MB document of nulls, and a
 * slice such as `arr[0:2000000000]` is expanded into that many indexes before anything is set.
 *
 * Paths are read with the mutator's own token rules (JSONMatch: identifiers, numbers, quoted
 * strings, operators); every number in an index or slice position (that is, not the right-hand
 * side of a comparison such as `[n > 5]`) is checked against the lengths of the arrays that the
 * path before its bracket reaches in the document. Pure.
 */
import {extract} from '@sanity/mutator'

type Token =
  | {kind: 'symbol'; text: string; start: number}
  | {kind: 'number'; value: number; start: number}
  | {kind: 'other'; start: number}

// The mutator's symbol table, in its order (longest operator first within a class).
const SYMBOLS = ['..', '.', ',', ':', '?', '>=', '<=', '<', '>', '==', '!=', '$', '@', '[', ']']
const WORD_SYMBOLS = ['true', 'false']
const COMPARATORS = new Set(['>=', '<=', '<', '>', '==', '!='])
const isWordChar = (c: string | undefined) => c !== undefined && /^[a-zA-Z0-9_]$/.test(c)

/** The path's tokens; undefined when the mutator could not read it either (it reports that). */
function tokenize(path: string): Token[] | undefined {
  const tokens: Token[] = []
  let i = 0
  while (i < path.length) {
    if (path[i] === ' ') {
      i++
      continue
    }
    const start = i
    const symbol =
      SYMBOLS.find((s) => path.startsWith(s, i)) ??
      WORD_SYMBOLS.find((s) => path.startsWith(s, i) && !isWordChar(path[i + s.length]))
    if (symbol) {
      tokens.push({kind: 'symbol', text: symbol, start})
      i += symbol.length
    } else if (/^[a-zA-Z_]$/.test(path[i]!)) {
      while (isWordChar(path[i])) i++
      tokens.push({kind: 'other', start})
    } else if (/^-?\d/.test(path.slice(i, i + 2))) {
      const m = /^-?\d+(\.\d*)?/.exec(path.slice(i))!
      tokens.push({kind: 'number', value: Number(m[0]), start})
      i += m[0].length
    } else if (path[i] === '"' || path[i] === "'") {
      const quote = path[i]
      i++
      while (i < path.length && path[i] !== quote) i += path[i] === '\\' ? 2 : 1
      if (i >= path.length) return undefined
      i++
      tokens.push({kind: 'other', start})
    } else {
      return undefined
    }
  }
  return tokens
}

interface IndexBracket {
  /** Offset of the `[` in the path. */
  start: number
  /** Inside another bracket (a sub-path of a union): its array cannot be told from the path alone. */
  nested: boolean
  /** Index, slice start/end/step numbers in it. */
  numbers: number[]
}

function indexBrackets(tokens: Token[]): IndexBracket[] {
  const open: IndexBracket[] = []
  const out: IndexBracket[] = []
  tokens.forEach((t, k) => {
    if (t.kind === 'symbol' && t.text === '[') {
      open.push({start: t.start, nested: open.length > 0, numbers: []})
    } else if (t.kind === 'symbol' && t.text === ']') {
      const closed = open.pop()
      if (closed && closed.numbers.length > 0) out.push(closed)
    } else if (t.kind === 'number' && open.length > 0) {
      const before = tokens[k - 1]
      if (!(before?.kind === 'symbol' && COMPARATORS.has(before.text)))
        open.at(-1)!.numbers.push(t.value)
    }
  })
  return out.sort((a, b) => a.start - b.start)
}

/** What `segment` (a piece of a path) reaches from each of `from`; unreadable reaches nothing. */
function reach(segment: string, from: unknown[]): unknown[] {
  if (segment.trim() === '') return from
  try {
    return from.flatMap((value) => extract(segment, value))
  } catch {
    return []
  }
}

/**
 * Why `path` may not be applied to `doc`, or undefined: every index and slice bound in it must be
 * an integer within the arrays it addresses, from -(length + 1) (before the first item, as
 * `insert: {after: "body[-1]"}` on an empty array uses it) to length (an append). What the path
 * reaches nothing with counts as empty (a set would create it). The path is followed one piece at
 * a time, from bracket to bracket: each piece is read once, however many brackets follow.
 */
export function indexProblem(path: string, doc: unknown): string | undefined {
  const tokens = tokenize(path)
  if (!tokens) return undefined
  let reached: unknown[] = [doc]
  let from = 0
  for (const bracket of indexBrackets(tokens)) {
    if (bracket.nested) return 'array indexes inside a bracketed sub-path are not supported'
    reached = reach(path.slice(from, bracket.start), reached)
    from = bracket.start
    const lengths =
      reached.length === 0 ? [0] : reached.map((v) => (Array.isArray(v) ? v.length : 0))
    for (const n of bracket.numbers) {
      if (!Number.isInteger(n)) return `array index ${n} is not an integer`
      const length = lengths.find((l) => n > l || n < -l - 1)
      if (length !== undefined)
        return `array index ${n} is outside the array (length ${length}); an index may be at most the array's length, to append`
    }
  }
  return undefined
}
