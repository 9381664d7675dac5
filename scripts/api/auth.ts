/**
 * The local API's single credential: a random token per dataset, kept in a file beside the
 * dataset (`<dataset>.token`, mode 0600) so the Studio login link and scripts keep working
 * across restarts. Requests prove themselves with `Authorization: Bearer <token>`, exactly as
 * with a Sanity API token. The token is never logged.
 */
import {randomBytes, timingSafeEqual} from 'node:crypto'
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import type {ApiUser} from './types.ts'
import {header, HttpError, type Req} from './http.ts'

/** The Studio's `#token=` login only accepts 32+ characters; 32 random bytes give 43. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,}$/

export const LOCAL_USER: ApiUser = {
  id: 'p-local-editor',
  name: 'Local editor',
  email: 'editor@localhost',
}

export const newToken = (): string => randomBytes(32).toString('base64url')

export const tokenFileFor = (datasetPath: string): string => `${datasetPath}.token`

/**
 * Read the dataset's token, creating it on first use. A token file that others can read is
 * tightened to 0600 rather than trusted as is.
 */
export function loadOrCreateToken(datasetPath: string): string {
  const file = tokenFileFor(datasetPath)
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
    const token = readFileSync(file, 'utf8').trim()
    if (TOKEN_PATTERN.test(token)) return token
  }
  const token = newToken()
  // Create with 0600 from the start (no window where the file is world-readable), then rename into place.
  const tmp = `${file}.${process.pid}.tmp`
  // 'wx' (O_EXCL): a leftover or planted file (or symlink) at that name is never written through;
  // its mode would be kept, and a symlink would send the token elsewhere.
  rmSync(tmp, {force: true})
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, `${token}\n`)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  return token
}

/**
 * `text` with every occurrence of the token replaced: for log lines and error bodies, which echo
 * request paths and queries — where a token pasted by mistake would otherwise come back out.
 */
export function redactToken(text: string, token: string): string {
  return token !== '' && text.includes(token) ? text.split(token).join('[token]') : text
}

/** The bearer token a request carries, if any. */
function bearerToken(req: Req): string | undefined {
  const auth = header(req, 'authorization')
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null
  return m?.[1]
}

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Whether a request holds the dataset's token. A credential that is sent but is not the token is
 * refused with Content Lake's answer (401, "Session not found") on every route, read or write:
 * answered as anonymous instead, a script with a stale or mistyped token would quietly read
 * published content only and never learn why.
 */
export function authenticate(req: Req, token: string): boolean {
  if (header(req, 'authorization') === undefined) return false
  if (tokenMatches(bearerToken(req), token)) return true
  throw new HttpError(401, 'Session not found', 'unauthorized', {errorCode: 'SIO-401-ANF'})
}
