/**
 * The compact JSON writer of a declared output: the bytes of `JSON.stringify(value)` (members in
 * the value's own order, undefined members left out; a shared closed object's declared members
 * in declaration order), made HTML-safe (`<`, `>`, `&`, U+2028,
 * U+2029 as \u escapes) unless the writer is raw (the caller escapes the bytes: json.ts
 * escapeJsonBytes), and produced as pieces that go straight into a writer's buffers. A value of a
 * SHARED node is serialized once per export and reused by every page that holds the same object;
 * a subtree without shared nodes is one JSON.stringify. Compiled once per declaration.
 */
import {htmlSafeJsonText} from '../json.ts'
import {resolve, SHARED, type SchemaNode} from './declare.ts'

/** JSON text that is already serialized (in the writer's mode): written as it is. */
export class JsonText {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

type Write = (value: unknown, out: string[], w: Writer) => void

/** One member of an object node: its key's text (first or not) and how its value is written. */
interface Member {
  first: string
  next: string
  write: Write
  plain: boolean
}

/** Up to this length a member's JSON is joined to its neighbours' in one piece. */
const SHORT = 256

/** One export's writing state in one mode: the serialized shared objects, per node. */
export interface Writer {
  readonly raw: boolean
  readonly json: (value: unknown) => string
  readonly shared: Map<SchemaNode, WeakMap<object, string>>
}

const J = JSON.stringify
const escaped = (value: unknown): string => htmlSafeJsonText(J(value))

/** A writer's state; `raw`: leave the HTML escapes to the caller. */
export const createWriter = (raw = false): Writer => ({
  raw,
  json: raw ? J : escaped,
  shared: new Map(),
})

/** JSON text of a value, or the text of a value already serialized. */
const textOf = (v: unknown, w: Writer): string =>
  typeof v === 'object' && v instanceof JsonText ? v.text : w.json(v)

const plain: Write = (v, out, w) => {
  out.push(textOf(v, w))
}

/** Compiles the writer of `node`; `root` resolves `$ref`s. */
export function compileWrite(
  node: SchemaNode,
  root: SchemaNode = node,
  memo = new Map<SchemaNode, Write>(),
): Write {
  const target = resolve(node, root)
  let write = memo.get(target)
  if (!write) {
    memo.set(target, plain)
    write = build(target, root, memo)
    memo.set(target, write)
  }
  return write
}

const childrenOf = (n: SchemaNode): SchemaNode[] => [
  ...Object.values(n.properties ?? {}),
  ...(n.anyOf ?? []),
  ...(n.items ? [n.items] : []),
  ...(typeof n.additionalProperties === 'object' ? [n.additionalProperties] : []),
]

/** Whether a SHARED node stands anywhere below `node` (the node itself not counted). */
function sharedBelow(node: SchemaNode, root: SchemaNode, seen = new Set<SchemaNode>()): boolean {
  return childrenOf(node).some((c) => {
    const n = resolve(c, root)
    if (seen.has(n)) return false
    seen.add(n)
    return n[SHARED] === true || sharedBelow(n, root, seen)
  })
}

function build(node: SchemaNode, root: SchemaNode, memo: Map<SchemaNode, Write>): Write {
  const inner = structure(node, root, memo)
  if (!node[SHARED]) return inner
  return (v, out, w) => {
    if (typeof v !== 'object' || v === null) return inner(v, out, w)
    let texts = w.shared.get(node)
    if (!texts) w.shared.set(node, (texts = new WeakMap()))
    let text = texts.get(v)
    if (text === undefined) {
      const pieces: string[] = []
      inner(v, pieces, w)
      texts.set(v, (text = pieces.join('')))
    }
    out.push(text)
  }
}

/** How a node's value is written when it is not (or not yet) a shared object's cached text. */
function structure(node: SchemaNode, root: SchemaNode, memo: Map<SchemaNode, Write>): Write {
  // A shared closed object is written as declared (its values are often richer objects: a page's
  // link also has `link`); any other subtree without shared objects is one JSON.stringify.
  const declaredOnly = node[SHARED] === true && node.additionalProperties === false
  if (!declaredOnly && !sharedBelow(node, root)) return plain
  if (node.anyOf) {
    // A value takes the first branch of its kind (array or object).
    const isArrayNode = (b: SchemaNode) => {
      const n = resolve(b, root)
      return n.type === 'array' || n.items !== undefined
    }
    const firstOf = (array: boolean) => {
      const b = node.anyOf!.find((x) => isArrayNode(x) === array)
      return b ? compileWrite(b, root, memo) : plain
    }
    const forArray = firstOf(true)
    const forObject = firstOf(false)
    return (v, out, w) => (Array.isArray(v) ? forArray : forObject)(v, out, w)
  }
  if (node.items) {
    const item = compileWrite(node.items, root, memo)
    return (v, out, w) => {
      if (!Array.isArray(v)) return plain(v, out, w)
      out.push('[')
      for (let i = 0; i < v.length; i++) {
        if (i) out.push(',')
        item(v[i] ?? null, out, w)
      }
      out.push(']')
    }
  }
  const writes = new Map<string, Write>()
  for (const [key, child] of Object.entries(node.properties ?? {}))
    writes.set(key, compileWrite(child, root, memo))
  const extra =
    typeof node.additionalProperties === 'object'
      ? compileWrite(node.additionalProperties, root, memo)
      : plain
  const members = new Map<string, Member>()
  const member = (key: string): Member => {
    let m = members.get(key)
    if (!m) {
      const write = writes.get(key) ?? extra
      members.set(
        key,
        (m = {
          first: `{${escaped(key)}:`,
          next: `,${escaped(key)}:`,
          write,
          plain: write === plain,
        }),
      )
    }
    return m
  }
  // Written as declared: the declared members in declaration order, whatever else the value holds.
  const declared = declaredOnly ? [...writes.keys()] : undefined
  return (v, out, w) => {
    if (typeof v !== 'object' || v === null || v instanceof JsonText) return plain(v, out, w)
    const obj = v as Record<string, unknown>
    // Short members are joined into one piece (each piece costs its writer a call), long ones
    // (a body, its HTML) stay pieces of their own.
    let pending = ''
    let first = true
    const add = (key: string, value: unknown) => {
      const m = member(key)
      const prefix = first ? m.first : m.next
      first = false
      if (m.plain) {
        const text = textOf(value, w)
        if (text.length <= SHORT) pending += prefix + text
        else {
          out.push(pending + prefix, text)
          pending = ''
        }
      } else {
        out.push(pending + prefix)
        pending = ''
        m.write(value, out, w)
      }
    }
    if (declared) {
      for (let i = 0; i < declared.length; i++) {
        const value = obj[declared[i]!]
        if (value !== undefined) add(declared[i]!, value)
      }
    } else
      for (const key in obj) {
        const value = obj[key]
        if (value !== undefined) add(key, value)
      }
    out.push(first ? '{}' : `${pending}}`)
  }
}

/** The writer of a declaration (or of one of its nodes, `root` resolving its `$ref`s): compact JSON as pieces. */
export function declaredWriter(
  schema: SchemaNode,
  root: SchemaNode = schema,
): (value: unknown, w: Writer, out?: string[]) => string[] {
  const write = compileWrite(schema, root)
  return (value, w, out = []) => {
    write(value, out, w)
    return out
  }
}
