/**
 * `npm run sync -- [--dataset <path>] [--once] [--json]`: mirror the Sanity API dataset named by
 * the environment (SANITY_PROJECT_ID, SANITY_DATASET, SANITY_TOKEN, SANITY_API_HOST) into the
 * embedded dataset, so the exporter's incremental mode works for a hosted project too.
 */
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry, remoteTargetFromEnv} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {defaultMirrorPath, sourceOf} from './core.ts'
import {runSync} from './sync.ts'

const spec = {
  usage: 'npm run sync -- [--dataset <path>] [--once] [--json]',
  summary: [
    'Mirrors the Sanity API dataset named by SANITY_PROJECT_ID and SANITY_DATASET (SANITY_API_HOST',
    'for the local API; SANITY_TOKEN to include drafts) into the embedded dataset: a copy through the',
    'export endpoint, then every change from the listener, each batch and transaction committed with',
    'its resume position. A restart (even after kill -9) continues; a gap the server cannot resume',
    'across is caught up by a copy. Runs until SIGINT/SIGTERM, or with --once until caught up.',
    'The mirror is its own dataset file (default .data/mirrors/<projectId>.<dataset>.sqlite, the one',
    '`npm run export -- --watch` uses too); a file that mirrors another source, or holds documents',
    'that were not mirrored, is refused (exit 2).',
  ].join('\n'),
  options: {
    dataset: {type: 'string'},
    once: {type: 'boolean'},
    'batch-size': {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset:
      'SQLite dataset file to mirror into (default .data/mirrors/<projectId>.<dataset>.sqlite)',
    once: 'Copy and catch up, then exit (for cron and tests)',
    'batch-size': 'Documents per copy transaction (default 500)',
    json: 'One JSON line per applied batch or transaction on stdout, then a summary',
    quiet: 'No progress on stderr',
  },
} as const

await runCli(async () => {
  const {values} = parseCli(spec)
  disableTelemetry()
  const target = remoteTargetFromEnv()
  if (!target)
    throw new UsageError(
      'sync needs a Sanity API to mirror: set SANITY_PROJECT_ID and SANITY_DATASET (and SANITY_TOKEN, SANITY_API_HOST as needed)',
    )
  const batchSize = Number(values['batch-size'] ?? 500)
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new UsageError(`--batch-size must be a positive integer, got ${values['batch-size']}`)
  const datasetPath = values.dataset ?? defaultMirrorPath(sourceOf(target))
  const json = values.json ?? false
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const summary = await runSync({
      target,
      datasetPath,
      once: values.once ?? false,
      batchSize,
      signal: stop.signal,
      report: (r) => {
        if (json) process.stdout.write(`${JSON.stringify(r)}\n`)
        else
          progress(
            `${r.phase}: ${r.documents} document(s), ${r.written} written, ${r.deleted} deleted (${r.ms} ms)`,
          )
      },
      progress,
    })
    if (json) process.stdout.write(`${JSON.stringify({ok: true, summary})}\n`)
    else
      process.stdout.write(
        `sync: ${summary.documents} documents in ${datasetPath}; ${summary.copies} copy(ies), ${summary.transactions} transaction(s) applied\n`,
      )
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
})
