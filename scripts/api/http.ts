/**
 * HTTP plumbing shared by every route: errors with a status code, JSON/NDJSON replies in the
 * shape @sanity/client reads, and request bodies with a size limit. Works for both
 * node:http and node:http2's compatibility API (the TLS server speaks HTTP/2).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {constants, type Http2ServerRequest, type Http2ServerResponse} from 'node:http2'
import {MAX_DEPTH, nestsDeeperThan} from '../store/limits.ts'

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

/**
 * Request bodies nest at most this deep: a document at MAX_DEPTH inside the deepest envelope a
 * request wraps one in (`{"mutations": [{"patch": {"set": {"path": value}}}]}`: five levels).
 * Deeper JSON parses, but everything that walks it recursively (JSON.stringify, structured clone,
 * GROQ) overflows its stack: a 400 here instead of a 500 somewhere downstream.
 */
export const MAX_BODY_DEPTH = MAX_DEPTH + 8

/** A body that stops arriving for this long is answered 408, as is one still arriving after BODY_TIMEOUT_MS. */
export const BODY_IDLE_MS = 30_000
export const BODY_TIMEOUT_MS = 120_000

/**
 * After an early answer (a 413, a 401 to a POST), the rest of the body is read and dropped, up to
 * this many bytes or this long: a client that sends its whole body before reading (curl, most
 * upload code) would otherwise block on a full socket and lose the answer to a connection reset.
 */
export const DRAIN_BYTES = 4 * MAX_BODY_BYTES
export const DRAIN_MS = 10_000

const tooLarge = (limit: number) =>
  new HttpError(413, `Request body larger than ${limit} bytes`, 'payloadTooLarge')

/**
 * The body as text. Refused with a 413 as soon as the declared Content-Length or the bytes so far
 * pass `limit`; what is left unread is drained by the server after it answers (drainRest).
 */
export function readBody(req: Req, limit = MAX_BODY_BYTES): Promise<string> {
  if (Number(header(req, 'content-length')) > limit) return Promise.reject(tooLarge(limit))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const timeout = (what: string) => () =>
      fail(new HttpError(408, `Request body ${what}`, 'requestTimeout'))
    const idle = setTimeout(timeout(`stalled for ${BODY_IDLE_MS} ms`), BODY_IDLE_MS)
    const deadline = setTimeout(
      timeout(`not received within ${BODY_TIMEOUT_MS} ms`),
      BODY_TIMEOUT_MS,
    )
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += buf.length
      if (size > limit) return fail(tooLarge(limit))
      chunks.push(buf)
      idle.refresh()
    }
    const onEnd = () => {
      const text = Buffer.concat(chunks).toString('utf8')
      stop()
      resolve(text)
    }
    const onAbort = () => fail(new HttpError(400, 'Request body ended early', 'badRequest'))
    function stop() {
      clearTimeout(idle)
      clearTimeout(deadline)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('close', onAbort)
      req.off('error', onAbort)
      chunks.length = 0
    }
    function fail(e: HttpError) {
      stop()
      reject(e)
    }
    req.on('data', onData)
    req.once('end', onEnd)
    req.once('close', onAbort)
    req.once('error', onAbort)
  })
}

/**
 * Read and drop what is left of a request's body once it has been answered (see DRAIN_BYTES);
 * past the bound the HTTP/1 connection or the HTTP/2 stream is closed.
 */
export function drainRest(req: Req): void {
  if (req.complete || req.destroyed) return
  let left = DRAIN_BYTES
  const cut = () => {
    clearTimeout(timer)
    req.off('data', count)
    if ('stream' in req) req.stream.close(constants.NGHTTP2_CANCEL)
    else req.socket.destroy()
  }
  const count = (chunk: Buffer | string) => {
    left -= chunk.length
    if (left < 0) cut()
  }
  const timer = setTimeout(cut, DRAIN_MS)
  timer.unref()
  req.once('end', () => clearTimeout(timer))
  req.once('close', () => clearTimeout(timer))
  req.on('data', count)
  req.resume()
}

/** Parse a JSON body; an empty body is `undefined`, malformed or too deeply nested JSON is a 400. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (e) {
    throw new HttpError(
      400,
      `Request body is not valid JSON: ${(e as Error).message}`,
      'invalidJson',
    )
  }
  if (nestsDeeperThan(value, MAX_BODY_DEPTH))
    throw new HttpError(
      400,
      `Request body nested more than ${MAX_BODY_DEPTH} levels deep`,
      'invalidJson',
    )
  return value
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
