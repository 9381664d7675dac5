/**
 * Which representation of a file a request gets (identity, gzip or br) and its validators. A
 * compressed response is a different representation, so it carries its own strong ETag: the
 * file's tag with `-gzip` or `-br` inside the quotes. If-None-Match accepts any of a file's tags
 * (a cache revalidating a stored gzip copy sends that copy's tag) and takes precedence over
 * If-Modified-Since (RFC 9110 §13.2.2). No I/O.
 */
import {strongEtag} from './rules.ts'

export type Coding = 'br' | 'gzip'

/** Below this size a compressed body saves nothing worth a zlib run (@fastify/compress's default). */
export const MIN_COMPRESS_BYTES = 1024

/** br first on equal preference: smaller for the same text. */
const CODINGS: readonly Coding[] = ['br', 'gzip']

const COMPRESSIBLE = /^(?:text\/|application\/(?:[\w.-]+\+)?(?:json|xml)\b)/

/** Whether files of this media type may be sent compressed (the output's text formats). */
export const isCompressible = (mediaType: string): boolean => COMPRESSIBLE.test(mediaType)

/** The coding an `Accept-Encoding` header prefers among br and gzip (RFC 9110 §12.5.3), if any. */
export function negotiateCoding(acceptEncoding: string | undefined): Coding | undefined {
  if (!acceptEncoding) return undefined
  const q = new Map<string, number>()
  for (const item of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = item.split(';').map((s) => s.trim())
    if (!name) continue
    const qParam = params.find((p) => p.startsWith('q='))
    const value = qParam === undefined ? 1 : Number(qParam.slice(2))
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) ? value : 0)
  }
  let best: Coding | undefined
  let bestQ = 0
  for (const coding of CODINGS) {
    const value = q.get(coding) ?? q.get('*') ?? 0
    if (value > bestQ) [best, bestQ] = [coding, value]
  }
  return best
}

/** The strong ETag of one representation of a file with this sha256. */
export function etagOf(sha256: string, coding: Coding | undefined): string {
  const tag = strongEtag(sha256)
  return coding ? `${tag.slice(0, -1)}-${coding}"` : tag
}

/** Whether an If-None-Match list names any representation of the file (weak comparison, `*`). */
export function matchesIfNoneMatch(header: string, sha256: string): boolean {
  const tags = new Set([etagOf(sha256, undefined), ...CODINGS.map((c) => etagOf(sha256, c))])
  for (const raw of header.split(',')) {
    const tag = raw.trim()
    if (tag === '*' || tags.has(tag.startsWith('W/') ? tag.slice(2) : tag)) return true
  }
  return false
}

/** Whether a GET or HEAD with these headers gets a 304 for a file with this digest and mtime. */
export function isNotModified(
  headers: {'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined},
  sha256: string,
  mtimeMs: number,
): boolean {
  const ifNoneMatch = headers['if-none-match']
  if (ifNoneMatch !== undefined) return matchesIfNoneMatch(ifNoneMatch, sha256)
  const since = headers['if-modified-since']
  if (since === undefined) return false
  const sinceMs = Date.parse(since)
  // HTTP dates have whole seconds; a file modified within the same second is not newer.
  return Number.isFinite(sinceMs) && Math.floor(mtimeMs / 1000) * 1000 <= sinceMs
}
