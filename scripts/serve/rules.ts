/**
 * How the output folder is served: media types, caching, validators and who may read what. One
 * definition for the Node feed server (server.ts) and the nginx configuration (nginx.ts), so the
 * two serve the same folder the same way. No I/O.
 *
 * - Everything is public except `partners/<name>/`, which needs that partner's token: an
 *   `Authorization: Bearer <token>` header, or, for feed readers that cannot set headers, the
 *   same token as an `access_token` query parameter (RFC 6750 §2.3), e.g.
 *   `/partners/clinic-network/rss.xml?access_token=…`. Neither is ever logged.
 * - ETags are strong: the file's sha256 (the manifest's), so the same bytes always carry the same
 *   tag, whichever server or publish wrote them.
 */
import {FORMATS} from '../feeds/formats.ts'

/** The query parameter that carries a partner token on a secret URL (RFC 6750 §2.3). */
export const TOKEN_PARAM = 'access_token'

/** The Node server's auth check for nginx's `auth_request` (answers 204, 401 or 403, no body). */
export const AUTH_PATH = '/_partner-auth'

const BY_FILE_NAME = new Map<string, string>(
  Object.values(FORMATS).map(({file, mediaType}) => [file, mediaType]),
)

const BY_EXTENSION: Record<string, string> = {
  json: 'application/json',
  xml: 'application/xml',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
}

/** Text types that carry their charset in the type itself (JSON is UTF-8 by definition). */
const withCharset = (type: string) =>
  type.endsWith('+xml') || type === 'application/xml' ? `${type}; charset=utf-8` : type

/** The Content-Type of an output path (`feeds/rss.xml` → `application/rss+xml; charset=utf-8`). */
export function mediaTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const byName = BY_FILE_NAME.get(name)
  if (byName) return withCharset(byName)
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : ''
  return withCharset(BY_EXTENSION[ext] ?? 'application/octet-stream')
}

/** Every media type the output uses, by extension and by format file name (for nginx's `types`). */
export const MEDIA_TYPES = {byFileName: BY_FILE_NAME, byExtension: BY_EXTENSION, withCharset}

/** The partner whose folder a path is in (`partners/<name>/…`), else undefined (public). */
export function partnerOfPath(path: string): string | undefined {
  const m = /^partners\/([^/]+)\//.exec(path)
  return m?.[1]
}

/**
 * Cache-Control by path prefix, first match wins (the last entry matches every path). Readers
 * revalidate feeds and pages often (a publish reaches them within a minute; the 304 is cheap);
 * schemas change only with a release. Partner files are `private`: a shared cache must never hand
 * one partner's file to a request without its token.
 */
export const CACHE_CONTROL: ReadonlyArray<{prefix: string; value: string}> = [
  {prefix: 'partners/', value: 'private, no-cache'},
  {prefix: 'schemas/', value: 'public, max-age=3600'},
  {prefix: '', value: 'public, max-age=60, must-revalidate'},
]

/** The Cache-Control of an output path. */
export const cacheControlOf = (path: string): string =>
  CACHE_CONTROL.find((c) => path.startsWith(c.prefix))!.value

/** The strong ETag of a file from its sha256 (hex): the same bytes, the same tag. */
export const strongEtag = (sha256Hex: string): string => `"${sha256Hex.slice(0, 32)}"`

/** The token a request carries: the Bearer header first, else the secret URL's parameter. */
export function requestToken(
  authorization: string | undefined,
  query: URLSearchParams,
): string | undefined {
  const m = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i.exec(authorization ?? '')
  if (m) return m[1]
  return query.get(TOKEN_PARAM) ?? undefined
}
