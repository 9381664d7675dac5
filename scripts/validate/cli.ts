/** `npm run validate -- [--dataset <path>] [--json]`: the Studio's rules + graph checks over the embedded dataset. */
import {existsSync} from 'node:fs'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry} from '../lib/env.ts'
import {formatProblem, UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {Dataset} from '../store/dataset.ts'
import {validateDocuments} from './run.ts'

const spec = {
  usage: 'npm run validate -- [--dataset <path>] [--json]',
  summary:
    'Runs the Studio\'s validation rules (schemas/) headless over every document, plus whole-graph checks\n(dangling references, duplicate slugs, unlinked taxonomy, articles without benefits).\nExit 1 when there are errors; warnings alone exit 0.',
  options: {dataset: {type: 'string'}, json: {type: 'boolean'}, quiet: {type: 'boolean'}},
  help: {dataset: 'SQLite dataset file (default .data/dataset.sqlite)', json: 'Print one JSON report on stdout', quiet: 'No progress on stderr'},
} as const

await runCli(async () => {
  disableTelemetry()
  const {values} = parseCli(spec)
  const path = values.dataset ?? DEFAULT_DATASET
  if (!existsSync(path)) throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
  const ds = Dataset.open(path)
  const docs = ds.documents()
  ds.close()
  const started = performance.now()
  const report = await validateDocuments(docs, {onProgress: (d, t) => progress(`validated ${d}/${t}`)})
  const ms = Math.round(performance.now() - started)
  if (values.json) process.stdout.write(`${JSON.stringify({ok: report.errors === 0, ms, ...report})}\n`)
  else {
    for (const p of report.problems) process.stdout.write(`${formatProblem(p)}\n`)
    process.stdout.write(`${report.documents} documents: ${report.errors} errors, ${report.warnings} warnings (${ms} ms)\n`)
  }
  return report.errors > 0 ? 1 : 0
})
