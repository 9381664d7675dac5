/**
 * Partners as `npm run partner` sees them: the dataset's published `partner` documents joined
 * with the credentials file beside the dataset (scripts/serve/credentials.ts). Making a token or
 * a webhook secret returns it once and stores the token's hash only; listing tells whether each
 * is set, never what it is.
 */
import {existsSync} from 'node:fs'
import {PipelineError, UsageError} from '../lib/errors.ts'
import {
  hashToken,
  loadCredentials,
  newToken,
  newWebhookSecret,
  saveCredentials,
  type PartnerCredential,
} from '../serve/credentials.ts'
import {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {isDraftId, isPublishedContentId} from '../store/ids.ts'

/** A name with no published partner document. */
export class PartnerNotFoundError extends PipelineError {
  override readonly code = 'PARTNER_NOT_FOUND'
}

export interface PartnerDocument {
  name: string
  title: string | undefined
  /** Absent in the document = enabled. */
  enabled: boolean
  notifyUrl: string | undefined
}

export interface PartnerStatus {
  name: string
  title: string | undefined
  enabled: boolean
  notifyUrl: string | undefined
  /** False for credentials whose partner document is gone (they open nothing that is exported). */
  document: boolean
  tokenSet: boolean
  webhookSecretSet: boolean
}

interface RawPartner {
  _id: string
  title?: unknown
  name?: {current?: unknown}
  enabled?: unknown
  notifyUrl?: unknown
}

/** What the partner tools read of a `partner` document; undefined without a name. */
export function partnerDocument(doc: StoredDocument): PartnerDocument | undefined {
  const raw = doc as RawPartner
  const name = raw.name?.current
  if (typeof name !== 'string' || name === '') return undefined
  return {
    name,
    title: typeof raw.title === 'string' ? raw.title : undefined,
    enabled: raw.enabled !== false,
    notifyUrl: typeof raw.notifyUrl === 'string' ? raw.notifyUrl : undefined,
  }
}

/** Published and draft partner documents of a dataset file, by name. */
function readPartners(datasetPath: string) {
  if (!existsSync(datasetPath))
    throw new UsageError(`dataset not found: ${datasetPath} (run \`npm run import\` first)`)
  const ds = Dataset.open(datasetPath)
  try {
    const published = new Map<string, PartnerDocument>()
    const drafts = new Set<string>()
    for (const doc of ds.documents({types: ['partner']})) {
      const partner = partnerDocument(doc)
      if (!partner) continue
      if (isDraftId(doc._id)) drafts.add(partner.name)
      if (isPublishedContentId(doc._id)) published.set(partner.name, partner)
    }
    return {published, drafts}
  } finally {
    ds.close()
  }
}

/** The published partner document named `name`, or a PartnerNotFoundError saying what exists. */
export function findPartner(datasetPath: string, name: string): PartnerDocument {
  const {published, drafts} = readPartners(datasetPath)
  const found = published.get(name)
  if (found) return found
  if (drafts.has(name))
    throw new PartnerNotFoundError(
      `partner "${name}" exists only as a draft in ${datasetPath}: publish it first`,
    )
  const known = [...published.keys()].sort()
  throw new PartnerNotFoundError(
    `no published partner document named "${name}" in ${datasetPath} (${known.length ? `partners: ${known.join(', ')}` : 'there are none yet'})`,
  )
}

/** Every partner document, then credentials left by deleted partners, each by name. */
export function partnerStatuses(datasetPath: string, credentialsFile: string): PartnerStatus[] {
  const {published} = readPartners(datasetPath)
  const credentials = loadCredentials(credentialsFile)
  const names = new Set([...published.keys(), ...Object.keys(credentials.partners)])
  return [...names].sort().map((name) => {
    const doc = published.get(name)
    const held = Object.hasOwn(credentials.partners, name) ? credentials.partners[name] : undefined
    return {
      name,
      title: doc?.title,
      enabled: doc?.enabled ?? false,
      notifyUrl: doc?.notifyUrl,
      document: doc !== undefined,
      tokenSet: Boolean(held?.tokenSha256),
      webhookSecretSet: Boolean(held?.webhookSecret),
    }
  })
}

/** Change one partner's entry in the credentials file; returns the entry as it was. */
function updatePartner(
  credentialsFile: string,
  name: string,
  change: (held: PartnerCredential) => PartnerCredential,
): PartnerCredential {
  const credentials = loadCredentials(credentialsFile)
  const held = Object.hasOwn(credentials.partners, name) ? credentials.partners[name]! : {}
  credentials.partners[name] = change(held)
  saveCredentials(credentialsFile, credentials)
  return held
}

/** Make (or replace) a partner's token: returned once, stored as its sha256 only. */
export function rotateToken(credentialsFile: string, name: string, now = new Date()) {
  const token = newToken()
  const before = updatePartner(credentialsFile, name, (held) => ({
    ...held,
    tokenSha256: hashToken(token),
    tokenSetAt: now.toISOString(),
  }))
  return {token, rotated: Boolean(before.tokenSha256)}
}

/** Make (or replace) a partner's webhook signing secret (`whsec_…`), returned once. */
export function rotateWebhookSecret(credentialsFile: string, name: string, now = new Date()) {
  const secret = newWebhookSecret()
  const before = updatePartner(credentialsFile, name, (held) => ({
    ...held,
    webhookSecret: secret,
    secretSetAt: now.toISOString(),
  }))
  return {secret, rotated: Boolean(before.webhookSecret)}
}
