/** `npm run validate -- [--dataset <path>] [--workers <n>] [--no-cache] [--json]`: the Studio's rules + graph checks over the embedded dataset. */
import {existsSync} from 'node:fs'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry} from '../lib/env.ts'
import {formatProblem, UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {Dataset} from '../store/dataset.ts'
import {validationCachePath, verdictsPath} from './cache.ts'
import {validateDocuments} from './run.ts'

const spec = {
  usage: 'npm run validate -- [--dataset <path>] [--workers <n>] [--no-cache] [--json]',
  summary:
    "Runs the Studio's validation rules (schemas/) headless over every document, plus whole-graph checks\n(dangling references, duplicate slugs, unlinked taxonomy, articles without benefits).\nResults are cached next to the dataset: a re-run validates only documents whose content, or whose\nreferenced documents or slug, changed. One thread: the rules run compiled (see\nscripts/validate/fastPath.ts), ~0.1 ms a document; --workers spreads them over threads.\nExit 1 when there are errors; warnings alone exit 0.",
  options: {
    dataset: {type: 'string'},
    workers: {type: 'string'},
    'no-cache': {type: 'boolean'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: 'SQLite dataset file (default .data/dataset.sqlite)',
    workers:
      'Worker threads for the Studio rules (default 0: this thread; their start-up costs more than they save)',
    'no-cache': 'Validate every document and do not write the cache',
    json: 'Print one JSON report on stdout',
    quiet: 'No progress on stderr',
  },
} as const

await runCli(async () => {
  disableTelemetry()
  const {values} = parseCli(spec)
  const path = values.dataset ?? DEFAULT_DATASET
  if (!existsSync(path))
    throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
  const ds = Dataset.open(path)
  // The log position first: the verdicts are about documents read at or after it (gate.ts).
  const seq = ds.lastSeq()
  const tx = ds.transactionIdAt(seq) ?? ''
  const docs = ds.documents()
  ds.close()
  const started = performance.now()
  const workers = values.workers === undefined ? undefined : Number(values.workers)
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0))
    throw new UsageError(`--workers must be a whole number, got "${values.workers}"`)
  const report = await validateDocuments(docs, {
    onProgress: (d, t) => progress(`validated ${d}/${t}`),
    ...(values['no-cache']
      ? {}
      : {
          cache: validationCachePath(path),
          verdicts: {path: verdictsPath(path), seq, tx, scope: 'all' as const},
        }),
    ...(workers !== undefined ? {workers} : {}),
  })
  const ms = Math.round(performance.now() - started)
  if (values.json)
    process.stdout.write(`${JSON.stringify({ok: report.errors === 0, ms, ...report})}\n`)
  else {
    for (const p of report.problems) process.stdout.write(`${formatProblem(p)}\n`)
    const how = report.reused
      ? `; ${report.validated} validated, ${report.reused} unchanged since the last run`
      : ''
    process.stdout.write(
      `${report.documents} documents: ${report.errors} errors, ${report.warnings} warnings (${ms} ms${how})\n`,
    )
  }
  return report.errors > 0 ? 1 : 0
})
