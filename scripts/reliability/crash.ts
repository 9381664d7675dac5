/**
 * The crash harness: run the real CLIs on temp datasets and kill -9 them at seeded random moments,
 * again and again, then check that nothing is ever in between:
 * - import (remark listicle), NDJSON import, migrate: the dataset file is sound (SQLite integrity,
 *   documents ⇄ history ⇄ transaction log) and its content is exactly a state the run may leave —
 *   before or after (for migrate: before or after each migration, each being one transaction);
 * - export: the output folder is the previous complete export or the new one (every file matches
 *   its manifest); leftovers of the killed run are cleared by the next one;
 * - a re-run then completes and reaches the after state.
 * Kill moments: half uniform over a normal run's duration (measured first), half aimed at the
 * writing phase — a file event (the dataset's WAL being written, the export's work folder
 * appearing) starts a short random delay — so kills land inside commits and swaps, not only
 * during start-up.
 */
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {Dataset} from '../store/dataset.ts'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT} from '../lib/paths.ts'
import {inspectDataset} from './datasetState.ts'
import {inspectExport} from './distState.ts'
import {bulkNdjson, listicle, premigrationNdjson} from './fixtures.ts'
import {
  runAndKill,
  runToEnd,
  walWriteTrigger,
  type KillPlan,
  type RunOptions,
  type RunOutcome,
} from './kill.ts'
import {mulberry32, type Rng} from './random.ts'

export const STAGES = ['import', 'ndjson', 'migrate', 'export', 'export-edit'] as const
export type Stage = (typeof STAGES)[number]

export interface CrashHarnessOptions {
  /** Seed of every random choice (kill moments, modes). */
  seed?: number
  /** Kills per stage (default import 20, ndjson 25, migrate 25, export 20, export-edit 15: 105). */
  kills?: Partial<Record<Stage, number>>
  /** Re-run to completion after every n-th kill (default 1: after each) and always at the end. */
  rerunEvery?: number
  /** Benefits in the generated listicle the import stage imports (default 100; the export stages use half). */
  benefits?: number
  /** Stages run side by side (default 2). */
  concurrency?: number
  /** Where temp datasets go (default: a new folder in the OS temp dir, removed afterwards). */
  workDir?: string
  log?: (line: string) => void
}

export interface StageReport {
  stage: Stage
  /** Kills that ended a running process. */
  kills: number
  /** Of those, aimed at the writing phase (a file event started the delay). */
  aimed: number
  /** Runs that finished before their kill landed (not counted as kills). */
  finishedFirst: number
  /** What each kill left: `before`, `after`, or e.g. `after 1 of 3` for migrate, `swap window` for export. */
  outcomes: Record<string, number>
  reruns: number
  /** Every state that was not allowed, or a re-run that failed. */
  inconsistent: string[]
  /** Normal run duration the delays were drawn from, in ms. */
  runMs: number
  elapsedMs: number
}

export interface CrashHarnessReport {
  seed: number
  kills: number
  inconsistent: number
  stages: StageReport[]
  elapsedMs: number
}

const NODE = join(ROOT, 'node_modules', '.bin', 'node')
const cli = (stage: 'import' | 'store' | 'migrate' | 'feeds') =>
  join(ROOT, 'scripts', stage, 'cli.ts')
const env = (): NodeJS.ProcessEnv => {
  // The embedded dataset only: a SANITY_PROJECT_ID in the caller's environment must not redirect anything.
  const e: NodeJS.ProcessEnv = {...process.env, DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'}
  for (const k of Object.keys(e))
    if (k.startsWith('SANITY_') && k !== 'SANITY_TELEMETRY_DISABLED') delete e[k]
  return e
}

export const DEFAULT_KILLS: Record<Stage, number> = {
  import: 20,
  ndjson: 25,
  migrate: 25,
  export: 20,
  'export-edit': 15,
}

export async function runCrashHarness(opts: CrashHarnessOptions = {}): Promise<CrashHarnessReport> {
  const started = performance.now()
  const seed = opts.seed ?? 20261124
  const kills = {...DEFAULT_KILLS, ...opts.kills}
  const log = opts.log ?? (() => {})
  const base = opts.workDir ?? mkdtempSync(join(tmpdir(), 'crash-harness-'))
  const runOpts: RunOptions = {cwd: ROOT, env: env()}
  const ctx = {
    rerunEvery: Math.max(1, opts.rerunEvery ?? 1),
    benefits: opts.benefits ?? 100,
    runOpts,
    log,
  }
  try {
    const stages = STAGES.filter((s) => kills[s] > 0)
    const reports: StageReport[] = []
    const queue = [...stages]
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const dir = join(base, s)
        mkdirSync(dir, {recursive: true})
        // One generator per stage, derived from the seed: stages stay reproducible whatever runs beside them.
        const rng = mulberry32(seed ^ ((STAGES.indexOf(s) + 1) * 0x9e3779b1))
        const report = await STAGE_RUNNERS[s]({...ctx, dir, rng, kills: kills[s]})
        log(summaryLine(report))
        reports.push(report)
      }
    }
    await Promise.all(Array.from({length: Math.max(1, opts.concurrency ?? 2)}, worker))
    reports.sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage))
    const total = reports.reduce((n, r) => n + r.kills, 0)
    const bad = reports.reduce((n, r) => n + r.inconsistent.length, 0)
    return {
      seed,
      kills: total,
      inconsistent: bad,
      stages: reports,
      elapsedMs: Math.round(performance.now() - started),
    }
  } finally {
    if (!opts.workDir) rmSync(base, {recursive: true, force: true})
  }
}

