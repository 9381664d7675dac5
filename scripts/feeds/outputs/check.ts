/**
 * The safety checker of a declared output: a walker compiled from the declaration that visits
 * only the values whose role needs a check (URLs, HTML, the JSON-LD script block) and skips
 * every subtree without one. A new field declared as a URL (`format: 'uri'` or role `url`) is
 * checked as a URL everywhere its output goes, with no list to update.
 */
import type {Problem} from '../../lib/errors.ts'
import {htmlProblems, isSafeAbsoluteUrl, jsonLdScriptProblems} from '../markup.ts'
import {resolve, roleOf, SHARED, type SchemaNode} from './declare.ts'

/** One run of checks: where problems go, and the shared objects already checked. */
export interface CheckRun {
  file: string
  out: Problem[]
  /** Objects of SHARED nodes checked before (in this run or an earlier one of the same export). */
  seen: WeakSet<object>
  /** The keys and indexes leading to the value being checked (joined only for a problem). */
  at: Array<string | number>
  /** The last URL found safe (a page's `url` and `link` are usually one string). */
  lastUrl?: string
}

/** Checks one value, found where `run.at` says. */
type Check = (value: unknown, run: CheckRun) => void

/** The JSON pointer of the value being checked. */
const pointer = (run: CheckRun): string => (run.at.length ? `/${run.at.join('/')}` : '/')

const leafChecks: Record<string, Check> = {
  url: (v, run) => {
    if (typeof v !== 'string' || v === run.lastUrl) return
    if (isSafeAbsoluteUrl(v)) run.lastUrl = v
    else {
      const message = `URL ${JSON.stringify(v)} is not an http, https or mailto URL`
      run.out.push({level: 'error', file: run.file, path: pointer(run), message})
    }
  },
  html: (v, run) => {
    if (typeof v === 'string')
      run.out.push(...htmlProblems(v, {file: run.file, path: pointer(run)}))
  },
  script: (v, run) => {
    if (typeof v === 'string')
      run.out.push(...jsonLdScriptProblems(v, {file: run.file, path: pointer(run)}))
  },
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The check of `node` (undefined when nothing below it needs one). `root` resolves `$ref`s;
 * `memo` shares the compiled checks of nodes reached twice (a `$defs` entry).
 */
function compileCheck(
  node: SchemaNode,
  root: SchemaNode,
  memo: Map<SchemaNode, Check | undefined>,
): Check | undefined {
  const target = resolve(node, root)
  if (memo.has(target)) return memo.get(target)
  memo.set(target, undefined)
  const inner = build(target, root, memo)
  const check: Check | undefined =
    inner && target[SHARED]
      ? (v, run) => {
          if (typeof v === 'object' && v !== null) {
            if (run.seen.has(v)) return
            run.seen.add(v)
          }
          inner(v, run)
        }
      : inner
  memo.set(target, check)
  return check
}

/** `check` of the value at `key` below the current one. */
function below(check: Check, value: unknown, key: string | number, run: CheckRun): void {
  run.at.push(key)
  check(value, run)
  run.at.pop()
}

function build(
  node: SchemaNode,
  root: SchemaNode,
  memo: Map<SchemaNode, Check | undefined>,
): Check | undefined {
  const role = roleOf(node)
  if (role !== undefined) return leafChecks[role]
  const branches = (node.anyOf ?? [])
    .map((b) => compileCheck(b, root, memo))
    .filter((c): c is Check => c !== undefined)
  const props: Array<[string, Check]> = []
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const c = compileCheck(child, root, memo)
    if (c) props.push([key, c])
  }
  const extra =
    typeof node.additionalProperties === 'object'
      ? compileCheck(node.additionalProperties, root, memo)
      : undefined
  const items = node.items ? compileCheck(node.items, root, memo) : undefined
  if (!branches.length && !props.length && !extra && !items) return undefined
  const declared = new Set(Object.keys(node.properties ?? {}))
  const keys = props.map(([key]) => key)
  const checks = props.map(([, c]) => c)
  const declaredMembers = (v: Record<string, unknown>, run: CheckRun) => {
    for (let i = 0; i < keys.length; i++) {
      const value = v[keys[i]!]
      if (value !== undefined) below(checks[i]!, value, keys[i]!, run)
    }
  }
  // Objects without branches or extra members (most of them) take the short path.
  if (!branches.length && !extra && !items)
    return (v, run) => {
      if (isObject(v)) declaredMembers(v, run)
    }
  return (v, run) => {
    for (const c of branches) c(v, run)
    if (Array.isArray(v)) {
      if (items) for (let i = 0; i < v.length; i++) below(items, v[i], i, run)
    } else if (isObject(v)) {
      declaredMembers(v, run)
      if (extra) for (const key in v) if (!declared.has(key)) below(extra, v[key], key, run)
    }
  }
}

const compiled = new WeakMap<SchemaNode, Check | undefined>()

/** The compiled check of a declaration (made once per declaration). */
function checkOf(schema: SchemaNode): Check | undefined {
  if (!compiled.has(schema)) compiled.set(schema, compileCheck(schema, schema, new Map()))
  return compiled.get(schema)
}

/**
 * Every role problem of `value` against the declaration `schema`, located in `file` by JSON
 * pointer. `seen`: pass one set for the many values of one export to check shared objects once.
 */
export function roleProblems(
  schema: SchemaNode,
  value: unknown,
  file: string,
  seen: WeakSet<object> = new WeakSet(),
): Problem[] {
  const run: CheckRun = {file, out: [], seen, at: []}
  checkOf(schema)?.(value, run)
  return run.out
}
