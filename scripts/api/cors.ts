/**
 * CORS and Host checks. The Studio (another origin: `https://localhost:PORT` calling
 * `https://local.localhost:PORT`) sends a preflight for every distinct URL because of its
 * `Authorization` and `x-sanity-app` headers. Only the Studio's own origins are echoed back —
 * never `*`, since responses are credentialed. A request from any other origin is refused
 * outright, which also stops other web pages from using an editor's browser against the API.
 */
import {header, hostName, type Req, type Res} from './http.ts'

export interface CorsPolicy {
  allowedOrigins: ReadonlySet<string>
}

export function corsPolicy(origins: Iterable<string>): CorsPolicy {
  return {allowedOrigins: new Set([...origins].map((o) => o.replace(/\/+$/, '').toLowerCase()))}
}

/** Origins the local Studio uses: served by the API itself, or `sanity dev` on its default port. */
export function studioOrigins(httpsPort: number): string[] {
  return [
    `https://localhost:${httpsPort}`,
    `https://127.0.0.1:${httpsPort}`,
    'http://localhost:3333',
    'http://127.0.0.1:3333',
  ]
}

export type CorsVerdict = 'no-origin' | 'allowed' | 'refused'

export function checkOrigin(policy: CorsPolicy, req: Req): CorsVerdict {
  const origin = header(req, 'origin')
  if (origin === undefined || origin === '') return 'no-origin'
  return policy.allowedOrigins.has(origin.toLowerCase()) ? 'allowed' : 'refused'
}

/** Headers for an allowed cross-origin request. */
export function applyCorsHeaders(req: Req, res: Res): void {
  const origin = header(req, 'origin')
  if (!origin) return
  res.setHeader('access-control-allow-origin', origin)
  res.setHeader('access-control-allow-credentials', 'true')
  res.setHeader('vary', 'Origin')
  res.setHeader(
    'access-control-expose-headers',
    'Content-Type, X-Sanity-Shard, X-Sanity-Deprecated, X-Sanity-Warning',
  )
}

/** Answer a preflight for an allowed origin (204, requested headers echoed). */
export function answerPreflight(req: Req, res: Res): void {
  applyCorsHeaders(req, res)
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS')
  res.setHeader(
    'access-control-allow-headers',
    header(req, 'access-control-request-headers') ?? 'Authorization, Content-Type',
  )
  res.setHeader('access-control-max-age', '600')
  ;(res as {writeHead(status: number): unknown}).writeHead(204)
  res.end()
}

/**
 * Loopback names only. The server listens on 127.0.0.1, but a DNS-rebinding page could still
 * reach it under a foreign host name; refusing foreign Host headers closes that door.
 */
export function hostAllowed(req: Req): boolean {
  const host = hostName(req)
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]'
  )
}
