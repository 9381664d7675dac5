/**
 * The benchmark's figures: per size, every stage's time and peak memory with its ratio to the
 * floor; across sizes, the scaling exponents; and the issue's targets, met or not. Pure.
 */
import type {StageRun} from './child.ts'
import type {LoadFigures} from './serve.ts'

export interface SizeResult {
  size: number
  ndjsonBytes: number
  generate: StageRun
  floor: StageRun
  /** Creating one empty file per document: the file system's share of an export (context, not a target). */
  files: StageRun
  import: StageRun
  validateFull: StageRun
  validateIncremental: StageRun
  exportFull: StageRun
  exportIncremental: StageRun
  exportVerify: StageRun
  compare: StageRun
  groq: StageRun
  /** Undefined when the local API could not be started (reason in apiError). */
  api?: StageRun
  apiError?: string
  /** Edits through the local API, each until its files are in place (publish.ts). */
  publish?: StageRun
  /** npm run serve against nginx on the same output, with autocannon (serve.ts). */
  serve?: StageRun
  serveError?: string
}

/** The serving cases (serve.ts), in the order they are reported. */
export const SERVE_CASES = ['web304', 'web200', 'partner304', 'partner200'] as const

type ServeCases = Record<
  string,
  {node: LoadFigures; nginx: LoadFigures; nodeToNginx: number} | undefined
>
interface ServePublishing {
  edits: number
  ms: number
  idle: LoadFigures
  during: LoadFigures
  p99IdleMs: number
  p99DuringMs: number
  p99Ratio: number
  publishLatencyMs: number[]
}

/** The serving figures: requests/s, p50/p99 per server and case, and the p99 while publishing. */
function servingFigures(s: StageRun) {
  const cases = (s.cases ?? {}) as ServeCases
  const brief = (f: LoadFigures) => ({
    rps: f.rps,
    p50Ms: f.p50Ms,
    p99Ms: f.p99Ms,
    requests: f.requests,
    bytesPerResponse: f.bytesPerResponse,
    errors: f.errors + f.timeouts,
    unexpectedStatuses: f.unexpected,
  })
  const p = s.publishing as ServePublishing
  return {
    seconds: Number(s.seconds),
    connections: Number(s.connections),
    pages: Number(s.pages),
    startMs: Number(s.startMs),
    cases: Object.fromEntries(
      SERVE_CASES.flatMap((name) => {
        const c = cases[name]
        return c
          ? [[name, {node: brief(c.node), nginx: brief(c.nginx), nodeToNginx: c.nodeToNginx}]]
          : []
      }),
    ),
    publishing: {
      edits: p.edits,
      ms: p.ms,
      p99IdleMs: p.p99IdleMs,
      p99DuringMs: p.p99DuringMs,
      p99Ratio: p.p99Ratio,
      maxIdleMs: p.idle.maxMs,
      maxDuringMs: p.during.maxMs,
      rpsIdle: p.idle.rps,
      rpsDuring: p.during.rps,
      statusesDuring: p.during.statuses,
      publishP50Ms: p.publishLatencyMs.length ? percentileOf(p.publishLatencyMs, 0.5) : null,
    },
    rssMb: s.rssMb,
  }
}

const percentileOf = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * q)]!

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits
const ratio = (a: number, b: number) => round(a / b, 2)

/** Every run's time of a repeated stage (its `ms` is the fastest: bench/cli.ts --repeat). */
const runsOf = (s: StageRun): {runsMs?: number[]} =>
  Array.isArray(s.runsMs) ? {runsMs: s.runsMs as number[]} : {}

type QueryTimes = Record<string, {p50: number; min: number; runs: number; inProcessP50?: number}>

