/**
 * `npm run bench -- [--sizes 1000,10000,100000] [--seed <n>] [--runs <n>] [--edits <n>] [--repeat <n>] [--serve-seconds <n>] [--connections <n>] [--work-dir <dir>] [--keep] [--json]`
 *
 * Generates seeded synthetic datasets shaped like ours (scripts/synthetic/generate.ts) and measures, in the same
 * run and each stage in a process of its own: the floor (read + parse + stringify + write the
 * NDJSON), import into the embedded store, full and incremental validation, full export, GROQ in
 * process and over the local API, an incremental export after a one-document edit — checked byte
 * for byte against a full export of the same data — and each stage's peak memory. The stages the
 * targets compare (floor, full export, incremental export) run `--repeat` times and count their
 * fastest run: on a shared host one run of the same export varied by ±25%. Last, serving under
 * load: `npm run serve` and nginx from its configuration over the same output, with autocannon.
 */
import {mkdtempSync, mkdirSync, promises as fsp, rmSync, statfsSync} from 'node:fs'
import {availableParallelism, cpus, loadavg, tmpdir, totalmem} from 'node:os'
import {join, resolve} from 'node:path'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {runStage, type StageRun} from './child.ts'
import {DEFAULT_SEED} from '../synthetic/generate.ts'
import {sizeFigures, table, targets, type SizeResult} from './report.ts'

export const DEFAULT_SIZES = [1000, 10_000, 100_000]

