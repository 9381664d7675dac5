/**
 * `exportFeeds`: the I/O shell around the pure core. Read the published documents, build the
 * model and the partner profiles (from the published `partner` documents), render and validate
 * everything, then swap the new output directory into place. Any error leaves the previous output
 * untouched.
 *
 * With a dataset file, the export is incremental when it can be: an export cache next to the
 * dataset (`<dataset dir>/export-cache/`, one file per output folder) remembers what the last
 * export wrote, and the next one re-renders only the pages the changed documents affect, plus
 * the aggregate files (feeds, app bundle, manifest). The result is byte for byte a full export's.
 * Anything the cache cannot vouch for (other options, code, dataset, custom checks, errors in the
 * data) makes it a full export. See incremental/run.ts.
 */
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {REVIEW_MONTHS} from '../../schemas/rules/review.ts'
import {InputError, UsageError, type Problem} from '../lib/errors.ts'
import {remoteTargetFromEnv} from '../lib/env.ts'
import {sha256} from '../lib/hash.ts'
import {DEFAULT_DATASET, DEFAULT_OUT} from '../lib/paths.ts'
import {createLocalSource} from '../query/local.ts'
import {createRemoteSource} from '../query/remote.ts'
import {runQuery, type QuerySource} from '../query/source.ts'
import {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import type {BuildOptions} from './build.ts'
import {errorsOf, type ExportContext, type ExportSummary} from './context.ts'
import {expectedPagePaths} from './expectedPaths.ts'
import {fullExport} from './full.ts'
import {assertPublishable, publishGate, type GateOptions, type GateResult} from './gate.ts'
import {savePublishedState} from './publisherState.ts'
import {assertReplaceable, recoverInterruptedExport} from './leftovers.ts'
import {ExportCache} from './incremental/cache.ts'
import {incrementalExport} from './incremental/run.ts'
import {exportFingerprint} from './incremental/state.ts'
import {normalizeLimit} from './limits.ts'
import type {ModelOptions} from './model.ts'
import type {PartnerProfile} from './outputs/partnerProfile.ts'
import {readPartnerDocuments} from './partnerDocuments.ts'
import {profilesFromDocuments} from './partners.ts'
import {normalizeBaseUrl} from './urls.ts'
import type {WriteOptions} from './write.ts'

export {ExportValidationError} from './errors.ts'
export {ValidationGateError} from './gate.ts'
export type {ExportSummary} from './context.ts'

/** Placeholder frontend (RFC 2606 reserved name) until a real one is configured with --base-url. */
export const DEFAULT_BASE_URL = 'https://skincare.example'

export interface ExportFeedsOptions {
  /**
   * Where documents come from, first match wins: `source` (a query source from scripts/query,
   * local or remote), `documents` (in memory; drafts allowed, the 'published' perspective drops
   * them), `dataset` (an open Dataset, or a dataset file path). Default: .data/dataset.sqlite,
   * or the Sanity API the environment names (SANITY_PROJECT_ID).
   */
  source?: QuerySource
  documents?: readonly StoredDocument[]
  dataset?: string | Dataset
  /** Output directory, replaced as a whole (default dist/). */
  out?: string
  /** ISO date-time for feed-level dates; default: the newest date in the data. */
  now?: string
  /** Web frontend the pages and feeds link to (default DEFAULT_BASE_URL). */
  baseUrl?: string
  /** Where the output folder is served, for feeds' self links (default baseUrl). */
  feedsBaseUrl?: string
  site?: ModelOptions['site']
  /**
   * Partner profiles, as given (tests); default: one per enabled published `partner` document of
   * the same documents, each checked against the profile schema (InputError naming document and
   * field for every problem).
   */
  partners?: readonly PartnerProfile[]
  /** The day reviews are judged on (ISO date-time; default `now`, else today): expired after the review period. */
  reviewedAsOf?: string
  /** Items per syndication file (RSS, Atom, JSON Feed, partner files): newest first; 0 = all; default 50. */
  feedItems?: number
  /** Extra checks over the rendered files before writing (see BuildOptions); they make the export a full one. */
  checks?: BuildOptions['checks']
  /** false: always a full export (the cache is still refreshed). Default true. */
  incremental?: boolean
  /** Folder of export caches (default: `export-cache/` beside the dataset file); false: no cache. */
  cacheDir?: string | false
  /** Incremental exports of outputs up to this many files commit by hard-link swap, larger ones by renames (default 5000). */
  swapMaxFiles?: number
  /** Incremental exports hash an app bundle of this many bytes or more on a thread of their own (default 64 MiB). */
  hashThreadMinBytes?: number
  write?: WriteOptions
  /**
   * The publish gate (gate.ts): validate the published documents first — the Studio's rules and
   * the graph checks, through the validation cache beside a dataset file — and export nothing
   * (ValidationGateError naming every error) when any has an error. Warnings never block. The
   * CLI, `npm start` and the publisher always gate; off by default here so renderer tests can
   * export deliberately broken fixtures.
   */
  gate?: boolean | GateOptions
  /** Progress lines (the CLI sends them to stderr). */
  onProgress?: (message: string) => void
}

/** The export cache file of one output folder for one dataset file. */
export function exportCachePath(datasetPath: string, out: string, cacheDir?: string): string {
  return `${exportStatePrefix(datasetPath, out, cacheDir)}.sqlite`
}

/** Where the work folders of one output's exports are recorded (leftovers.ts), beside its cache. */
export function workRecordPath(datasetPath: string, out: string, cacheDir?: string): string {
  return `${exportStatePrefix(datasetPath, out, cacheDir)}.work.json`
}

/** What a gated export last published from one dataset file into one output (publisherState.ts). */
export function publishedStatePath(datasetPath: string, out: string, cacheDir?: string): string {
  return `${exportStatePrefix(datasetPath, out, cacheDir)}.published.json`
}

/** The publisher's published view of a dataset for an output (publisher.ts). */
export function publishedViewPath(datasetPath: string, out: string, cacheDir?: string): string {
  return `${exportStatePrefix(datasetPath, out, cacheDir)}.published.sqlite`
}

/** The folder of a dataset's export caches (`cacheDir`, default `export-cache/` beside it). */
export const exportCacheDir = (datasetPath: string, cacheDir?: string): string =>
  cacheDir ?? join(dirname(resolve(datasetPath)), 'export-cache')

const exportStatePrefix = (datasetPath: string, out: string, cacheDir?: string): string =>
  join(exportCacheDir(datasetPath, cacheDir), sha256(resolve(out)).slice(0, 16))

/**
 * Clear what a killed export of `ctx.out` left (leftovers.ts): progress lines for what was done,
 * a warning for each folder left alone.
 */
function recover(ctx: ExportContext): void {
  const r = recoverInterruptedExport(ctx.out, ctx.write?.workRecord)
  if (r.rolledForward) ctx.progress(`finished the commit a killed export left: ${r.rolledForward}`)
  if (r.restored) ctx.progress(`put back the previous export: ${r.restored}`)
  for (const path of r.removed) ctx.progress(`removed a killed export's work folder: ${path}`)
  for (const path of r.ignored)
    ctx.setupWarnings.push({
      level: 'warning',
      file: path,
      message: `left alone: named like a work folder of ${ctx.outLabel}, but no export of it recorded this folder`,
    })
}

/** Where the documents come from: a dataset (incremental possible) or any other query source. */
function resolveInput(
  opts: ExportFeedsOptions,
): {ds: Dataset; owned: boolean} | {source: QuerySource} {
  if (opts.source) return {source: opts.source}
  if (opts.documents) return {source: createLocalSource(opts.documents)}
  if (opts.dataset instanceof Dataset) return {ds: opts.dataset, owned: false}
  if (opts.dataset === undefined) {
    const remote = remoteTargetFromEnv()
    if (remote) return {source: createRemoteSource(remote)}
  }
  const path = opts.dataset ?? DEFAULT_DATASET
  if (!existsSync(path))
    throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
  return {ds: Dataset.open(path), owned: true}
}

/** What the gate found, in an export's summary (`validation`). */
export interface GateSummary {
  /** Published documents judged. */
  documents: number
  validated: number
  reused: number
  warnings: Problem[]
  ms: number
}

const gateSummary = (g: GateResult): GateSummary => ({
  documents: g.judged,
  validated: g.validated,
  reused: g.reused,
  warnings: g.warnings,
  ms: g.ms,
})

/**
 * Every document of a query source, for the gate: a local source holds them; a remote one is
 * read whole (raw perspective: drafts too when the token allows), once, and the export then runs
 * on exactly what was validated.
 */
async function allDocuments(source: QuerySource): Promise<StoredDocument[]> {
  if (source.kind === 'local') return [...source.documents]
  const docs = (await runQuery<StoredDocument[]>(source, '*', {}, {perspective: 'raw'})) ?? []
  return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
}

/**
 * Export every feed. Resolves with a summary; rejects with ValidationGateError (with `gate`:
 * published documents fail validation), InputError (bad data or profiles), ExportValidationError
 * (rendered output failed a check) or UsageError (bad options), in which case nothing was written.
 */
export async function exportFeeds(
  opts: ExportFeedsOptions = {},
): Promise<ExportSummary & {validation?: GateSummary}> {
  const started = performance.now()
  const progress = opts.onProgress ?? (() => {})
  const baseUrl = normalizeBaseUrl(opts.baseUrl ?? DEFAULT_BASE_URL, 'base URL')
  const feedsBaseUrl = opts.feedsBaseUrl
    ? normalizeBaseUrl(opts.feedsBaseUrl, 'feeds base URL')
    : undefined
  if (
    opts.now !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}T/.test(opts.now) || Number.isNaN(Date.parse(opts.now)))
  ) {
    throw new UsageError(
      `--now must be an ISO 8601 date-time (e.g. 2024-06-01T00:00:00Z), got "${opts.now}"`,
    )
  }
  if (
    opts.reviewedAsOf !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:\d{2})$/.test(opts.reviewedAsOf) ||
      Number.isNaN(Date.parse(opts.reviewedAsOf)))
  ) {
    throw new UsageError(
      `--review-date must be an ISO 8601 date-time with Z or an offset (e.g. 2024-06-01T00:00:00Z), got "${opts.reviewedAsOf}"`,
    )
  }
  if (opts.feedItems !== undefined && (!Number.isInteger(opts.feedItems) || opts.feedItems < 0)) {
    throw new UsageError(
      `--feed-items must be a whole number ≥ 0 (0 = every item), got ${opts.feedItems}`,
    )
  }
  const now = opts.now === undefined ? undefined : new Date(opts.now).toISOString()

  const modelOptions: ModelOptions = {
    baseUrl,
    ...(feedsBaseUrl ? {feedsBaseUrl} : {}),
    ...(now ? {now} : {}),
    ...(opts.site ? {site: opts.site} : {}),
    // Reviews expire with time, not with the data: judged on today unless the run is pinned.
    reviewedAsOf: opts.reviewedAsOf ?? now ?? new Date().toISOString(),
  }
  const build: BuildOptions = {
    ...(opts.checks ? {checks: opts.checks} : {}),
    ...(opts.feedItems !== undefined ? {feedItems: opts.feedItems} : {}),
  }
  const ctx: ExportContext = {
    out: resolve(opts.out ?? DEFAULT_OUT),
    outLabel: opts.out ?? DEFAULT_OUT,
    modelOptions,
    profiles: opts.partners ? [...opts.partners] : [],
    setupWarnings: [],
    build,
    write: opts.write,
    progress,
    started,
    ...(opts.swapMaxFiles !== undefined ? {swapMaxFiles: opts.swapMaxFiles} : {}),
    ...(opts.hashThreadMinBytes !== undefined ? {hashThreadMinBytes: opts.hashThreadMinBytes} : {}),
  }

  const gateOptions: GateOptions | undefined = opts.gate
    ? {onProgress: progress, ...(opts.gate === true ? {} : opts.gate)}
    : undefined
  // Bad usage first: an `--out` that may not be replaced is refused before any data is read.
  if (dirname(ctx.out) === ctx.out)
    throw new UsageError(`refusing to write an export to the root directory ${ctx.out}`)
  assertReplaceable(ctx.out)
  /** The partner documents' profiles, read from what the export reads (unless profiles were given). */
  const readProfiles = async (from: Dataset | QuerySource) => {
    if (opts.partners) return
    const loaded = profilesFromDocuments(await readPartnerDocuments(from))
    if (errorsOf(loaded.problems).length) throw new InputError(loaded.problems)
    ctx.profiles = loaded.profiles
    ctx.setupWarnings.push(...loaded.problems)
  }
  const input = resolveInput(opts)
  if ('source' in input) {
    if (!gateOptions) {
      await readProfiles(input.source)
      recover(ctx)
      return fullExport(ctx, () => input.source)
    }
    const gate = await publishGate(await allDocuments(input.source), gateOptions)
    assertPublishable(gate)
    const source = input.source.kind === 'local' ? input.source : createLocalSource(gate.documents!)
    await readProfiles(source)
    recover(ctx)
    return {...(await fullExport(ctx, () => source)), validation: gateSummary(gate)}
  }
  const {ds, owned} = input
  let gate: GateResult | undefined
  try {
    // The log position the gate reads at (what a publisher started later compares with).
    const gateSeq = ds.lastSeq()
    if (gateOptions) {
      // Before anything beside the output is touched: a failing gate leaves everything as it was.
      gate = await publishGate(ds, gateOptions)
      assertPublishable(gate)
    }
    await readProfiles(ds)
    const cacheDir = opts.cacheDir === false ? undefined : opts.cacheDir
    const persistent = opts.cacheDir !== false && ds.path !== ':memory:'
    /**
     * A gated export published every document at the revision the gate read: the publisher
     * (publisher.ts) started later keeps a document that turns invalid at that version.
     */
    const withValidation = <T extends ExportSummary>(s: T) => {
      if (!gate) return s
      if (persistent)
        savePublishedState(publishedStatePath(ds.path, ctx.out, cacheDir), ds.path, ctx.out, {
          seq: gateSeq,
          tx: ds.transactionIdAt(gateSeq) ?? '',
        })
      return {...s, validation: gateSummary(gate)}
    }
    if (persistent)
      ctx.write = {...ctx.write, workRecord: workRecordPath(ds.path, ctx.out, cacheDir)}
    // A process killed mid-export may have left work folders beside the output, or (between the two
    // renames of a swap) no output at all: every export first puts the last complete one back.
    recover(ctx)
    // A dataset file is listed by the writer thread itself (its own connection), in parallel.
    const earlyPaths = ds.path === ':memory:' ? () => expectedPagePaths(ds) : {dataset: ds.path}
    if (!persistent)
      return withValidation(
        await fullExport(ctx, () => createLocalSource(ds), undefined, earlyPaths),
      )
    const cachePath = exportCachePath(ds.path, ctx.out, cacheDir)
    // The review date moves every day: an incremental export re-renders the pages whose review
    // expired since the last one (incremental/run.ts), so it is not part of the fingerprint.
    const {reviewedAsOf: _today, ...stableOptions} = modelOptions
    const fingerprint = exportFingerprint({
      modelOptions: stableOptions,
      reviewMonths: REVIEW_MONTHS,
      feedItems: normalizeLimit(opts.feedItems) ?? 0,
      profiles: ctx.profiles,
      out: ctx.out,
    })
    const cache = ExportCache.open(cachePath)
    try {
      let fullReason: string | undefined
      if (opts.checks?.length) fullReason = 'custom checks see every file'
      else if (opts.incremental === false) fullReason = 'full export requested'
      else {
        ds.mapForReads()
        const r = await incrementalExport(ctx, ds, cache, fingerprint).finally(() =>
          ds.mapForReads(0),
        )
        if ('summary' in r) return withValidation(r.summary)
        fullReason = r.fallback
      }
      progress(`full export: ${fullReason}`)
      const summary = await fullExport(
        ctx,
        () => createLocalSource(ds),
        {cache, ds, fingerprint},
        earlyPaths,
      )
      return withValidation({...summary, fullReason})
    } finally {
      cache.close()
    }
  } finally {
    if (owned) ds.close()
  }
}
