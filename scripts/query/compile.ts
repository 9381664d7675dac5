/**
 * A compiled fast path for the GROQ the pipeline and the Studio actually send: filters,
 * projections, `->`, `[]` traversal, `order()`, slices, `count()`, `defined()`, `coalesce()` and
 * the comparison operators, evaluated over plain JSON values. groq-js wraps every intermediate
 * value and then walks the whole result again to normalize it (`toJS`); at 100k documents that
 * was most of a feed query's time. Anything outside this subset (functions such as `now()`,
 * `^` parents, `match`, arithmetic…) is not compiled and the caller falls back to groq-js.
 *
 * Semantics follow groq-js 2 node by node (see node_modules/groq-js/dist/evaluator-*.js):
 * attribute access only on objects, three-valued `&&`/`||`/`!`, `==` only between equal
 * primitive types, `order()` by GROQ's total order with the input position as the tie-breaker,
 * nulls kept as null in projections. tests/query/compile.test.ts checks the results against
 * groq-js on generated datasets.
 *
 * Two index shortcuts keep it fast without changing results: a filter over `*` with a
 * `_type == "x"` conjunct only visits documents of that type, and one with `_id == "x"` only the
 * document with that id (both in dataset order, with the whole filter still applied).
 */
import type {ExprNode} from 'groq-js'

export interface CompiledContext {
  /** `*`: the perspective's documents, in order. */
  dataset: readonly unknown[]
  params: Record<string, unknown>
  /** `->`: the document with this id, or undefined. */
  deref(id: string): unknown
  /** Documents of one `_type`, in dataset order (undefined when there are none). */
  byType(type: string): readonly unknown[] | undefined
  /** The document with this `_id`, or undefined. */
  byId(id: string): unknown
}

export type CompiledQuery = (ctx: CompiledContext) => unknown

type Fn = (self: unknown, ctx: CompiledContext) => unknown

/** Thrown while compiling a node the fast path does not cover. */
class Unsupported extends Error {}

/** groq-js's node shapes, read loosely: the compiler checks `type` before using a field. */
type Node = {type: string; [field: string]: unknown}