export function summaryLine(r: StageReport): string {
  const outcomes = Object.entries(r.outcomes)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
  return `${r.stage}: ${r.kills} kills (${r.aimed} aimed at writes; ${outcomes}), ${r.reruns} re-runs, ${r.inconsistent.length} inconsistent, run ${r.runMs} ms, ${Math.round(r.elapsedMs / 1000)} s`
}

interface StageContext {
  dir: string
  rng: Rng
  kills: number
  rerunEvery: number
  benefits: number
  runOpts: RunOptions
  log: (line: string) => void
}

type StageRunner = (ctx: StageContext) => Promise<StageReport>

/**
 * A kill moment: uniform over the run, or a short delay after the trigger fires — within what is
 * left of the run then (measured), biased towards the trigger, since a kill after the process
 * ended is wasted.
 */
function planKill(
  rng: Rng,
  runMs: number,
  trigger: KillPlan['trigger'],
  aimedWindowMs: number,
): KillPlan {
  if (trigger && rng.chance(0.5))
    return {delayMs: Math.round(rng.next() * rng.next() * aimedWindowMs), trigger}
  return {delayMs: Math.round(rng.next() * runMs)}
}

function newReport(stage: Stage, runMs: number): StageReport {
  return {
    stage,
    kills: 0,
    aimed: 0,
    finishedFirst: 0,
    outcomes: {},
    reruns: 0,
    inconsistent: [],
    runMs: Math.round(runMs),
    elapsedMs: 0,
  }
}

const count = (r: StageReport, outcome: string) =>
  (r.outcomes[outcome] = (r.outcomes[outcome] ?? 0) + 1)

async function timedRun(args: string[], runOpts: RunOptions): Promise<number> {
  return (await measuredRun(args, runOpts)).runMs
}

/**
 * A normal run, timed: its duration, and how long it still ran after `trigger` fired (the
 * writing phase the aimed kills are spread over).
 */
async function measuredRun(
  args: string[],
  runOpts: RunOptions,
  trigger?: KillPlan['trigger'],
): Promise<{runMs: number; writeMs: number}> {
  const r = await runAndKill(
    NODE,
    args,
    trigger ? {delayMs: Number.POSITIVE_INFINITY, trigger} : undefined,
    runOpts,
  )
  if (r.code !== 0) throw new Error(`setup run failed (${r.code}): ${args.join(' ')}\n${r.stderr}`)
  return {
    runMs: r.elapsedMs,
    writeMs: r.triggeredAtMs === undefined ? 50 : Math.max(10, r.elapsedMs - r.triggeredAtMs),
  }
}

function removeDataset(path: string): void {
  for (const s of ['', '-wal', '-shm', '-journal']) rmSync(path + s, {force: true})
}

/** Copy a closed dataset file (no WAL beside it) to `to`, replacing whatever is there. */
function restoreDataset(from: string, to: string): void {
  removeDataset(to)
  copyFileSync(from, to)
}

/** Count run `i`: a kill (aimed or not), or a run that finished first (and must have succeeded). */
function tally(report: StageReport, i: number, outcome: RunOutcome): RunOutcome {
  if (!outcome.killed) {
    report.finishedFirst++
    if (outcome.code !== 0)
      report.inconsistent.push(`run ${i} (not killed) failed: ${outcome.stderr.slice(0, 300)}`)
  } else {
    report.kills++
    if (outcome.triggered) report.aimed++
  }
  return outcome
}

/**
 * Shared loop of the dataset stages: the dataset starts in a known state, a killed run must
 * leave an allowed one, and a re-run must reach `done`.
 */