const spec = {
  usage:
    'npm run bench -- [--sizes 1000,10000,100000] [--seed <n>] [--runs <n>] [--edits <n>] [--repeat <n>] [--serve-seconds <n>] [--connections <n>] [--work-dir <dir>] [--keep] [--json]',
  summary:
    'Benchmarks the pipeline on seeded synthetic datasets: the floor (NDJSON read + parse + stringify + write),\nimport, validation (full and after a one-document edit), full export, incremental export (checked byte for\nbyte against a full one), GROQ in process and through the local API, publish latency (edits through the\nlocal API until their files are in place), serving (npm run serve against nginx on the same folder, with\nautocannon: 304s and 200s of a partner feed and of web pages, and the p99 while publishing), and peak memory per stage.\nProgress on stderr; a table, or with --json one object with every figure, on stdout.',
  options: {
    sizes: {type: 'string'},
    seed: {type: 'string'},
    runs: {type: 'string'},
    edits: {type: 'string'},
    repeat: {type: 'string'},
    'serve-seconds': {type: 'string'},
    connections: {type: 'string'},
    'work-dir': {type: 'string'},
    keep: {type: 'boolean'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    sizes: `Dataset sizes, comma-separated (default ${DEFAULT_SIZES.join(',')}; each ≥ 20)`,
    seed: `Generator seed (default ${DEFAULT_SEED})`,
    runs: 'Timed runs per GROQ query (default 15)',
    edits: 'Edits timed for the publish latency, after one untimed warm-up edit (default 24)',
    repeat:
      'Runs of the floor, the full export and the incremental export; the fastest counts (default 2)',
    'serve-seconds':
      'Seconds per autocannon run of the serving stage (default 5, below 10k documents 2; 9 runs and a 1 s warm-up per case and server)',
    connections: 'Concurrent connections of the serving stage (default 50)',
    'work-dir':
      'Where datasets and outputs go (default: a fresh folder in /dev/shm when it has 8 GiB free, else in the system temp dir)',
    keep: 'Keep the work folder',
    json: 'Print one JSON object with every figure',
    quiet: 'No progress on stderr',
  },
} as const

function positiveInt(text: string, what: string, min = 1): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${what} must be a whole number ≥ ${min}, got "${text}"`)
  return n
}

await runCli(async () => {
  disableTelemetry()
  const {values} = parseCli(spec)
  const sizes =
    values.sizes === undefined
      ? DEFAULT_SIZES
      : values.sizes.split(',').map((s) => positiveInt(s.trim(), '--sizes', 20))
  const seed = values.seed === undefined ? DEFAULT_SEED : positiveInt(values.seed, '--seed', 0)
  const runs = values.runs === undefined ? 15 : positiveInt(values.runs, '--runs')
  const edits = values.edits === undefined ? 24 : positiveInt(values.edits, '--edits')
  const repeat = values.repeat === undefined ? 2 : positiveInt(values.repeat, '--repeat')
  const serveSeconds =
    values['serve-seconds'] === undefined
      ? undefined
      : positiveInt(values['serve-seconds'], '--serve-seconds')
  const connections =
    values.connections === undefined ? 50 : positiveInt(values.connections, '--connections')
  const root = values['work-dir']
    ? resolve(values['work-dir'])
    : mkdtempSync(join(defaultWorkParent(), 'bench-'))
  mkdirSync(root, {recursive: true})
  const started = performance.now()
  const say = (m: string) =>
    progress(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${m}`)
  const results: SizeResult[] = []
  try {
    for (const size of sizes) {
      const dir = join(root, String(size))
      rmSync(dir, {recursive: true, force: true})
      mkdirSync(dir, {recursive: true})
      const file = join(dir, 'dataset.ndjson')
      const dataset = join(dir, 'dataset.sqlite')
      const out = join(dir, 'dist')
      const verify = join(dir, 'dist-full')
      const stage = async (
        name: string,
        label: string,
        args: Record<string, unknown>,
      ): Promise<StageRun> => {
        say(`${size}: ${label}`)
        const r = await runStage(name, args, (line) => say(`${size}:   ${line}`))
        say(`${size}: ${label} — ${Math.round(r.ms)} ms, ${r.rssMb} MB`)
        return r
      }
      /** `repeat` runs of a stage: the fastest, with every run's time and the highest peak memory. */
      const fastest = async (
        label: string,
        run: (i: number) => Promise<StageRun>,
      ): Promise<StageRun> => {
        const all: StageRun[] = []
        for (let i = 0; i < repeat; i++) all.push(await run(i))
        const best = all.reduce((a, b) => (b.ms < a.ms ? b : a))
        say(`${size}: ${label} — fastest of ${repeat}: ${Math.round(best.ms)} ms`)
        return {
          ...best,
          rssMb: Math.max(...all.map((r) => r.rssMb)),
          runsMs: all.map((r) => Math.round(r.ms)),
        }
      }
      const nth = (label: string, i: number) =>
        repeat > 1 ? `${label}, run ${i + 1} of ${repeat}` : label
      const generate = await stage('generate', 'generate', {size, seed, file})
      const floor = await fastest('floor', (i) =>
        stage('floor', nth('floor (read + parse + stringify + write)', i), {
          file,
          out: join(dir, 'floor.ndjson'),
        }),
      )
      const files = await stage(
        'files',
        `create ${size} empty files (file system cost, for context)`,
        {dir: join(dir, 'files'), count: size},
      )
      const imported = await stage('import', 'import into the embedded store', {file, dataset})
      const validateFull = await stage('validate', 'validate (full)', {dataset, fresh: true})
      // Every run a full export into a folder of its own (with its own export cache); the first
      // one's folder is the one the incremental export then updates.
      const exportFull = await fastest('export (full)', async (i) => {
        const target = i === 0 ? out : join(dir, `dist-repeat-${i}`)
        const r = await stage('export', nth('export (full)', i), {dataset, out: target})
        if (i > 0) await fsp.rm(target, {recursive: true, force: true})
        return r
      })
      const groq = await stage('groq', 'GROQ in process', {dataset, runs})
      let api: StageRun | undefined
      let apiError: string | undefined
      try {
        api = await stage('api', 'GROQ through the local API', {dataset, runs, workDir: dir})
      } catch (e) {
        apiError = (e as Error).message.split('\n')[0]
        say(`${size}: local API not measured: ${apiError}`)
      }
      await stage('edit', 'edit one document', {dataset, kind: 'retitle-benefit', n: 1})
      const validateIncremental = await stage('validate', 'validate (incremental)', {dataset})
      // Each run after an edit of its own (the same benefit retitled again).
      const exportIncremental = await fastest('export (incremental)', async (i) => {
        if (i > 0)
          await stage('edit', 'edit one more document', {
            dataset,
            kind: 'retitle-benefit',
            n: i + 1,
          })
        return stage('export', nth('export (incremental)', i), {dataset, out})
      })
      const exportVerify = await stage('export', 'export (full, for comparison)', {
        dataset,
        out: verify,
        cache: false,
      })
      const compare = await stage('compare', 'compare incremental and full output', {
        a: out,
        b: verify,
      })
      // Last: its edits change the dataset the stages above measured.
      const publish = await stage(
        'publish',
        `publish latency (${edits} edits through the local API)`,
        {
          dataset,
          out,
          edits,
          workDir: dir,
        },
      )
      // After the publish stage, on the output it left: the Node server against nginx.
      let serve: StageRun | undefined
      let serveError: string | undefined
      try {
        serve = await stage('serve', 'serving under load (npm run serve and nginx, autocannon)', {
          dataset,
          out,
          workDir: dir,
          // Shorter runs where the sizes are for trying things out.
          seconds: serveSeconds ?? (size >= 10_000 ? 5 : 2),
          connections,
          edits: Math.min(edits, 8),
        })
      } catch (e) {
        serveError = (e as Error).message
        say(`${size}: serving not measured: ${serveError}`)
      }
      results.push({
        size,
        ndjsonBytes: Number(generate.bytes),
        generate,
        floor,
        files,
        import: imported,
        validateFull,
        validateIncremental,
        exportFull,
        exportIncremental,
        exportVerify,
        compare,
        groq,
        ...(api ? {api} : {}),
        ...(apiError ? {apiError} : {}),
        publish,
        ...(serve ? {serve} : {}),
        ...(serveError ? {serveError: serveError.split('\n')[0]!} : {}),
      })
      if (!values.keep) {
        say(`${size}: cleaning up`)
        // The thread pool unlinks in parallel: several times faster than rmSync on 200k files.
        await fsp.rm(dir, {recursive: true, force: true})
      }
    }
  } finally {
    if (!values.keep && !values['work-dir']) await fsp.rm(root, {recursive: true, force: true})
  }
  const figures = results.map(sizeFigures)
  const t = targets(figures)
  const totalMs = Math.round(performance.now() - started)
  // `ok` says the run completed (every stage, the byte-for-byte comparison); the targets say how it went.
  const missed = Object.entries(t).flatMap(([name, v]) =>
    v && typeof v === 'object' && 'met' in v && !v.met ? [name] : [],
  )
  if (values.json) {
    const machine = {
      cpus: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    }
    process.stdout.write(
      `${JSON.stringify({ok: true, targetsMet: missed.length === 0, missedTargets: missed, seed, sizes, machine, results: figures, targets: t, totalMs, workDir: root, workDirKept: Boolean(values.keep || values['work-dir'])})}\n`,
    )
  } else {
    process.stdout.write(
      `${table(figures, t)}\n\ntotal ${(totalMs / 1000).toFixed(0)} s${values.keep ? `; files kept in ${root}` : ''}\n`,
    )
  }
  return 0
})

/**
 * The RAM disk when there is room: on the VMs measured, creating the same 100k files on the ext4
 * disk took anywhere from 6 to 37 s from one run to the next (the host's I/O, not our code), which
 * would swamp every ratio. `--work-dir` measures on a disk of your choice; the `files` stage shows
 * what creating one file per page costs wherever the run is.
 */
function defaultWorkParent(): string {
  try {
    const fs = statfsSync('/dev/shm')
    if (fs.bavail * fs.bsize >= 8 * 2 ** 30) return '/dev/shm'
  } catch {
    // No /dev/shm (not Linux): the system temp dir.
  }
  return tmpdir()
}