/** The compiled query, or undefined when it uses anything outside the supported subset. */
export function compileGroq(tree: ExprNode): CompiledQuery | undefined {
  try {
    const fn = compile(tree as unknown as Node)
    // The root scope's value is null, as in groq-js (no `root` option is passed).
    return (ctx) => fn(null, ctx)
  } catch (e) {
    if (e instanceof Unsupported) return undefined
    throw e
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

type GroqType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'other'
function typeOf(v: unknown): GroqType {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'array'
  const t = typeof v
  return t === 'object' || t === 'string' || t === 'number' || t === 'boolean' ? t : 'other'
}

/** groq-js isEqual for JSON values: equal primitives of the same type (null == null). */
function isEqual(a: unknown, b: unknown): boolean {
  const ta = typeOf(a)
  const tb = typeOf(b)
  if (ta !== tb) return false
  if (ta === 'null') return true
  return (ta === 'string' || ta === 'number' || ta === 'boolean') && a === b
}

/** groq-js partialCompare: null when the types differ or are not ordered. */
function partialCompare(a: unknown, b: unknown): number | null {
  const ta = typeOf(a)
  if (ta !== typeOf(b)) return null
  if (ta === 'number') return (a as number) - (b as number)
  if (ta === 'boolean') return Number(a) - Number(b)
  if (ta === 'string')
    return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0
  return null
}

const TYPE_ORDER: Partial<Record<GroqType, number>> = {number: 2, string: 3, boolean: 4}
function totalCompare(a: unknown, b: unknown): number {
  const oa = TYPE_ORDER[typeOf(a)] ?? 100
  const ob = TYPE_ORDER[typeOf(b)] ?? 100
  if (oa !== ob) return oa - ob
  return partialCompare(a, b) ?? 0
}

const nullable = (v: unknown): unknown => (v === undefined ? null : v)

function compile(node: Node): Fn {
  switch (node.type) {
    case 'This':
      return (self) => self
    case 'Everything':
      return (_s, ctx) => ctx.dataset
    case 'Parameter': {
      const name = node.name as string
      return (_s, ctx) => nullable(ctx.params[name])
    }
    case 'Value': {
      const value = nullable(node.value)
      return () => value
    }
    case 'Group':
      return compile(node.base as Node)
    case 'AccessAttribute': {
      const base = node.base ? compile(node.base as Node) : (self: unknown) => self
      const name = node.name as string
      return (self, ctx) => {
        const v = base(self, ctx)
        return isObject(v) && Object.hasOwn(v, name) ? nullable(v[name]) : null
      }
    }
    case 'AccessElement': {
      const base = compile(node.base as Node)
      const index = node.index as number
      return (self, ctx) => {
        const v = base(self, ctx)
        if (!Array.isArray(v)) return null
        return nullable(v[index < 0 ? index + v.length : index])
      }
    }
    case 'Slice': {
      const base = compile(node.base as Node)
      const {left, right, isInclusive} = node as unknown as {
        left: number
        right: number
        isInclusive: boolean
      }
      return (self, ctx) => {
        const v = base(self, ctx)
        if (!Array.isArray(v)) return null
        let l = left < 0 ? v.length + left : left
        let r = right < 0 ? v.length + right : right
        if (isInclusive) r++
        if (l < 0) l = 0
        if (r < 0) r = 0
        return v.slice(l, r)
      }
    }
    case 'ArrayCoerce': {
      const base = compile(node.base as Node)
      return (self, ctx) => {
        const v = base(self, ctx)
        return Array.isArray(v) ? v : null
      }
    }
    case 'Filter':
      return compileFilter(node)
    case 'Map': {
      const base = compile(node.base as Node)
      const expr = compile(node.expr as Node)
      return (self, ctx) => {
        const v = base(self, ctx)
        if (!Array.isArray(v)) return null
        const out = new Array<unknown>(v.length)
        for (let i = 0; i < v.length; i++) out[i] = expr(v[i], ctx)
        return out
      }
    }
    case 'FlatMap': {
      const base = compile(node.base as Node)
      const expr = compile(node.expr as Node)
      return (self, ctx) => {
        const v = base(self, ctx)
        if (!Array.isArray(v)) return null
        const out: unknown[] = []
        for (const item of v) {
          const inner = expr(item, ctx)
          if (Array.isArray(inner)) for (const x of inner) out.push(x)
          else out.push(inner)
        }
        return out
      }
    }
    case 'Projection': {
      const base = compile(node.base as Node)
      const expr = compile(node.expr as Node)
      return (self, ctx) => {
        const v = base(self, ctx)
        return isObject(v) ? expr(v, ctx) : null
      }
    }
    case 'Object':
      return compileObject(node)
    case 'Array': {
      const elements = (node.elements as Array<{value: Node; isSplat: boolean}>).map((e) => ({
        fn: compile(e.value),
        splat: e.isSplat,
      }))
      return (self, ctx) => {
        const out: unknown[] = []
        for (const e of elements) {
          const v = e.fn(self, ctx)
          if (!e.splat) out.push(v)
          else if (Array.isArray(v)) for (const x of v) out.push(x)
        }
        return out
      }
    }
    case 'Deref': {
      const base = compile(node.base as Node)
      return (self, ctx) => {
        const v = base(self, ctx)
        if (!isObject(v) || typeof v._ref !== 'string') return null
        return nullable(ctx.deref(v._ref))
      }
    }
    case 'And': {
      const left = compile(node.left as Node)
      const right = compile(node.right as Node)
      return (self, ctx) => {
        const l = left(self, ctx)
        if (l === false) return false
        const r = right(self, ctx)
        if (r === false) return false
        return typeof l === 'boolean' && typeof r === 'boolean' ? true : null
      }
    }
    case 'Or': {
      const left = compile(node.left as Node)
      const right = compile(node.right as Node)
      return (self, ctx) => {
        const l = left(self, ctx)
        if (l === true) return true
        const r = right(self, ctx)
        if (r === true) return true
        return typeof l === 'boolean' && typeof r === 'boolean' ? false : null
      }
    }
    case 'Not': {
      const base = compile(node.base as Node)
      return (self, ctx) => {
        const v = base(self, ctx)
        return typeof v === 'boolean' ? !v : null
      }
    }
    case 'OpCall':
      return compileOp(node)
    case 'FuncCall':
      return compileFunc(node)
    case 'PipeFuncCall':
      return compilePipe(node)
    case 'Asc':
    case 'Desc':
      return () => null
    default:
      throw new Unsupported(node.type)
  }
}

function compileObject(node: Node): Fn {
  const attrs = (node.attributes as Node[]).map((a) => {
    if (a.type === 'ObjectAttributeValue')
      return {kind: 'value' as const, name: a.name as string, fn: compile(a.value as Node)}
    if (a.type === 'ObjectSplat')
      return {kind: 'splat' as const, name: '', fn: compile(a.value as Node)}
    if (a.type === 'ObjectConditionalSplat') {
      const cond = compile(a.condition as Node)
      const value = compile(a.value as Node)
      return {
        kind: 'splat' as const,
        name: '',
        fn: (self: unknown, ctx: CompiledContext) =>
          cond(self, ctx) === true ? value(self, ctx) : null,
      }
    }
    throw new Unsupported(a.type)
  })
  return (self, ctx) => {
    const out: Record<string, unknown> = {}
    for (const a of attrs) {
      const v = a.fn(self, ctx)
      if (a.kind === 'value') out[a.name] = v
      else if (isObject(v)) Object.assign(out, v)
    }
    return out
  }
}

function compileOp(node: Node): Fn {
  const op = node.op as string
  const left = compile(node.left as Node)
  const right = compile(node.right as Node)
  switch (op) {
    case '==':
      return (self, ctx) => isEqual(left(self, ctx), right(self, ctx))
    case '!=':
      return (self, ctx) => !isEqual(left(self, ctx), right(self, ctx))
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const test =
        op === '<'
          ? (c: number) => c < 0
          : op === '<='
            ? (c: number) => c <= 0
            : op === '>'
              ? (c: number) => c > 0
              : (c: number) => c >= 0
      return (self, ctx) => {
        const c = partialCompare(left(self, ctx), right(self, ctx))
        return c === null ? null : test(c)
      }
    }
    case 'in':
      return (self, ctx) => {
        const l = left(self, ctx)
        const r = right(self, ctx)
        if (!Array.isArray(r)) return null
        for (const x of r) if (isEqual(l, x)) return true
        return false
      }
    default:
      throw new Unsupported(`operator ${op}`)
  }
}

function compileFunc(node: Node): Fn {
  if (node.namespace !== 'global')
    throw new Unsupported(`${String(node.namespace)}::${String(node.name)}`)
  const args = (node.args as Node[]).map(compile)
  switch (node.name) {
    case 'defined': {
      const arg = args[0]
      if (!arg) throw new Unsupported('defined()')
      return (self, ctx) => typeOf(arg(self, ctx)) !== 'null'
    }
    case 'count': {
      const arg = args[0]
      if (!arg) throw new Unsupported('count()')
      return (self, ctx) => {
        const v = arg(self, ctx)
        return Array.isArray(v) ? v.length : null
      }
    }
    case 'coalesce':
      return (self, ctx) => {
        for (const arg of args) {
          const v = arg(self, ctx)
          if (typeOf(v) !== 'null') return v
        }
        return null
      }
    default:
      throw new Unsupported(`${String(node.name)}()`)
  }
}

function compilePipe(node: Node): Fn {
  if (node.name !== 'order') throw new Unsupported(`| ${String(node.name)}()`)
  const base = compile(node.base as Node)
  const keys = (node.args as Node[]).map((arg) => {
    const desc = arg.type === 'Desc'
    const expr = arg.type === 'Asc' || arg.type === 'Desc' ? (arg.base as Node) : arg
    return {fn: compile(expr), desc}
  })
  return (self, ctx) => {
    const v = base(self, ctx)
    if (!Array.isArray(v)) return null
    const rows = v.map((value, index) => ({value, index, keys: keys.map((k) => k.fn(value, ctx))}))
    rows.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        let c = totalCompare(a.keys[i], b.keys[i])
        if (keys[i]!.desc) c = -c
        if (c !== 0) return c
      }
      return a.index - b.index
    })
    return rows.map((r) => r.value)
  }
}