async function datasetLoop(
  ctx: StageContext,
  report: StageReport,
  step: {
    dataset: string
    /** The command of iteration `i`, the digest it leads to, and the states it may leave, by name. */
    next(i: number, current: string): {args: string[]; allowed: Map<string, string>; done: string}
    runMs: number
    aimedWindowMs: number
  },
): Promise<void> {
  const started = performance.now()
  let current = inspectDataset(step.dataset).digest
  for (let i = 0; report.kills < ctx.kills && i < ctx.kills * 4; i++) {
    const {args, allowed, done} = step.next(i, current)
    const plan = planKill(ctx.rng, step.runMs, walWriteTrigger(step.dataset), step.aimedWindowMs)
    const outcome = tally(report, i, await runAndKill(NODE, args, plan, ctx.runOpts))
    const state = inspectDataset(step.dataset)
    const name = allowed.get(state.digest)
    if (state.problems.length > 0)
      report.inconsistent.push(`kill ${report.kills}: ${state.problems.join('; ')}`)
    else if (name === undefined)
      report.inconsistent.push(
        `kill ${report.kills}: content is neither of the allowed states (${[...allowed.values()].join(', ')})`,
      )
    else if (outcome.killed) count(report, name)
    current = state.digest
    if (outcome.killed && (report.kills % ctx.rerunEvery === 0 || report.kills === ctx.kills)) {
      report.reruns++
      const rerun = await runToEnd(NODE, args, ctx.runOpts)
      const after = inspectDataset(step.dataset)
      if (rerun.code !== 0)
        report.inconsistent.push(
          `re-run after kill ${report.kills} failed (${rerun.code}): ${rerun.stderr.slice(0, 300)}`,
        )
      else if (after.problems.length > 0 || after.digest !== done)
        report.inconsistent.push(
          `re-run after kill ${report.kills} did not reach the after state ${after.problems.join('; ')}`,
        )
      current = after.digest
    }
  }
  report.elapsedMs = Math.round(performance.now() - started)
}

/**
 * A CLI that writes a dataset from one input file, run alternately on two versions of it (X, then
 * X ⇄ Y): reference digests of both from a reference dataset, then kills in the stage's dataset.
 */
async function alternatingStage(
  ctx: StageContext,
  stage: Stage,
  inputs: {X: string; Y: string},
  args: (file: string, ds: string) => string[],
): Promise<StageReport> {
  // Reference states, and how long a normal run takes.
  const ref = join(ctx.dir, 'ref.sqlite')
  const [x, y] = [
    await measuredRun(args(inputs.X, ref), ctx.runOpts, walWriteTrigger(ref)),
    await measuredRun(args(inputs.Y, ref), ctx.runOpts, walWriteTrigger(ref)),
  ]
  const runMs = (x.runMs + y.runMs) / 2
  const digestY = inspectDataset(ref).digest
  await timedRun(args(inputs.X, ref), ctx.runOpts)
  const digestX = inspectDataset(ref).digest

  const report = newReport(stage, runMs)
  const dataset = join(ctx.dir, 'dataset.sqlite')
  await datasetLoop(ctx, report, {
    dataset,
    runMs,
    aimedWindowMs: (x.writeMs + y.writeMs) / 2,
    next(_i, current) {
      // From nothing (the first run creates the file) to X, then X ⇄ Y (Y updates and deletes, X creates again).
      const to = current === digestX ? 'Y' : 'X'
      const target = to === 'X' ? digestX : digestY
      return {
        args: args(inputs[to], dataset),
        allowed: new Map([
          [current, 'before'],
          [target, 'after'],
        ]),
        done: target,
      }
    },
  })
  return report
}

/** `npm run import` of a generated listicle, alternating between two versions of it. */
const importStage: StageRunner = async (ctx) => {
  const files = {X: join(ctx.dir, 'list-a.md'), Y: join(ctx.dir, 'list-b.md')}
  writeFileSync(files.X, listicle(ctx.benefits, 'A'))
  writeFileSync(files.Y, listicle(ctx.benefits, 'B'))
  return alternatingStage(ctx, 'import', files, (file, ds) => [
    cli('import'),
    file,
    '--dataset',
    ds,
    '--quiet',
    '--json',
  ])
}

/** `npm run dataset -- import --replace` of 2500 documents, alternating between two versions. */
const ndjsonStage: StageRunner = async (ctx) => {
  const files = {X: join(ctx.dir, 'p.ndjson'), Y: join(ctx.dir, 'q.ndjson')}
  writeFileSync(files.X, bulkNdjson(2500, 'P'))
  writeFileSync(files.Y, bulkNdjson(2500, 'Q'))
  return alternatingStage(ctx, 'ndjson', files, (file, ds) => [
    cli('store'),
    'import',
    file,
    '--dataset',
    ds,
    '--replace',
    '--quiet',
    '--json',
  ])
}

