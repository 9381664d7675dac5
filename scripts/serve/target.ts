/**
 * A request target (`/feeds/rss.xml?access_token=…`) → the output path it names and its query. Each
 * segment is percent-decoded on its own, so an encoded `/` (`%2f`), `\`, NUL or `..` is content of
 * one segment, never structure, and is then refused. Refused paths (traversal, empty segments as
 * in `//etc/passwd`, dotfiles, a folder with its trailing `/`, the absolute form `http://h/x`)
 * name nothing: the server answers 404 for them, as for a missing file. No I/O.
 */
import {isSafeRelativePath} from '../feeds/outputPaths.ts'

/** Bad percent-encoding: the only request target that is a 400 rather than a 404. */
export class MalformedTargetError extends Error {
  readonly statusCode = 400
  static is(e: unknown): e is MalformedTargetError {
    return e instanceof MalformedTargetError
  }
}

export interface RequestTarget {
  /** The output path (`feeds/rss.xml`); undefined when the target can name no file (404). */
  path: string | undefined
  query: URLSearchParams
}

/** Control characters, and the separators that must never come out of one decoded segment. */
function hasForbidden(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i)
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return true
  }
  return false
}

/** A request target's path without its query: what a request log may show. */
export const pathOfTarget = (target: string): string => {
  const q = target.indexOf('?')
  return q === -1 ? target : target.slice(0, q)
}

/** Parse a request target; throws MalformedTargetError on bad percent-encoding. */
export function parseTarget(target: string): RequestTarget {
  const q = target.indexOf('?')
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1))
  const rawPath = q === -1 ? target : target.slice(0, q)
  if (!rawPath.startsWith('/')) return {path: undefined, query}
  const segments: string[] = []
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      throw new MalformedTargetError('bad percent-encoding in the request path')
    }
    if (segment === '' || segment.startsWith('.') || hasForbidden(segment))
      return {path: undefined, query}
    segments.push(segment)
  }
  const path = segments.join('/')
  return {path: isSafeRelativePath(path) ? path : undefined, query}
}
