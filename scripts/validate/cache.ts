/**
 * The validation cache: each document's Studio-rule problems from the last run, reused when
 * nothing they depended on changed. What a document's markers can depend on, and how each is
 * checked again:
 * - its own content: a hash of the document's JSON;
 * - which of the documents it references exist (Sanity's reference rule asks only that): the
 *   set of its `_ref`s that did not exist, compared with the set now;
 * - whether its slug is unique (Sanity's slug rule queries the dataset): every answer the rule
 *   got, asked again against the current documents;
 * - the rules themselves: a fingerprint of schemas/, sanity.config.ts, this folder and the
 *   installed sanity version — any change empties the cache.
 * A rule that queried anything else makes the whole run uncacheable (its answer could depend on
 * any document). The file lives next to the dataset (`<dataset>-validation-cache.json`, ignored
 * by git with the dataset), never in the repository.
 */
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Problem} from '../lib/errors.ts'
import {reviewCutoff} from '../../schemas/rules/review.ts'
import {ROOT} from '../lib/paths.ts'
import type {StoredDocument} from '../store/types.ts'
import type {SlugAnswer} from './studioClient.ts'

export const VALIDATION_CACHE_VERSION = 1

export interface CachedResult {
  hash: string
  /** References that did not exist when it was validated, sorted. */
  missing: string[]
  slugs: SlugAnswer[]
  problems: Problem[]
}

/** Where a dataset file's validation cache lives. */
export const validationCachePath = (datasetPath: string): string =>
  `${datasetPath}-validation-cache.json`

/** A document's content hash (its stored JSON). */
export const documentHash = (doc: StoredDocument): string =>
  createHash('sha1').update(JSON.stringify(doc)).digest('base64')

/** Every `_ref` in a document, at any depth, sorted and once each. */
export function referencesOf(doc: unknown): string[] {
  const refs = new Set<string>()
  const stack: unknown[] = [doc]
  while (stack.length) {
    const v = stack.pop()
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x)
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '_ref' && typeof x === 'string') refs.add(x)
        else if (x !== null && typeof x === 'object') stack.push(x)
      }
    }
  }
  return [...refs].sort()
}

let rules: string | undefined

/** Fingerprint of everything that decides what the rules say. */
export function rulesFingerprint(): string {
  if (rules) return rules
  const hash = createHash('sha256').update(String(VALIDATION_CACHE_VERSION))
  const add = (rel: string) =>
    hash
      .update(rel)
      .update('\u0000')
      .update(readFileSync(join(ROOT, rel)))
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), {withFileTypes: true}).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`)
      else if (/\.(ts|tsx|js|json)$/.test(e.name)) add(`${dir}/${e.name}`)
    }
  }
  walk('schemas')
  walk('scripts/validate')
  add('sanity.config.ts')
  // A review expires with time and with the review period, not with the document: results are
  // reused within one day at one period only (reviewCutoff changes with both).
  hash.update(`\u0000review:${reviewCutoff(new Date().toISOString())}`)
  const sanityPackage = join(ROOT, 'node_modules', 'sanity', 'package.json')
  if (existsSync(sanityPackage))
    hash.update((JSON.parse(readFileSync(sanityPackage, 'utf8')) as {version: string}).version)
  rules = hash.digest('hex')
  return rules
}

/** The cached results, or an empty map when there is no cache or it was made by other rules. */
export function loadValidationCache(path: string): Map<string, CachedResult> {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as {
      version?: unknown
      rules?: unknown
      entries?: Record<string, CachedResult>
    }
    if (
      file.version !== VALIDATION_CACHE_VERSION ||
      file.rules !== rulesFingerprint() ||
      !file.entries
    )
      return new Map()
    return new Map(Object.entries(file.entries))
  } catch {
    return new Map()
  }
}

/** Write the cache atomically (temp file, rename); `undefined` removes it. */
export function saveValidationCache(
  path: string,
  entries: Map<string, CachedResult> | undefined,
): void {
  if (!entries) {
    rmSync(path, {force: true})
    return
  }
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(
      tmp,
      JSON.stringify({
        version: VALIDATION_CACHE_VERSION,
        rules: rulesFingerprint(),
        entries: Object.fromEntries(entries),
      }),
      // Results name drafts and their problems: as private as the dataset (lib/private.ts).
      {mode: 0o600},
    )
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}

/** Whether a cached result still holds for `doc`, given what exists now and the slug answers now. */
export function stillValid(
  entry: CachedResult | undefined,
  doc: StoredDocument,
  hash: string,
  exists: (id: string) => boolean,
  slugUnique: (answer: SlugAnswer) => boolean,
): entry is CachedResult {
  if (!entry || entry.hash !== hash) return false
  const missing = referencesOf(doc).filter((id) => !exists(id))
  if (missing.length !== entry.missing.length || missing.some((id, i) => id !== entry.missing[i]))
    return false
  return entry.slugs.every((a) => slugUnique(a) === a[2])
}

/**
 * The verdicts of the last validation of a dataset file, with the log position its documents were
 * read at (`<dataset>-validation-verdicts.json`, beside the cache). While the dataset's log still
 * ends there (same position, same transaction) and the rules are the same, nothing any verdict
 * depends on changed: a gate answers from it without reading a document (the usual `npm run
 * validate`, then `npm run export`; or two exports in a row).
 */
export interface VerdictSnapshot {
  /** The log position and transaction id the documents were read at. */
  seq: number
  tx: string
  /** `published`: only published documents were judged (the gate); `all`: drafts too. */
  scope: 'published' | 'all'
  /** Documents judged, and how many of them are published. */
  documents: number
  published: number
  problems: Problem[]
}

export const verdictsPath = (datasetPath: string): string =>
  `${datasetPath}-validation-verdicts.json`

/** The snapshot at `at`, when there is one for these rules covering `scope`. */
export function loadVerdicts(
  path: string,
  at: {seq: number; tx: string},
  scope: VerdictSnapshot['scope'],
): VerdictSnapshot | undefined {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<VerdictSnapshot> & {
      version?: unknown
      rules?: unknown
    }
    if (
      file.version !== VALIDATION_CACHE_VERSION ||
      file.rules !== rulesFingerprint() ||
      file.seq !== at.seq ||
      file.tx !== at.tx ||
      (scope === 'all' && file.scope !== 'all') ||
      !Array.isArray(file.problems)
    )
      return undefined
    return file as VerdictSnapshot
  } catch {
    return undefined
  }
}

/** Write a snapshot atomically (temp file, rename), as private as the dataset. */
export function saveVerdicts(path: string, snapshot: VerdictSnapshot): void {
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(
      tmp,
      JSON.stringify({version: VALIDATION_CACHE_VERSION, rules: rulesFingerprint(), ...snapshot}),
      {mode: 0o600},
    )
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}
