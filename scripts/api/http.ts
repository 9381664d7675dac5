/**
 * HTTP plumbing shared by every route: errors with a status code, JSON/NDJSON replies in the
 * shape @sanity/client reads, and request bodies with a size limit. Works for both
 * node:http and node:http2's compatibility API (the TLS server speaks HTTP/2).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2'

export type Req = IncomingMessage | Http2ServerRequest
export type Res = ServerResponse | Http2ServerResponse

/** Bodies above this are refused (413): the Studio's largest requests are a few hundred kB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024

/**
 * An error a route answers with. The body follows Content Lake: `error` is an object with
 * `description` and `type` (which @sanity/client turns into the message), plus `statusCode`.
 */
export class HttpError extends Error {
  readonly statusCode: number
  readonly type: string
  readonly details: Record<string, unknown>
  constructor(
    statusCode: number,
    message: string,
    type = 'httpError',
    details: Record<string, unknown> = {},
  ) {
    super(message)
    this.statusCode = statusCode
    this.type = type
    this.details = details
  }
  static is(e: unknown): e is HttpError {
    return e instanceof HttpError
  }
}

export function errorBody(
  statusCode: number,
  message: string,
  type: string,
  details: Record<string, unknown> = {},
) {
  return {statusCode, error: {description: message, type, ...details}, message}
}

export function sendJson(
  res: Res,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  writeHead(res, status, {'content-type': 'application/json; charset=utf-8', ...headers})
  res.end(text)
}

export function sendText(res: Res, status: number, body: string, contentType: string): void {
  writeHead(res, status, {'content-type': contentType})
  res.end(body)
}

export function sendError(res: Res, e: HttpError): void {
  sendJson(res, e.statusCode, errorBody(e.statusCode, e.message, e.type, e.details))
}

/** writeHead with lower-case names; HTTP/2 forbids connection-specific headers, so none are set. */
export function writeHead(res: Res, status: number, headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
  ;(res as ServerResponse).writeHead(status)
}

export async function readBody(req: Req, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += buf.length
    if (size > limit)
      throw new HttpError(413, `Request body larger than ${limit} bytes`, 'payloadTooLarge')
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Parse a JSON body; an empty body is `undefined`, malformed JSON is a 400. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new HttpError(
      400,
      `Request body is not valid JSON: ${(e as Error).message}`,
      'invalidJson',
    )
  }
}

/** `/v2025-02-19/data/query/x` → {apiVersion: '2025-02-19', path: '/data/query/x'}; unversioned paths are not API paths. */
export function splitApiVersion(pathname: string): {apiVersion: string; path: string} | undefined {
  const m = /^\/v(\d{4}-\d{2}-\d{2}|1|X)(\/.*)?$/.exec(pathname)
  if (!m) return undefined
  return {apiVersion: m[1]!, path: m[2] ?? '/'}
}

/** Request header as one string (HTTP/2 and HTTP/1 both lower-case names). */
export function header(req: Req, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** The Host (HTTP/1.1) or :authority (HTTP/2), without the port. */
export function hostName(req: Req): string {
  const host = header(req, 'host') ?? header(req, ':authority') ?? ''
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  return host.replace(/:\d+$/, '').toLowerCase()
}
