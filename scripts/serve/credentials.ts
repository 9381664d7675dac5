/**
 * Partner credentials, kept beside the dataset (`<dataset>-partner-credentials.json`, 0600), never
 * in a document: each partner's token as a sha256 only (tokens are 256 random bits, so a fast
 * hash is enough), and its webhook signing secret (`whsec_…`, Standard Webhooks), which the
 * pusher needs in full to sign. A token is shown once, when it is made; nothing here can show it
 * again.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'

export interface PartnerCredential {
  /** sha256 (hex) of the partner's current token. */
  tokenSha256?: string
  tokenSetAt?: string
  /** The Standard Webhooks signing secret, `whsec_<base64>`. */
  webhookSecret?: string
  secretSetAt?: string
}

export interface Credentials {
  version: 1
  partners: Record<string, PartnerCredential>
}

export const credentialsPath = (datasetPath: string): string =>
  `${datasetPath}-partner-credentials.json`

const empty = (): Credentials => ({version: 1, partners: {}})

/** The credentials file; none yet is no credentials. A damaged file is an error, never "empty". */
export function loadCredentials(path: string): Credentials {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty()
    throw e
  }
  let value: Partial<Credentials> | null
  try {
    value = JSON.parse(text) as Partial<Credentials> | null
  } catch {
    // Never the parser's message: it quotes the file, and the file holds webhook secrets.
    value = null
  }
  if (value?.version !== 1 || typeof value.partners !== 'object' || value.partners === null)
    throw new Error(`${path}: not a partner credentials file (version 1 JSON)`)
  return {version: 1, partners: {...value.partners}}
}

/** Write atomically (temp file, rename), readable by its owner only. */
export function saveCredentials(path: string, credentials: Credentials): void {
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, {mode: 0o600})
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex')

/** A new partner token: 256 random bits, URL-safe (it also travels as `?access_token=`). */
export const newToken = (): string => `skp_${randomBytes(32).toString('base64url')}`

/** A new Standard Webhooks signing secret: `whsec_` + 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

/** Whether `token` is `partner`'s current token (constant-time on the hashes). */
export function tokenMatches(credentials: Credentials, partner: string, token: string): boolean {
  const stored = Object.hasOwn(credentials.partners, partner)
    ? credentials.partners[partner]!.tokenSha256
    : undefined
  if (!stored) return false
  const a = Buffer.from(hashToken(token), 'hex')
  const b = Buffer.from(stored, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
