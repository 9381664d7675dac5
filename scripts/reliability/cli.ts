/**
 * `npm run crash-test -- [--kills <n>] [--seed <n>] [--rerun-every <n>] [--json]`: the crash
 * harness (crash.ts) from the command line. Exit 1 when any kill left an inconsistent state.
 */
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_KILLS, runCrashHarness, STAGES} from './crash.ts'

const spec = {
  usage:
    'npm run crash-test -- [--kills <n>] [--seed <n>] [--rerun-every <n>] [--concurrency <n>] [--json]',
  summary:
    'Runs the import, NDJSON import, migrate and export CLIs on temp datasets and kills them with SIGKILL at seeded random moments, checking after every kill that the dataset is exactly its before or after state and dist/ the previous or the new complete export, and that a re-run completes.',
  options: {
    kills: {type: 'string'},
    seed: {type: 'string'},
    'rerun-every': {type: 'string'},
    concurrency: {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    kills: 'Total kills, spread over the stages like the default (120)',
    seed: 'Seed of every random choice (default 20261124)',
    'rerun-every': 'Re-run to completion after every n-th kill (default 1)',
    concurrency: 'Stages run side by side (default 2)',
    json: 'Print the report as one JSON object',
    quiet: 'No progress lines on stderr',
  },
} as const

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`)
  return Number(v)
}

await runCli(async () => {
  const {values} = parseCli(spec)
  const total = int(values.kills, 'kills')
  const seed = int(values.seed, 'seed')
  const rerunEvery = int(values['rerun-every'], 'rerun-every')
  const concurrency = int(values.concurrency, 'concurrency')
  const kills =
    total === undefined
      ? undefined
      : Object.fromEntries(STAGES.map((s) => [s, Math.ceil((total * DEFAULT_KILLS[s]) / 120)]))
  const report = await runCrashHarness({
    ...(seed !== undefined ? {seed} : {}),
    ...(kills ? {kills} : {}),
    ...(rerunEvery !== undefined ? {rerunEvery} : {}),
    ...(concurrency !== undefined ? {concurrency} : {}),
    log: progress,
  })
  const line = `crash harness: ${report.kills} kills, ${report.inconsistent} inconsistent (seed ${report.seed}, ${Math.round(report.elapsedMs / 1000)} s)`
  if (values.json)
    process.stdout.write(`${JSON.stringify({ok: report.inconsistent === 0, ...report})}\n`)
  else {
    process.stdout.write(`${line}\n`)
    for (const s of report.stages)
      for (const p of s.inconsistent) process.stdout.write(`  ${s.stage}: ${p}\n`)
  }
  return report.inconsistent === 0 ? 0 : 1
})
