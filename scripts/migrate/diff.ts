/**
 * Field-level differences between two versions of a document, for the dry run's per-document
 * report: `summary: (missing) → "…"`. Pure. Arrays whose items all carry `_key` are compared by
 * key (`body[_key=="b1"].children`), others by index; system fields are ignored.
 */
import {canonicalJson} from '../lib/hash.ts'
import type {FieldChange} from './types.ts'

// `_id` never changes; a created document is reported field by field, without it.
const SYSTEM = new Set(['_id', '_rev', '_createdAt', '_updatedAt'])

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
const same = (a: unknown, b: unknown) => a === b || canonicalJson(a) === canonicalJson(b)
const keyed = (items: unknown[]) => items.every((i) => isObject(i) && typeof i._key === 'string')

/** Every changed leaf (or whole value, where the shape itself changed) between `before` and `after`. */
export function diffDocuments(before: Json | undefined, after: Json | undefined): FieldChange[] {
  const out: FieldChange[] = []
  const strip = (d: Json | undefined) =>
    d ? Object.fromEntries(Object.entries(d).filter(([k]) => !SYSTEM.has(k))) : undefined
  diffObjects(strip(before) ?? {}, strip(after) ?? {}, '', out)
  return out
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key
}

function change(path: string, before: unknown, after: unknown): FieldChange {
  const c: FieldChange = {path}
  if (before !== undefined) c.before = before
  if (after !== undefined) c.after = after
  return c
}

function diffValues(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (same(a, b)) return
  if (isObject(a) && isObject(b)) return diffObjects(a, b, path, out)
  if (Array.isArray(a) && Array.isArray(b)) return diffArrays(a, b, path, out)
  out.push(change(path, a, b))
}

function diffObjects(a: Json, b: Json, path: string, out: FieldChange[]): void {
  const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))]
  for (const k of keys) diffValues(a[k], b[k], join(path, k), out)
}

function diffArrays(a: unknown[], b: unknown[], path: string, out: FieldChange[]): void {
  if (keyed(a) && keyed(b)) {
    const byKey = (items: unknown[]) => new Map(items.map((i) => [(i as {_key: string})._key, i]))
    const ka = byKey(a)
    const kb = byKey(b)
    const order = [...a, ...b.filter((i) => !ka.has((i as {_key: string})._key))].map(
      (i) => (i as {_key: string})._key,
    )
    if (
      order.filter((k) => ka.has(k) && kb.has(k)).join('\u0000') !==
      b
        .map((i) => (i as {_key: string})._key)
        .filter((k) => ka.has(k))
        .join('\u0000')
    ) {
      // Items moved: a per-item list would not say so.
      out.push(change(path, a, b))
      return
    }
    for (const k of order) diffValues(ka.get(k), kb.get(k), `${path}[_key=="${k}"]`, out)
    return
  }
  if (a.length !== b.length) {
    out.push(change(path, a, b))
    return
  }
  a.forEach((item, i) => diffValues(item, b[i], `${path}[${i}]`, out))
}
