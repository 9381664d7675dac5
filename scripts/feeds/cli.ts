/** `npm run export -- [--dataset <path>] [--out <dir>] [--now <iso>] [--review-date <iso>] [--base-url <url>] [--feed-items <n>] [--full] [--json]` */
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {formatProblem, UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET, DEFAULT_OUT} from '../lib/paths.ts'
import {DEFAULT_BASE_URL, exportFeeds} from './export.ts'

function feedItemsOption(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`--feed-items must be a whole number ≥ 0, got "${text}"`)
  return Number(text)
}

const spec = {
  usage:
    'npm run export -- [--dataset <path>] [--out <dir>] [--now <iso>] [--review-date <iso>] [--base-url <url>] [--feed-items <n>] [--full] [--json]',
  summary:
    'Write every feed from the published documents: web page JSON, the app bundle, RSS 2.0, Atom 1.0, JSON Feed 1.1, JSON-LD and one folder per partner profile (content/partners/*.json), with their JSON Schemas and a manifest. Everything is validated before the output folder is replaced; on any error the previous output stays as it was. After a first export, only what changed documents affect is rendered again (export cache beside the dataset).',
  options: {
    dataset: {type: 'string'},
    out: {type: 'string'},
    now: {type: 'string'},
    'review-date': {type: 'string'},
    'base-url': {type: 'string'},
    'feeds-base-url': {type: 'string'},
    partners: {type: 'string'},
    'feed-items': {type: 'string'},
    full: {type: 'boolean'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET})`,
    out: `Output folder, replaced as a whole (default ${DEFAULT_OUT})`,
    now: 'ISO date-time for feed-level dates (default: newest date in the data)',
    'review-date':
      'ISO date-time reviews are judged on: older than the review period (SANITY_STUDIO_REVIEW_MONTHS, default 12) they are expired (default: --now, else today)',
    'base-url': `Web frontend the feeds link to (default ${DEFAULT_BASE_URL})`,
    'feeds-base-url': 'Where the output folder is served, for self links (default: base URL)',
    partners: 'Folder of partner profiles (default content/partners)',
    'feed-items':
      'Items per RSS/Atom/JSON Feed and partner file, newest first (default 50; 0 = all)',
    full: 'Render every file even when the export cache allows an incremental export',
    json: 'Print one JSON object (files, counts, duration) on stdout',
    quiet: 'No progress lines on stderr',
  },
} as const

await runCli(async () => {
  const {values} = parseCli(spec)
  const summary = await exportFeeds({
    dataset: values.dataset,
    out: values.out,
    now: values.now,
    ...(values['review-date'] !== undefined ? {reviewedAsOf: values['review-date']} : {}),
    baseUrl: values['base-url'],
    feedsBaseUrl: values['feeds-base-url'],
    partnersDir: values.partners,
    ...(values['feed-items'] !== undefined
      ? {feedItems: feedItemsOption(values['feed-items'])}
      : {}),
    ...(values.full ? {incremental: false} : {}),
    onProgress: progress,
  })
  for (const w of summary.warnings) progress(formatProblem(w))
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`)
  } else {
    const pages = Object.entries(summary.pages)
      .map(([t, n]) => `${n} ${t}`)
      .join(', ')
    process.stdout.write(
      `exported ${summary.files} files (${pages}; ${summary.partners.length} partners) to ${summary.out} in ${summary.durationMs} ms\n`,
    )
  }
})