/** One size's figures, as the JSON report shows them. */
export function sizeFigures(r: SizeResult) {
  const floorMs = r.floor.ms
  const stage = <E extends Record<string, unknown>>(s: StageRun, extra: E = {} as E) => ({
    ms: round(s.ms),
    rssMb: s.rssMb,
    ratioToFloor: ratio(s.ms, floorMs),
    ...runsOf(s),
    ...extra,
  })
  const inProcess = (r.groq.queries ?? {}) as QueryTimes
  const overApi = (r.api?.queries ?? {}) as QueryTimes
  const queries = Object.fromEntries(
    Object.entries(inProcess).map(([name, q]) => {
      const a = overApi[name]
      return [
        name,
        {
          inProcessP50Ms: round(q.p50, 2),
          // The ratio pairs the API with the in-process runs made between its requests (api.ts).
          ...(a
            ? {
                apiP50Ms: round(a.p50, 2),
                inProcessBesideApiP50Ms: round(a.inProcessP50 ?? q.p50, 2),
                apiToInProcess: ratio(a.p50, a.inProcessP50 ?? q.p50),
              }
            : {}),
          runs: q.runs,
        },
      ]
    }),
  )
  const stages = [
    r.floor,
    r.import,
    r.validateFull,
    r.validateIncremental,
    r.exportFull,
    r.exportIncremental,
    r.exportVerify,
    r.groq,
    ...(r.api ? [r.api] : []),
  ]
  return {
    size: r.size,
    ndjsonBytes: r.ndjsonBytes,
    generateMs: round(r.generate.ms),
    floor: {ms: round(floorMs), rssMb: r.floor.rssMb, ...runsOf(r.floor)},
    createFiles: {
      ms: round(r.files.ms),
      perFileUs: Number(r.files.perFileUs),
      ratioToFloor: ratio(r.files.ms, floorMs),
    },
    import: stage(r.import),
    validation: {
      full: stage(r.validateFull, {
        workers: Number(r.validateFull.workers),
        msPerDocument: round(r.validateFull.ms / r.size, 3),
        errors: Number(r.validateFull.errors),
      }),
      incremental: stage(r.validateIncremental, {
        validated: Number(r.validateIncremental.validated),
        reused: Number(r.validateIncremental.reused),
      }),
    },
    export: {
      full: stage(r.exportFull, {
        files: Number(r.exportFull.files),
        bytes: Number(r.exportFull.bytes),
      }),
      incremental: stage(r.exportIncremental, {
        mode: String(r.exportIncremental.mode),
        changedFiles: Number(r.exportIncremental.changedFiles),
        percentOfFull: round((100 * r.exportIncremental.ms) / r.exportFull.ms, 2),
      }),
      verifyFull: stage(r.exportVerify),
      identicalToFull: r.compare.identical === true,
      ...(r.compare.identical ? {} : {differing: r.compare.differing}),
    },
    groq: {
      loadMs: round(Number(r.groq.loadMs ?? 0)),
      queries,
      ...(r.api
        ? {apiFirstQueryMs: round(Number(r.api.firstMs ?? 0))}
        : {apiError: r.apiError ?? 'not measured'}),
    },
    ...(r.publish
      ? {
          publishLatencyMs: {
            p50: round(Number(r.publish.p50)),
            p95: round(Number(r.publish.p95)),
            max: round(Number(r.publish.max)),
            edits: Number(r.publish.edits),
            firstMs: round(Number(r.publish.firstMs)),
            byKindP50: r.publish.byKindP50 as Record<string, number>,
            rssMb: r.publish.rssMb,
          },
        }
      : {}),
    ...(r.serve
      ? {serving: servingFigures(r.serve)}
      : {servingError: r.serveError ?? 'not measured'}),
    peakRssMb: Math.max(...stages.map((s) => s.rssMb)),
  }
}

export type SizeFigures = ReturnType<typeof sizeFigures>

/** Growth exponent between two sizes: log(t2/t1) / log(n2/n1). */
export const exponent = (n1: number, t1: number, n2: number, t2: number): number =>
  round(Math.log(t2 / t1) / Math.log(n2 / n1), 3)

/** The issue's targets at the largest size (and the 10k→100k exponent when both were run). */
export function targets(figures: readonly SizeFigures[]) {
  const largest = figures.at(-1)
  const find = (n: number) => figures.find((f) => f.size === n)
  const small = find(10_000)
  const big = find(100_000)
  const scalingFrom =
    small && big
      ? [small, big]
      : figures.length >= 2
        ? [figures.at(-2)!, figures.at(-1)!]
        : undefined
  const exp = scalingFrom
    ? exponent(
        scalingFrom[0]!.size,
        scalingFrom[0]!.export.full.ms,
        scalingFrom[1]!.size,
        scalingFrom[1]!.export.full.ms,
      )
    : undefined
  const apiRatios: number[] = largest
    ? Object.values(largest.groq.queries).flatMap((q) =>
        'apiToInProcess' in q && q.apiToInProcess !== undefined ? [q.apiToInProcess] : [],
      )
    : []
  const serving = largest && 'serving' in largest ? largest.serving : undefined
  const serve304Ratios = serving
    ? (['web304', 'partner304'] as const).flatMap((c) => {
        const v = serving.cases[c]?.nodeToNginx
        return v === undefined ? [] : [v]
      })
    : []
  const serve304 = serve304Ratios.length ? Math.min(...serve304Ratios) : undefined
  const check = (value: number | undefined, limit: number) => ({
    value: value ?? null,
    target: limit,
    met: value !== undefined && value <= limit,
  })
  return {
    size: largest?.size ?? null,
    exportToFloor: check(largest?.export.full.ratioToFloor, 3),
    exportPeakRssGiB: check(largest ? round(largest.export.full.rssMb / 1024, 3) : undefined, 1.6),
    exportExponent: {
      ...check(exp, 1.2),
      between: scalingFrom ? scalingFrom.map((f) => f.size) : null,
    },
    incrementalPercentOfFull: check(largest?.export.incremental.percentOfFull, 5),
    incrementalMode: largest?.export.incremental.mode ?? null,
    incrementalIdenticalToFull: {
      value: figures.every((f) => f.export.identicalToFull),
      met: figures.every((f) => f.export.identicalToFull),
    },
    apiP50ToInProcess: {
      ...check(apiRatios.length ? Math.max(...apiRatios) : undefined, 2),
      note: 'worst of the queries timed over the API',
    },
    publishP95Ms: check(largest?.publishLatencyMs?.p95, 1000),
    serve304NodeToNginx: {
      value: serve304 ?? null,
      target: 0.5,
      met: serve304 !== undefined && serve304 >= 0.5,
      note: "Node's 304 requests/s over nginx's on the same folder, the worse of web pages and the partner feed",
    },
    validationMsPerDocument: check(largest?.validation.full.msPerDocument, 0.2),
  }
}

