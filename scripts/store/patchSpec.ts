/**
 * The shape of a patch, checked before the patch engine sees it. @sanity/mutator is lenient in
 * ways that lose data or hide mistakes: an unknown operation (`{frobnicate: …}`) is silently
 * ignored, `inc: {n: "x"}` turns the number 1 into the string "1x", an insert without `items`
 * inserts nothing and succeeds. Content Lake answers all of these with an error; so does the
 * store, naming the mutation and the operation. Pure.
 */
import {MutationError} from '../lib/errors.ts'

export const PATCH_OPERATIONS = [
  'set',
  'setIfMissing',
  'unset',
  'inc',
  'dec',
  'insert',
  'diffMatchPatch',
] as const
const ADDRESSING = new Set(['id', 'query', 'params', 'ifRevisionID'])
const OPERATIONS = new Set<string>(PATCH_OPERATIONS)

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** Throws MutationError (400) when `spec` is not a patch Content Lake would accept. */
export function assertPatchShape(spec: Record<string, unknown>, at: string): void {
  for (const key of Object.keys(spec)) {
    if (!ADDRESSING.has(key) && !OPERATIONS.has(key))
      throw new MutationError(
        `${at}: unknown patch operation "${key}" (expected ${PATCH_OPERATIONS.join(', ')})`,
      )
  }
  for (const op of ['set', 'setIfMissing', 'inc', 'dec', 'diffMatchPatch'] as const) {
    if (spec[op] !== undefined && !isPlainObject(spec[op]))
      throw new MutationError(`${at}.${op}: must be an object of path → value`)
  }
  for (const op of ['inc', 'dec'] as const) {
    for (const [path, n] of Object.entries(
      (spec[op] as Record<string, unknown> | undefined) ?? {},
    )) {
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw new MutationError(`${at}.${op}[${JSON.stringify(path)}]: must be a finite number`)
    }
  }
  for (const [path, p] of Object.entries(
    (spec.diffMatchPatch as Record<string, unknown> | undefined) ?? {},
  )) {
    if (typeof p !== 'string')
      throw new MutationError(
        `${at}.diffMatchPatch[${JSON.stringify(path)}]: must be a patch string`,
      )
  }
  if (
    spec.unset !== undefined &&
    (!Array.isArray(spec.unset) || spec.unset.some((p) => typeof p !== 'string'))
  ) {
    throw new MutationError(`${at}.unset: must be an array of paths`)
  }
  if (spec.insert !== undefined) {
    const insert = spec.insert
    if (!isPlainObject(insert)) throw new MutationError(`${at}.insert: must be an object`)
    const positions = ['before', 'after', 'replace'].filter((k) => insert[k] !== undefined)
    if (positions.length !== 1 || typeof insert[positions[0]!] !== 'string')
      throw new MutationError(`${at}.insert: needs exactly one of before, after, replace (a path)`)
    if (!Array.isArray(insert.items))
      throw new MutationError(`${at}.insert.items: must be an array`)
    const extra = Object.keys(insert).filter((k) => k !== positions[0] && k !== 'items')
    if (extra.length > 0)
      throw new MutationError(`${at}.insert: unknown field(s) ${extra.join(', ')}`)
  }
}

/** One operation of a patch on one path, as a patch of its own (`{id, set: {path: value}}`). */
export interface PatchStep {
  /** Where it is in the request, e.g. `set["body[0]"]`. */
  label: string
  path: string
  patch: Record<string, unknown>
}

/**
 * A patch as single-path steps, in the order @sanity/mutator applies its operations (setIfMissing,
 * set, unset, diffMatchPatch, inc, dec, insert): applying the steps one by one gives the same
 * document as applying the patch, and each step's paths can be checked against the document as
 * the steps before it left it.
 */
export function patchSteps(spec: Record<string, unknown>, id: string): PatchStep[] {
  const steps: PatchStep[] = []
  for (const op of ['setIfMissing', 'set'] as const)
    for (const [path, value] of Object.entries((spec[op] as Record<string, unknown>) ?? {}))
      steps.push({
        label: `${op}[${JSON.stringify(path)}]`,
        path,
        patch: {id, [op]: {[path]: value}},
      })
  for (const path of (spec.unset as string[] | undefined) ?? [])
    steps.push({label: `unset[${JSON.stringify(path)}]`, path, patch: {id, unset: [path]}})
  for (const op of ['diffMatchPatch', 'inc', 'dec'] as const)
    for (const [path, value] of Object.entries((spec[op] as Record<string, unknown>) ?? {}))
      steps.push({
        label: `${op}[${JSON.stringify(path)}]`,
        path,
        patch: {id, [op]: {[path]: value}},
      })
  const insert = spec.insert as Record<string, unknown> | undefined
  if (insert) {
    const position = ['before', 'after', 'replace'].find((k) => insert[k] !== undefined)!
    steps.push({label: `insert.${position}`, path: insert[position] as string, patch: {id, insert}})
  }
  return steps
}
