/**
 * `exportFeeds`: the I/O shell around the pure core. Read the published documents, build the
 * model, load the partner profiles, render and validate everything in memory, then swap the new
 * output directory into place. Any error leaves the previous output untouched.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {InputError, UsageError, type Problem} from '../lib/errors.ts'
import {DEFAULT_OUT, PARTNERS_DIR} from '../lib/paths.ts'
import {createLocalSource} from '../query/local.ts'
import {openQuerySource, runQuery, type QuerySource} from '../query/source.ts'
import {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {runExport, type BuildOptions} from './build.ts'
import {fetchFeedInput} from './input.ts'
import {buildFeedModel, type ModelOptions} from './model.ts'
import {parsePartnerProfiles, type PartnerProfile} from './partners.ts'
import {partnerView} from './partnerView.ts'
import {PAGE_TYPES, type PageType} from './types.ts'
import {normalizeBaseUrl} from './urls.ts'
import {replaceDirectory, type WriteOptions} from './write.ts'

/** Placeholder frontend (RFC 2606 reserved name) until a real one is configured with --base-url. */
export const DEFAULT_BASE_URL = 'https://skincare.example'

/** Rendered output failed its schema, format or safety checks: nothing was written. */
export class ExportValidationError extends InputError {
  override readonly code = 'EXPORT_INVALID'
}

export interface ExportFeedsOptions {
  /**
   * Where documents come from, first match wins: `source` (a query source from scripts/query,
   * local or remote), `documents` (in memory; drafts allowed, the 'published' perspective drops
   * them), `dataset` (an open Dataset, or a dataset file path). Default: openQuerySource(), i.e.
   * .data/dataset.sqlite, or the Sanity API the environment names (SANITY_PROJECT_ID).
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
  /** Partner profiles; default: every content/partners/*.json (or `partnersDir`). */
  partners?: readonly PartnerProfile[]
  partnersDir?: string
  /** Extra checks over the rendered files before writing (see BuildOptions). */
  checks?: BuildOptions['checks']
  write?: WriteOptions
  /** Progress lines (the CLI sends them to stderr). */
  onProgress?: (message: string) => void
}

export interface ExportSummary {
  ok: true
  out: string
  generatedAt: string
  /** Files written, manifest included. */
  files: number
  bytes: number
  pages: Record<PageType, number>
  partners: Array<{name: string; items: number; files: string[]}>
  /** Warnings for editors (unsafe links dropped, unparseable dates…). */
  warnings: Problem[]
  durationMs: number
}

function querySource(opts: ExportFeedsOptions): QuerySource {
  if (opts.source) return opts.source
  if (opts.documents) return createLocalSource(opts.documents)
  if (opts.dataset instanceof Dataset) return createLocalSource(opts.dataset)
  return openQuerySource({dataset: opts.dataset})
}

/** Every content/partners/*.json, parsed and validated; every problem in every file at once. */
export function loadPartnerProfiles(dir: string = PARTNERS_DIR): {profiles: PartnerProfile[]; problems: Problem[]} {
  if (!existsSync(dir)) return {profiles: [], problems: []}
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({file: join(dir, f), text: readFileSync(join(dir, f), 'utf8')}))
  return parsePartnerProfiles(files)
}

const errorsOf = (problems: readonly Problem[]) => problems.filter((p) => p.level === 'error')

/**
 * Export every feed. Resolves with a summary; rejects with InputError (bad data or profiles),
 * ExportValidationError (rendered output failed a check) or UsageError (bad options), in which
 * case nothing was written.
 */
export async function exportFeeds(opts: ExportFeedsOptions = {}): Promise<ExportSummary> {
  const started = performance.now()
  const progress = opts.onProgress ?? (() => {})
  const baseUrl = normalizeBaseUrl(opts.baseUrl ?? DEFAULT_BASE_URL, 'base URL')
  const feedsBaseUrl = opts.feedsBaseUrl ? normalizeBaseUrl(opts.feedsBaseUrl, 'feeds base URL') : undefined
  if (opts.now !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(opts.now) || Number.isNaN(Date.parse(opts.now)))) {
    throw new UsageError(`--now must be an ISO 8601 date-time (e.g. 2024-06-01T00:00:00Z), got "${opts.now}"`)
  }
  const now = opts.now === undefined ? undefined : new Date(opts.now).toISOString()

  // Profiles first: a typo in a profile should fail fast, before the dataset is read.
  const loaded = opts.partners ? {profiles: [...opts.partners], problems: []} : loadPartnerProfiles(opts.partnersDir)
  if (errorsOf(loaded.problems).length) throw new InputError(loaded.problems)

  const source = querySource(opts)
  // Exports never show drafts or release versions, whatever the source's default.
  const input = await fetchFeedInput((query) => runQuery(source, query, {}, {perspective: 'published'}))
  const {model, problems: modelProblems} = buildFeedModel(input, {baseUrl, feedsBaseUrl, now, site: opts.site})
  if (errorsOf(modelProblems).length) throw new InputError(modelProblems)
  progress(`model: ${model.pages.length} pages, ${loaded.profiles.length} partner profiles`)

  const out = opts.out ?? DEFAULT_OUT
  // Files go to a temporary folder as they are rendered and checked; it replaces `out` only if
  // no check failed (throwing inside replaceDirectory discards it).
  const run = replaceDirectory(
    out,
    (write) => {
      const r = runExport(model, loaded.profiles, write, {checks: opts.checks})
      if (errorsOf(r.problems).length) throw new ExportValidationError(errorsOf(r.problems))
      return r
    },
    opts.write,
  )
  progress(`wrote ${run.files} files to ${out}`)

  const pages = Object.fromEntries(PAGE_TYPES.map((t) => [t, 0])) as Record<PageType, number>
  for (const p of model.pages) pages[p.type]++
  return {
    ok: true,
    out,
    generatedAt: model.generatedAt,
    files: run.files,
    bytes: run.bytes,
    pages,
    partners: loaded.profiles.map((p) => {
      const prefix = `partners/${p.name}/`
      return {
        name: p.name,
        items: partnerView(model, p).model.pages.length,
        files: run.paths.filter((p) => p.startsWith(prefix)),
      }
    }),
    warnings: [...loaded.problems, ...modelProblems, ...run.problems].filter((p) => p.level !== 'error'),
    durationMs: Math.round(performance.now() - started),
  }
}
