/** `npm run export -- [--dataset <path>] [--out <dir>] [--now <iso>] [--review-date <iso>] [--base-url <url>] [--feed-items <n>] [--full] [--watch [--webhook-port <n>]] [--json]` */
import {existsSync} from 'node:fs'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {
  disableTelemetry,
  remoteTargetFromEnv,
  webhookSecretFromEnv,
  type RemoteTarget,
} from '../lib/env.ts'
import {formatProblem, UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET, DEFAULT_OUT} from '../lib/paths.ts'
import {defaultMirrorPath, sourceOf} from '../sync/core.ts'
import {DEFAULT_BASE_URL, exportFeeds} from './export.ts'
import {runPublisher, type PublisherOptions, type PublishReport} from './publisher.ts'
import {printPublish, printPublishError, stopOnSignals} from './publishLines.ts'
import {runRemoteWatch} from './remoteWatch.ts'

function feedItemsOption(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`--feed-items must be a whole number ≥ 0, got "${text}"`)
  return Number(text)
}

function portOption(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new UsageError(
      `--webhook-port must be a port number 0–65535 (0: any free port), got "${text}"`,
    )
  return Number(text)
}

const spec = {
  usage:
    'npm run export -- [--dataset <path>] [--out <dir>] [--now <iso>] [--review-date <iso>] [--base-url <url>] [--feed-items <n>] [--full] [--watch [--webhook-port <n>]] [--json]',
  summary:
    "Write every feed from the published documents: web page JSON, the app bundle, RSS 2.0, Atom 1.0, JSON Feed 1.1, JSON-LD and one folder per enabled partner (the published `partner` documents, edited in the Studio's Partners list), with their JSON Schemas and a manifest. The published documents are validated first (the Studio's rules and the graph checks of `npm run validate`, through its cache): any error is printed (document, field, message) and nothing is exported (exit 1); warnings do not block. Every rendered file is checked before the output folder is replaced; on any error the previous output stays as it was. After a first export, only what changed documents affect is rendered again (export cache beside the dataset).\n\nWith --watch: the publisher. One export, then every change to the embedded dataset (Studio through the local API, npm run import, npm run migrate, npm run dataset -- import) is published as it lands; bursts are published together. A document that fails validation is held back (its pages stay at its last published version; a new one does not appear) and reported, the rest is published; once fixed it is published. One JSON line per publish with --json, else a short line on stderr. SIGINT/SIGTERM: the export under way finishes, then exit 0.\n\nWith --watch and a Sanity API in the environment (SANITY_PROJECT_ID, SANITY_DATASET, SANITY_TOKEN for drafts, SANITY_API_HOST): the same publisher on a mirror of that dataset (npm run sync's), in the same process: a copy through the export endpoint, then every change from the listener (resumed, reconnected with backoff), or with --webhook-port from Sanity webhooks (a delivery names the changed documents, which are read again from the API; one not signed with SANITY_WEBHOOK_SECRET gets 401 and changes nothing). The first export waits for the first copy. The mirror is --dataset, by default .data/mirrors/<projectId>.<dataset>.sqlite; drafts stay drafts there and publish nothing. SIGINT/SIGTERM also stops the mirror: the batch it was reading is dropped, every write it made is whole.",
  options: {
    dataset: {type: 'string'},
    out: {type: 'string'},
    now: {type: 'string'},
    'review-date': {type: 'string'},
    'base-url': {type: 'string'},
    'feeds-base-url': {type: 'string'},
    'feed-items': {type: 'string'},
    full: {type: 'boolean'},
    watch: {type: 'boolean'},
    'webhook-port': {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET}); with --watch and SANITY_PROJECT_ID: the mirror file (default .data/mirrors/<projectId>.<dataset>.sqlite)`,
    out: `Output folder, replaced as a whole (default ${DEFAULT_OUT})`,
    now: 'ISO date-time for feed-level dates (default: newest date in the data)',
    'review-date':
      'ISO date-time reviews are judged on: older than the review period (SANITY_STUDIO_REVIEW_MONTHS, default 12) they are expired (default: --now, else today)',
    'base-url': `Web frontend the feeds link to (default ${DEFAULT_BASE_URL})`,
    'feeds-base-url': 'Where the output folder is served, for self links (default: base URL)',
    'feed-items':
      'Items per RSS/Atom/JSON Feed and partner file, newest first (default 50; 0 = all)',
    full: 'Render every file even when the export cache allows an incremental export',
    watch:
      'Keep running: publish every change to the dataset (polls its transaction log); with SANITY_PROJECT_ID, to a mirror of that Sanity API dataset',
    'webhook-port':
      'With --watch and SANITY_PROJECT_ID: follow the source through Sanity webhooks on http://127.0.0.1:<n>/ (0: any free port) instead of a listener; deliveries must be signed with SANITY_WEBHOOK_SECRET (else 401)',
    json: 'Print one JSON object (files, counts, duration) on stdout; with --watch one JSON line per publish: {documents, heldBack, files, ms, latencyMs}, after a first line {webhook: {port, url}} with --webhook-port',
    quiet: 'No progress lines on stderr',
  },
} as const

await runCli(async () => {
  disableTelemetry()
  const {values} = parseCli(spec)
  const common = {
    out: values.out,
    now: values.now,
    ...(values['review-date'] !== undefined ? {reviewedAsOf: values['review-date']} : {}),
    baseUrl: values['base-url'],
    feedsBaseUrl: values['feeds-base-url'],
    ...(values['feed-items'] !== undefined
      ? {feedItems: feedItemsOption(values['feed-items'])}
      : {}),
    ...(values.full ? {incremental: false} : {}),
  }
  if (values['webhook-port'] !== undefined && !values.watch)
    throw new UsageError('--webhook-port drives the publisher: use it with --watch')
  if (values.watch)
    return watch({
      dataset: values.dataset,
      webhookPort:
        values['webhook-port'] === undefined ? undefined : portOption(values['webhook-port']),
      common,
      json: Boolean(values.json),
    })
  const summary = await exportFeeds({
    ...common,
    dataset: values.dataset,
    gate: true,
    onProgress: progress,
  })
  for (const w of summary.validation?.warnings ?? []) progress(formatProblem(w))
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

/** The publisher's shell: signals, and one line per publish (JSON on stdout, or text on stderr). */
async function watch(opts: {
  dataset: string | undefined
  webhookPort: number | undefined
  common: Omit<PublisherOptions, 'dataset' | 'signal' | 'onPublish' | 'onError'>
  json: boolean
}): Promise<number> {
  const {dataset, webhookPort, common, json} = opts
  const target = remoteTargetFromEnv()
  const secret = webhookSecretFromEnv()
  if (webhookPort !== undefined && !target)
    throw new UsageError(
      '--webhook-port follows a Sanity API dataset: set SANITY_PROJECT_ID and SANITY_DATASET (and SANITY_TOKEN, SANITY_API_HOST as needed)',
    )
  if (webhookPort !== undefined && !secret)
    throw new UsageError(
      "--webhook-port needs the webhook's secret in SANITY_WEBHOOK_SECRET: deliveries are verified with it",
    )
  const path = target
    ? (dataset ?? defaultMirrorPath(sourceOf(target)))
    : (dataset ?? DEFAULT_DATASET)
  if (!target && !existsSync(path))
    throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
  const stop = stopOnSignals()
  const line = (r: PublishReport) => printPublish(r, json)
  const onError = (e: unknown) => printPublishError(e, json)
  const publisher = {...common, onPublish: line, onError}
  if (target) {
    progress(`mirroring ${target.projectId}/${target.dataset} into ${path}`)
    await remote(target, path, webhookPort, secret, publisher, stop, json)
  } else await runPublisher({...publisher, dataset: path, signal: stop})
  return 0
}

/** The publisher on a mirror of `target` (remoteWatch.ts). */
function remote(
  target: RemoteTarget,
  path: string,
  webhookPort: number | undefined,
  secret: string | undefined,
  publisher: Omit<PublisherOptions, 'dataset' | 'signal'>,
  signal: AbortSignal,
  json: boolean,
): Promise<void> {
  return runRemoteWatch({
    target,
    dataset: path,
    ...(webhookPort !== undefined && secret ? {webhook: {port: webhookPort, secret}} : {}),
    onListening: ({port, url}) => {
      if (json) process.stdout.write(`${JSON.stringify({webhook: {port, url}})}\n`)
      progress(
        `webhook receiver on ${url} (point the Sanity webhook here, through a tunnel or proxy)`,
      )
    },
    publisher,
    signal,
    progress,
  })
}