/** The human table: one row per size, then the targets. */
export function table(figures: readonly SizeFigures[], t: ReturnType<typeof targets>): string {
  const rows: string[][] = [
    [
      'docs',
      'floor',
      'files',
      'import',
      'validate',
      'valid. incr.',
      'export',
      '×floor',
      'export RSS',
      'incr.',
      '% full',
      'same',
      'publish p50/p95',
      'GROQ p50 (in proc / API)',
    ],
  ]
  for (const f of figures) {
    const q = Object.entries(f.groq.queries)
      .map(
        ([name, v]) => `${name} ${v.inProcessP50Ms}${'apiP50Ms' in v ? `/${v.apiP50Ms}` : ''} ms`,
      )
      .join('; ')
    rows.push([
      String(f.size),
      `${f.floor.ms} ms`,
      `${f.createFiles.ms} ms`,
      `${f.import.ms} ms`,
      `${f.validation.full.ms} ms (${f.validation.full.workers || 1}×)`,
      `${f.validation.incremental.ms} ms`,
      `${f.export.full.ms} ms`,
      String(f.export.full.ratioToFloor),
      `${f.export.full.rssMb} MB`,
      `${f.export.incremental.ms} ms`,
      `${f.export.incremental.percentOfFull}%`,
      f.export.identicalToFull ? 'yes' : 'NO',
      f.publishLatencyMs ? `${f.publishLatencyMs.p50}/${f.publishLatencyMs.p95} ms` : 'n/a',
      q,
    ])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  const mark = (m: boolean) => (m ? 'met' : 'MISSED')
  return [
    ...rows.map(line),
    '',
    `targets at ${t.size} documents:`,
    `  full export ≤ 3× floor: ${t.exportToFloor.value} (${mark(t.exportToFloor.met)})`,
    `  full export peak RSS ≤ 1.6 GiB: ${t.exportPeakRssGiB.value} GiB (${mark(t.exportPeakRssGiB.met)})`,
    `  export time exponent ≤ 1.2 (${t.exportExponent.between?.join('→') ?? 'n/a'}): ${t.exportExponent.value} (${mark(t.exportExponent.met)})`,
    `  incremental export ≤ 5% of full: ${t.incrementalPercentOfFull.value}% (${mark(t.incrementalPercentOfFull.met)})`,
    `  incremental output identical to full: ${mark(t.incrementalIdenticalToFull.met)}`,
    `  API GROQ p50 ≤ 2× in process: ${t.apiP50ToInProcess.value} (${mark(t.apiP50ToInProcess.met)})`,
    `  publish latency p95 ≤ 1000 ms: ${t.publishP95Ms.value} ms (${mark(t.publishP95Ms.met)})`,
    `  full validation ≤ 0.2 ms/document: ${t.validationMsPerDocument.value} (${mark(t.validationMsPerDocument.met)})`,
    `  Node 304 req/s ≥ 50% of nginx's: ${t.serve304NodeToNginx.value} (${mark(t.serve304NodeToNginx.met)})`,
    ...servingLines(figures),
  ].join('\n')
}

/** The serving stage's figures per size: req/s Node / nginx per case, p99 idle and while publishing. */
function servingLines(figures: readonly SizeFigures[]): string[] {
  const lines: string[] = []
  for (const f of figures) {
    if (!('serving' in f) || !f.serving) {
      if ('servingError' in f) lines.push(`serving at ${f.size}: not measured (${f.servingError})`)
      continue
    }
    const s = f.serving
    if (!lines.length)
      lines.push(
        '',
        `serving (autocannon, ${s.connections} connections, ${s.seconds} s a run, ${s.pages} web pages): req/s Node / nginx (ratio), p99 ms Node / nginx`,
      )
    const cases = Object.entries(s.cases)
      .map(
        ([name, c]) =>
          `${name} ${c.node.rps}/${c.nginx.rps} (${c.nodeToNginx}) p99 ${c.node.p99Ms}/${c.nginx.p99Ms}`,
      )
      .join('; ')
    lines.push(
      `  ${f.size}: ${cases}`,
      `  ${f.size}: Node web304 p99 idle ${s.publishing.p99IdleMs} ms, while publishing ${s.publishing.edits} edits ${s.publishing.p99DuringMs} ms (${s.publishing.p99Ratio}×; max ${s.publishing.maxIdleMs} → ${s.publishing.maxDuringMs} ms); req/s ${s.publishing.rpsIdle} → ${s.publishing.rpsDuring}`,
    )
  }
  return lines
}
