/** Content hashes and deterministic keys. */
import {createHash} from 'node:crypto'

export const sha256 = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex')

/** A 12-character key that depends only on its parts (Sanity `_key`s must be unique within an array). */
export const stableKey = (...parts: string[]): string =>
  createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 12)

/** Stable JSON: object keys sorted, so equal content always hashes equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  )
}
