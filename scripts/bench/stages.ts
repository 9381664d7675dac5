/**
 * The benchmark's stages. Each runs in a child process of its own (stage.ts), so its peak memory
 * is its own and no stage warms another's heap; each times only its operation (module loading
 * and Node's start-up are not counted, for the floor as for everything else).
 */
import {spawnSync} from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {exportFeeds} from '../feeds/export.ts'
import {disableTelemetry} from '../lib/env.ts'
import {ROOT} from '../lib/paths.ts'
import {createLocalSource, runQuery, type LocalSource} from '../query/local.ts'
import {Dataset} from '../store/dataset.ts'
import {importNdjson} from '../store/ndjson.ts'
import {applyEdit, type EditKind} from '../synthetic/edits.ts'
import {generateDataset, toNdjson} from '../synthetic/generate.ts'
import {BENCH_QUERIES, SLUG_PARAM_QUERY} from './queries.ts'

export type StageResult = Record<string, unknown> & {ms: number}
type Progress = (message: string) => void

const timed = async <T>(fn: () => T | Promise<T>): Promise<{value: T; ms: number}> => {
  const started = performance.now()
  const value = await fn()
  return {value, ms: performance.now() - started}
}

/** The synthetic dataset as NDJSON (not timed as a stage figure, but reported). */
export async function generate(args: {
  size: number
  seed: number
  file: string
}): Promise<StageResult> {
  const {value: text, ms} = await timed(() =>
    toNdjson(generateDataset({size: args.size, seed: args.seed})),
  )
  mkdirSync(dirname(args.file), {recursive: true})
  writeFileSync(args.file, text)
  return {ms, bytes: Buffer.byteLength(text), documents: args.size}
}

/**
 * The floor: read the NDJSON file, parse every line, serialize every document again and write the
 * file. Reading and writing the data once is the least any export of it can do.
 */
export async function floor(args: {file: string; out: string}): Promise<StageResult> {
  const {value: bytes, ms} = await timed(() => {
    const text = readFileSync(args.file, 'utf8')
    const docs: unknown[] = []
    for (const line of text.split('\n')) if (line) docs.push(JSON.parse(line))
    const lines = new Array<string>(docs.length)
    for (let i = 0; i < docs.length; i++) lines[i] = JSON.stringify(docs[i])
    const out = `${lines.join('\n')}\n`
    writeFileSync(args.out, out)
    return Buffer.byteLength(out)
  })
  rmSync(args.out, {force: true})
  return {ms, bytes}
}

/**
 * Context for the export figures: what creating the export's files costs on this machine without
 * writing anything — one empty file per document in one folder (where web/benefits/ puts 70% of
 * them), then removing them. Not a target; it shows how much of an export is the file system's.
 */
export async function createFiles(args: {dir: string; count: number}): Promise<StageResult> {
  rmSync(args.dir, {recursive: true, force: true})
  mkdirSync(args.dir, {recursive: true})
  const {ms} = await timed(() => {
    for (let i = 0; i < args.count; i++)
      closeSync(openSync(join(args.dir, `page-${i}-of-a-benefit-slug.json`), 'wx'))
  })
  rmSync(args.dir, {recursive: true, force: true})
  return {ms, files: args.count, perFileUs: Math.round((1000 * ms) / args.count)}
}

export async function importStage(args: {file: string; dataset: string}): Promise<StageResult> {
  rmSync(args.dataset, {force: true})
  for (const suffix of ['-wal', '-shm']) rmSync(args.dataset + suffix, {force: true})
  const {value: counts, ms} = await timed(() => {
    const ds = Dataset.open(args.dataset)
    try {
      return importNdjson(ds, readFileSync(args.file, 'utf8'), {file: args.file})
    } finally {
      ds.close()
    }
  })
  return {ms, ...counts}
}

/** Validation as `npm run validate` does it (cache next to the dataset, workers when worth it). */
export async function validate(
  args: {dataset: string; fresh?: boolean; workers?: number},
  progress: Progress,
): Promise<StageResult> {
  disableTelemetry()
  // Loaded here: `sanity` is heavy, and no other stage should carry it in its memory figure.
  const {validationCachePath} = await import('../validate/cache.ts')
  const {validateDocuments} = await import('../validate/run.ts')
  // run.ts loads the Studio's rules only when a document needs them: load them before the clock
  // starts, as before, so the figures stay the rules' and not module loading's.
  await import('../validate/studio.ts')
  const cache = validationCachePath(args.dataset)
  if (args.fresh) rmSync(cache, {force: true})
  const {value: report, ms} = await timed(async () => {
    const ds = Dataset.open(args.dataset)
    const docs = ds.documents()
    ds.close()
    return validateDocuments(docs, {
      cache,
      ...(args.workers !== undefined ? {workers: args.workers} : {}),
      onProgress: (d, t) => progress(`validated ${d}/${t}`),
    })
  })
  return {
    ms,
    documents: report.documents,
    validated: report.validated,
    reused: report.reused,
    workers: report.workers,
    errors: report.errors,
    warnings: report.warnings,
  }
}