/** `_type == x` / `_id == x` conjuncts of a filter: which index can narrow `*` first. */
function indexHint(expr: Node): {field: '_type' | '_id'; value: Fn} | undefined {
  const conjuncts: Node[] = []
  const collect = (n: Node) => {
    if (n.type === 'And') {
      collect(n.left as Node)
      collect(n.right as Node)
    } else if (n.type === 'Group') collect(n.base as Node)
    else conjuncts.push(n)
  }
  collect(expr)
  let typeHint: Fn | undefined
  for (const c of conjuncts) {
    if (c.type !== 'OpCall' || c.op !== '==') continue
    const sides = [c.left as Node, c.right as Node]
    for (const [i, side] of sides.entries()) {
      const other = sides[1 - i]!
      if (side.type !== 'AccessAttribute' || side.base !== undefined) continue
      if (other.type !== 'Value' && other.type !== 'Parameter') continue
      if (side.name === '_id') return {field: '_id', value: compile(other)}
      if (side.name === '_type') typeHint ??= compile(other)
    }
  }
  return typeHint ? {field: '_type', value: typeHint} : undefined
}

function compileFilter(node: Node): Fn {
  const baseNode = node.base as Node
  const base = compile(baseNode)
  const expr = compile(node.expr as Node)
  const hint = baseNode.type === 'Everything' ? indexHint(node.expr as Node) : undefined
  return (self, ctx) => {
    let items: readonly unknown[]
    if (hint) {
      const key = hint.value(self, ctx)
      if (typeof key !== 'string') return []
      if (hint.field === '_type') items = ctx.byType(key) ?? []
      else {
        const doc = ctx.byId(key)
        items = doc === undefined ? [] : [doc]
      }
    } else {
      const v = base(self, ctx)
      if (!Array.isArray(v)) return null
      items = v
    }
    const out: unknown[] = []
    for (const item of items) if (expr(item, ctx) === true) out.push(item)
    return out
  }
}
