/**
 * GROQ over the embedded dataset with groq-js. Two things keep it linear at 100k documents
 * (see /work/shared/notes/performance.md): `->` resolves through a byId table via the
 * `dereference` option instead of groq-js's scan of the whole dataset, and reverse references
 * come from `reverseIndex`, never from `references()` in a filter. Queries inside the subset of
 * compile.ts skip groq-js's value wrapping altogether (same results, several times faster).
 */
import {
  evaluate,
  evaluateSync,
  GroqSyntaxError,
  parse,
  toJS,
  type AnyStaticValue,
  type ExprNode,
} from 'groq-js'
import {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {compileGroq, type CompiledContext, type CompiledQuery} from './compile.ts'
import {GroqQueryError} from './errors.ts'
import {
  applyPerspective,
  isPerspective,
  type Perspective,
  type PerspectiveDocument,
} from './perspective.ts'
import {missingParamsError} from './params.ts'

export type {Perspective} from './perspective.ts'

export interface QueryOptions {
  /** Default `published`, like Content Lake since API version 2025-02-19. */
  perspective?: Perspective
  /** What GROQ's `now()` returns (default: the current time). */
  now?: Date
}

/** One perspective's documents and their lookup table. */
export interface View {
  documents: PerspectiveDocument[]
  byId: Map<string, PerspectiveDocument>
}

/** Documents prepared for querying; views per perspective are built on first use and kept. */
export interface LocalSource {
  readonly kind: 'local'
  /** Every document (all perspectives' raw material), sorted by _id. */
  readonly documents: readonly StoredDocument[]
  view(perspective: Perspective): View
}

/** Build a query source from documents or a Dataset (read once, now). */
export function createLocalSource(input: readonly StoredDocument[] | Dataset): LocalSource {
  const documents = input instanceof Dataset ? input.documents() : input
  const views = new Map<Perspective, View>()
  return {
    kind: 'local',
    documents,
    view(perspective) {
      if (!isPerspective(perspective))
        throw new GroqQueryError(
          `unknown perspective "${String(perspective)}" (published, drafts, raw)`,
          '',
        )
      let v = views.get(perspective)
      if (!v) {
        const docs = applyPerspective(documents, perspective)
        v = {documents: docs, byId: new Map(docs.map((d) => [d._id, d]))}
        views.set(perspective, v)
      }
      return v
    },
  }
}

/** Parse GROQ, turning groq-js's syntax error into a GroqQueryError with position/line/column. */
export function parseGroq(query: string, params: Record<string, unknown> = {}): ExprNode {
  let tree: ExprNode
  try {
    tree = parse(query, {params})
  } catch (e) {
    if (e instanceof GroqSyntaxError) {
      throw new GroqQueryError(`${e.message} (line ${e.line}, column ${e.column})`, query, {
        position: e.position,
        line: e.line,
        column: e.column,
      })
    }
    throw new GroqQueryError((e as Error).message, query)
  }
  const missing = missingParamsError(tree, params, query)
  if (missing) throw missing
  return tree
}

/**
 * Compiled queries by text (parsing is cheap, but the Studio and the API repeat queries). groq-js
 * inlines $params into the tree while parsing, so the key is query and params together, and a
 * compiled query holds its params: the cache has a byte budget as well as an entry count, and a
 * key too large to be a repeat (a query sent with megabytes of params) is compiled but not kept.
 */
const compiled = new Map<string, CompiledQuery | null>()
const MAX_COMPILED = 500
/** Longest key kept, in UTF-16 units (the query text and its params' JSON). */
export const MAX_COMPILED_KEY_CHARS = 16 * 1024
/** All keys together, in UTF-16 units: with the trees they hold, a few MB at most. */
const COMPILED_BUDGET_CHARS = 1024 * 1024
let compiledChars = 0

function compiledFor(
  query: string,
  params: Record<string, unknown>,
  tree: ExprNode,
): CompiledQuery | undefined {
  const key = Object.keys(params).length === 0 ? query : `${query}\u0000${JSON.stringify(params)}`
  const cached = compiled.get(key)
  if (cached !== undefined) {
    // Least recently used first: a hit moves to the end.
    compiled.delete(key)
    compiled.set(key, cached)
    return cached ?? undefined
  }
  const fn = compileOrSkip(tree)
  if (key.length > MAX_COMPILED_KEY_CHARS) return fn
  while (
    compiled.size > 0 &&
    (compiled.size >= MAX_COMPILED || compiledChars + key.length > COMPILED_BUDGET_CHARS)
  ) {
    const oldest = compiled.keys().next().value!
    compiled.delete(oldest)
    compiledChars -= oldest.length
  }
  compiled.set(key, fn ?? null)
  compiledChars += key.length
  return fn
}

/** Compiled keys kept and their size in UTF-16 units (for tests of the budget). */
export function compiledCacheSize(): {entries: number; chars: number} {
  return {entries: compiled.size, chars: compiledChars}
}

/**
 * The fast path, or none: a query nested deeper than the compiler's recursion can go is left to
 * groq-js, which reports it as a GroqQueryError instead of a RangeError.
 */
function compileOrSkip(tree: ExprNode): CompiledQuery | undefined {
  try {
    return compileGroq(tree)
  } catch (e) {
    if (e instanceof RangeError) return undefined
    throw e
  }
}

/** Documents of each `_type`, per view, built on first use (views are immutable snapshots). */
const typeIndexes = new WeakMap<View, Map<string, PerspectiveDocument[]>>()
function typeIndex(view: View): Map<string, PerspectiveDocument[]> {
  let index = typeIndexes.get(view)
  if (!index) {
    index = new Map()
    for (const d of view.documents) {
      let list = index.get(d._type)
      if (!list) index.set(d._type, (list = []))
      list.push(d)
    }
    typeIndexes.set(view, index)
  }
  return index
}

function compiledContext(view: View, params: Record<string, unknown>): CompiledContext {
  const {byId} = view
  return {
    dataset: view.documents,
    params,
    deref: (id) => byId.get(id),
    byId: (id) => byId.get(id),
    byType: (type) => typeIndex(view).get(type),
  }
}

function evaluateOptions(view: View, params: Record<string, unknown>, opts: QueryOptions) {
  const {byId} = view
  return {
    dataset: view.documents,
    params,
    dereference: ({_ref}: {_ref: string}) => byId.get(_ref),
    ...(opts.now ? {timestamp: opts.now} : {}),
  }
}

/**
 * Run a query synchronously: the compiled fast path (compile.ts) when the query stays inside its
 * subset, else groq-js's sync evaluator, which covers almost all of GROQ and is 2–4× faster than
 * its async one on dereference-heavy queries; the few async-only functions (`diff::`, `delta::`)
 * throw here, and `runQuery` falls back to the async evaluator for them.
 */
export function runQuerySync<R = unknown>(
  source: LocalSource,
  query: string,
  params: Record<string, unknown> = {},
  opts: QueryOptions = {},
): R {
  const tree = parseGroq(query, params)
  const view = source.view(opts.perspective ?? 'published')
  const fast = compiledFor(query, params, tree)
  try {
    if (fast) return fast(compiledContext(view, params)) as R
    return toJS(evaluateSync(tree, evaluateOptions(view, params, opts))) as R
  } catch (e) {
    throw new GroqQueryError((e as Error).message, query)
  }
}

/** Run a GROQ query against local documents; same signature as the remote runner. */
export async function runQuery<R = unknown>(
  source: LocalSource,
  query: string,
  params: Record<string, unknown> = {},
  opts: QueryOptions = {},
): Promise<R> {
  const tree = parseGroq(query, params)
  const view = source.view(opts.perspective ?? 'published')
  const fast = compiledFor(query, params, tree)
  if (fast) {
    try {
      return fast(compiledContext(view, params)) as R
    } catch (e) {
      throw new GroqQueryError((e as Error).message, query)
    }
  }
  const options = evaluateOptions(view, params, opts)
  try {
    return toJS(evaluateSync(tree, options)) as R
  } catch {
    // Not supported by the sync evaluator (or a genuine error, which the async path reports too).
  }
  try {
    const value = await evaluate(tree, options)
    return toJS({data: await value.get()} as AnyStaticValue) as R
  } catch (e) {
    throw new GroqQueryError((e as Error).message, query)
  }
}

/**
 * Reverse references: target id → ids of the documents whose content holds a `_ref` to it
 * (at any depth, including Portable Text mark definitions). One walk over every document.
 */
export function reverseIndex(docs: readonly {_id: string}[]): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>()
  const stack: unknown[] = []
  for (const doc of docs) {
    stack.push(doc)
    while (stack.length > 0) {
      const value = stack.pop()
      if (Array.isArray(value)) {
        for (const item of value) if (item !== null && typeof item === 'object') stack.push(item)
        continue
      }
      const obj = value as Record<string, unknown>
      for (const key in obj) {
        const v = obj[key]
        if (key === '_ref' && typeof v === 'string') {
          let set = index.get(v)
          if (!set) index.set(v, (set = new Set()))
          set.add(doc._id)
        } else if (v !== null && typeof v === 'object') stack.push(v)
      }
    }
  }
  return index
}