/** `npm run migrate` (three migrations, one transaction each) over generated pre-migration content. */
const migrateStage: StageRunner = async (ctx) => {
  const base = join(ctx.dir, 'base.sqlite')
  const seedFile = join(ctx.dir, 'pre.ndjson')
  writeFileSync(seedFile, premigrationNdjson(600, 120))
  await timedRun([cli('store'), 'import', seedFile, '--dataset', base, '--quiet'], ctx.runOpts)
  const ref = join(ctx.dir, 'ref.sqlite')
  restoreDataset(base, ref)
  const digests = [inspectDataset(ref).digest]
  const list = await runToEnd(
    NODE,
    [cli('migrate'), '--list', '--json', '--dataset', ref],
    ctx.runOpts,
  )
  const ids = (JSON.parse(list.stdout) as {pending: string[]}).pending
  for (const id of ids) {
    await timedRun([cli('migrate'), id, '--dataset', ref, '--quiet'], ctx.runOpts)
    digests.push(inspectDataset(ref).digest)
  }
  const all = join(ctx.dir, 'timing.sqlite')
  restoreDataset(base, all)
  const {runMs, writeMs} = await measuredRun(
    [cli('migrate'), '--dataset', all, '--quiet', '--json'],
    ctx.runOpts,
    walWriteTrigger(all),
  )
  const allowed = new Map(
    digests.map((d, i) => [
      d,
      i === 0 ? 'before' : i === ids.length ? 'after' : `after ${i} of ${ids.length}`,
    ]),
  )
  const done = digests.at(-1)!

  const report = newReport('migrate', runMs)
  const dataset = join(ctx.dir, 'dataset.sqlite')
  restoreDataset(base, dataset)
  await datasetLoop(ctx, report, {
    dataset,
    runMs,
    aimedWindowMs: writeMs,
    next(_i, current) {
      // Once everything is applied a run has nothing left to do: start over from the base.
      if (current === done) restoreDataset(base, dataset)
      return {args: [cli('migrate'), '--dataset', dataset, '--quiet', '--json'], allowed, done}
    },
  })
  return report
}

/**
 * `npm run export` into one output folder, the dataset changing between runs:
 * - `export`: alternating between two datasets (every page changes; a full export and swap);
 * - `export-edit`: one dataset, one benefit's summary toggled between two values (the export
 *   cache may make it an incremental export).
 */