/** One edit, as an editor's publish would (one transaction). */
export async function edit(args: {
  dataset: string
  kind: EditKind
  n: number
}): Promise<StageResult> {
  const {ms} = await timed(() => {
    const ds = Dataset.open(args.dataset)
    try {
      applyEdit(ds, args.kind, args.n)
    } finally {
      ds.close()
    }
  })
  return {ms, kind: args.kind}
}

/**
 * An export as `npm run export` does it: the publish gate first (validation through the cache
 * beside the dataset), then the export, incremental when its cache allows, unless `full`.
 *
 * The gate is measured warm, as after `npm run validate`: an export stage that follows an edit
 * no validate stage saw (the repeats of the incremental export) would otherwise time a cold
 * start of the Studio's rules (~2 s of loading `sanity`) as export time. So `npm run validate`
 * runs first, untimed, in a process of its own (its memory is not this stage's); `warmUp` says
 * what it validated, `gateMs` what the (warm) gate cost within `ms`.
 */
export async function exportStage(
  args: {dataset: string; out: string; full?: boolean; cache?: boolean},
  progress: Progress,
): Promise<StageResult> {
  disableTelemetry()
  const warm = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'validate', 'cli.ts'), '--dataset', args.dataset, '--json', '--quiet'],
    {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024},
  )
  const warmUp = (() => {
    try {
      const r = JSON.parse(warm.stdout) as {validated: number; errors: number; ms: number}
      return {validated: r.validated, errors: r.errors, ms: r.ms}
    } catch {
      throw new Error(`validation before the export failed: ${warm.stderr.slice(0, 2000)}`)
    }
  })()
  const {value: s, ms} = await timed(() =>
    exportFeeds({
      dataset: args.dataset,
      out: args.out,
      gate: true,
      ...(args.full ? {incremental: false} : {}),
      ...(args.cache === false ? {cacheDir: false} : {}),
      onProgress: progress,
    }),
  )
  return {
    ms,
    gateMs: s.validation?.ms,
    gateValidated: s.validation?.validated,
    warmUp,
    mode: s.mode,
    files: s.files,
    bytes: s.bytes,
    changedFiles: s.changedFiles,
    ...(s.fullReason ? {fullReason: s.fullReason} : {}),
  }
}

/** Byte-for-byte comparison of two output folders: same files, same bytes. */
export async function compareTrees(args: {a: string; b: string}): Promise<StageResult> {
  const {value, ms} = await timed(() => {
    const list = (root: string) => {
      const out: string[] = []
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, {withFileTypes: true})) {
          const p = join(dir, e.name)
          if (e.isDirectory()) walk(p)
          else out.push(relative(root, p))
        }
      }
      walk(root)
      return out.sort()
    }
    const a = list(args.a)
    const b = list(args.b)
    const differing: string[] = []
    const bSet = new Set(b)
    for (const p of a) {
      if (!bSet.has(p)) differing.push(p)
      else if (
        statSync(join(args.a, p)).size !== statSync(join(args.b, p)).size ||
        !readFileSync(join(args.a, p)).equals(readFileSync(join(args.b, p)))
      )
        differing.push(p)
    }
    const aSet = new Set(a)
    for (const p of b) if (!aSet.has(p)) differing.push(p)
    return {files: a.length, identical: differing.length === 0, differing: differing.slice(0, 20)}
  })
  return {ms, ...value}
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!
}

/** The project's in-process query source over a dataset file (read once, the file closed after). */
export function localSource(dataset: string): LocalSource {
  const ds = Dataset.open(dataset)
  try {
    return createLocalSource(ds)
  } finally {
    ds.close()
  }
}

/** Each bench query in process, through the project's query path: p50 of `runs` after a warm-up. */
export async function groq(args: {dataset: string; runs: number}): Promise<StageResult> {
  const {value: source, ms: loadMs} = await timed(() => localSource(args.dataset))
  const slug = await runQuery<string>(source, SLUG_PARAM_QUERY)
  const queries: Record<string, {p50: number; min: number; runs: number}> = {}
  let total = 0
  for (const q of BENCH_QUERIES) {
    const params = q.slug ? {slug} : {}
    const runs = q.api ? args.runs : Math.max(3, Math.min(args.runs, 5))
    await runQuery(source, q.query, params)
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const {ms} = await timed(() => runQuery(source, q.query, params))
      times.push(ms)
      total += ms
    }
    queries[q.name] = {p50: percentile(times, 0.5), min: Math.min(...times), runs}
  }
  return {ms: total, loadMs, slug, queries}
}

/** A content hash of a tree's manifest, to name an output in reports. */
