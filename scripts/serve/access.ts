/**
 * Who may read an output path, for the file route and for nginx's auth_request alike. Everything
 * is public except `partners/…`: no token there is `unauthenticated` (401); a token that is not
 * the current token of the partner whose folder it is — another partner's, an old one, an
 * unknown one — is `denied`, answered exactly like a missing file (404), so a response never
 * tells which partners exist. Credentials are re-read when their file changes: a stat at most
 * every RECHECK_MS, so `npm run partner -- token <name>` takes effect on a running server.
 */
import {statSync} from 'node:fs'
import {loadCredentials, tokenMatches, type Credentials} from './credentials.ts'
import {partnerOfPath} from './rules.ts'

export type Access = 'public' | 'granted' | 'unauthenticated' | 'denied'

/** How stale the credentials may be, at most. */
export const RECHECK_MS = 500

/** Under `partners/` (any case: a case-insensitive disk must not open a partner folder publicly). */
const isPartnerArea = (path: string): boolean => path.split('/', 1)[0]!.toLowerCase() === 'partners'

export function accessOf(
  path: string,
  token: string | undefined,
  credentials: Credentials,
): Access {
  if (!isPartnerArea(path)) return 'public'
  if (token === undefined) return 'unauthenticated'
  const partner = partnerOfPath(path)
  return partner !== undefined && tokenMatches(credentials, partner, token) ? 'granted' : 'denied'
}

/** The credentials file, re-read when its identity changes; a damaged file grants nothing. */
export class CredentialsWatch {
  private readonly path: string
  private readonly onError: (message: string) => void
  private credentials: Credentials = {version: 1, partners: {}}
  private identity: string | undefined = 'unread'
  private checkedAt = -Infinity

  constructor(path: string, onError: (message: string) => void = () => {}) {
    this.path = path
    this.onError = onError
  }

  current(now = Date.now()): Credentials {
    if (now - this.checkedAt < RECHECK_MS) return this.credentials
    this.checkedAt = now
    const identity = this.fileIdentity()
    if (identity === this.identity) return this.credentials
    this.identity = identity
    try {
      this.credentials = loadCredentials(this.path)
    } catch (e) {
      // Fail closed: a file that cannot be read revokes every token until it is fixed.
      this.credentials = {version: 1, partners: {}}
      this.onError(`partner credentials unreadable, no partner token accepted: ${errorText(e)}`)
    }
    return this.credentials
  }

  private fileIdentity(): string | undefined {
    try {
      const s = statSync(this.path)
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`
    } catch {
      return undefined
    }
  }
}

/** An error's message without its content: JSON.parse errors may quote the file, hashes included. */
const errorText = (e: unknown): string =>
  e instanceof SyntaxError ? 'not valid JSON' : ((e as Error)?.message ?? String(e))