function exportStage(mode: 'swap' | 'edit'): StageRunner {
  return async (ctx) => {
    const lists = {A: join(ctx.dir, 'list-a.md'), B: join(ctx.dir, 'list-b.md')}
    // Half the import stage's size: the export's cost grows with the pages, its start-up does not.
    const size = Math.max(10, Math.round(ctx.benefits / 2))
    writeFileSync(lists.A, listicle(size, 'A'))
    writeFileSync(lists.B, listicle(size, 'B'))
    const datasets = {A: join(ctx.dir, 'a.sqlite'), B: join(ctx.dir, 'b.sqlite')}
    for (const v of ['A', 'B'] as const)
      await timedRun([cli('import'), lists[v], '--dataset', datasets[v], '--quiet'], ctx.runOpts)
    // In edit mode both "versions" are states of one dataset file; `prepare(v)` puts it there.
    const edited = join(ctx.dir, 'edited', 'dataset.sqlite')
    let editTarget = ''
    if (mode === 'edit') {
      mkdirSync(join(edited, '..'))
      copyFileSync(datasets.A, edited)
      const ds = Dataset.open(edited)
      editTarget = ds.documents({types: ['benefit']})[0]!._id
      ds.close()
    }
    const prepare = (v: 'A' | 'B', path = edited) => {
      if (mode === 'swap') return
      // A fixed clock per version: `_updatedAt` shows in the pages, and must not differ between the reference and the run.
      const ds = Dataset.open(path, {
        now: () => new Date(v === 'A' ? '2026-02-01T00:00:00Z' : '2026-02-02T00:00:00Z'),
      })
      try {
        ds.transaction(
          [
            {
              patch: {
                id: editTarget,
                set: {summary: `Summary version ${v}: collagen builds over several sessions.`},
              },
            },
          ],
          {author: 'crash harness'},
        )
      } finally {
        ds.close()
      }
    }
    const datasetFor = (v: 'A' | 'B') => (mode === 'swap' ? datasets[v] : edited)
    const args = (v: 'A' | 'B', out: string, dataset = datasetFor(v)) => [
      cli('feeds'),
      '--dataset',
      dataset,
      '--out',
      out,
      '--now',
      '2026-01-01T00:00:00Z',
      '--quiet',
      '--json',
    ]

    // Reference exports of both versions, each from its own dataset copy (full exports), and timing.
    const refs = {A: join(ctx.dir, 'ref-a', 'dist'), B: join(ctx.dir, 'ref-b', 'dist')}
    // Every export writes in work folders beside dist (scripts/feeds/leftovers.ts): `dist.tmp-<pid>-<hex>`
    // (a full export's new tree, the hard-link copy an incremental one edits, or its staged files and
    // commit journal) and `dist.old-<pid>-<hex>` (the previous tree during the swap).
    const writing = (name: string) => name.startsWith('dist.tmp-') || name.startsWith('dist.old-')
    const timing = []
    for (const v of ['A', 'B'] as const) {
      mkdirSync(join(refs[v], '..'), {recursive: true})
      let source = datasets[v]
      if (mode === 'edit') {
        source = join(refs[v], '..', 'dataset.sqlite')
        copyFileSync(datasets.A, source)
        prepare(v, source)
      }
      timing.push(
        await measuredRun(args(v, refs[v], source), ctx.runOpts, {
          dir: join(refs[v], '..'),
          match: writing,
          recursive: true,
        }),
      )
    }
    const runMs = (timing[0]!.runMs + timing[1]!.runMs) / 2
    const writeMs = (timing[0]!.writeMs + timing[1]!.writeMs) / 2
    const digests = {A: inspectExport(refs.A).digest, B: inspectExport(refs.B).digest}

    const report = newReport(mode === 'swap' ? 'export' : 'export-edit', runMs)
    const started = performance.now()
    const siteDir = join(ctx.dir, 'site')
    mkdirSync(siteDir)
    const out = join(siteDir, 'dist')
    let current: 'A' | 'B' | undefined
    for (let i = 0; report.kills < ctx.kills && i < ctx.kills * 4; i++) {
      const to = current === 'A' ? 'B' : 'A'
      prepare(to)
      const plan = planKill(
        ctx.rng,
        runMs,
        {dir: siteDir, match: writing, recursive: true},
        writeMs,
      )
      const outcome = tally(report, i, await runAndKill(NODE, args(to, out), plan, ctx.runOpts))
      const st = inspectExport(out)
      let name: string | undefined
      if (st.complete && st.digest === digests[to]) name = 'after'
      else if (st.complete && current && st.digest === digests[current]) name = 'before'
      else if (!st.exists && current === undefined) name = 'before'
      else if (!st.exists && current) {
        // Killed between the two renames of the swap: the previous export sits complete in `dist.old-*`,
        // and the next export puts it back. Allowed only in exactly that shape.
        const olds = st.siblings
          .filter((n) => n.startsWith('dist.old-'))
          .map((n) => inspectExport(join(siteDir, n)))
        if (olds.some((o) => o.complete && o.digest === digests[current!]))
          name = 'swap window (recovered by the next run)'
      }
      if (name === undefined) {
        const what = st.exists
          ? st.complete
            ? 'a complete but unexpected export'
            : `partial (${st.problems.slice(0, 3).join('; ')})`
          : 'missing'
        report.inconsistent.push(
          `kill ${report.kills}${outcome.killed ? '' : ' (run not killed)'}: dist is ${what}`,
        )
      } else {
        if (outcome.killed) count(report, name)
        if (name === 'after') current = to
      }
      if (outcome.killed && (report.kills % ctx.rerunEvery === 0 || report.kills === ctx.kills)) {
        report.reruns++
        const rerun = await runToEnd(NODE, args(to, out), ctx.runOpts)
        const after = inspectExport(out)
        if (rerun.code !== 0)
          report.inconsistent.push(
            `re-run after kill ${report.kills} failed (${rerun.code}): ${rerun.stderr.slice(0, 300)}`,
          )
        else if (!after.complete || after.digest !== digests[to])
          report.inconsistent.push(
            `re-run after kill ${report.kills} did not leave the new export (${after.problems.slice(0, 3).join('; ')})`,
          )
        else if (after.siblings.length > 0)
          report.inconsistent.push(
            `re-run after kill ${report.kills} left ${after.siblings.join(', ')} beside dist`,
          )
        else current = to
      }
    }
    report.elapsedMs = Math.round(performance.now() - started)
    return report
  }
}

const STAGE_RUNNERS: Record<Stage, StageRunner> = {
  import: importStage,
  ndjson: ndjsonStage,
  migrate: migrateStage,
  export: exportStage('swap'),
  'export-edit': exportStage('edit'),
}
