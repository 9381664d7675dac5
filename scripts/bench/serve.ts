/**
 * Serving under load: `npm run serve` (the local API, the publisher and the fastify feed server in
 * one process, a child of its own, as users start it) and nginx from the configuration it writes
 * (another child), both over the output folder the stages before left, measured with autocannon
 * from this process.
 *
 * - A partner document goes in through the local API (@sanity/client, as the Studio would) and
 *   its token into the credentials file (never printed); the stage waits for its folder.
 * - Four cases against each server, in turns (Node, nginx, Node, …): conditional GETs (304, each
 *   request with the ETag that server gave for that file) and full GETs (200) of the partner's RSS
 *   (`Authorization: Bearer`) and of web pages (a rotating set of `pages` paths spread over the
 *   manifest, each connection starting at another one). No Accept-Encoding: the bytes on disk.
 *   A run with a connection error, a timeout or any status but the expected one fails the stage.
 * - The Node server's latency while it publishes: web-page 304s again while edits are committed
 *   through the API one after the other (each awaited until the serve process reports its
 *   publish), against the idle run of the same case. Pages an edit changed answer 200 from then
 *   on: both statuses count as right there. The edits' mutations are computed before the run, so
 *   this process (autocannon's event loop) stays idle while it measures.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {createClient} from '@sanity/client'
import autocannon from 'autocannon'
import {disableTelemetry} from '../lib/env.ts'
import {ROOT} from '../lib/paths.ts'
import {
  credentialsPath,
  hashToken,
  loadCredentials,
  newToken,
  saveCredentials,
} from '../serve/credentials.ts'
import {Dataset} from '../store/dataset.ts'
import type {Mutation} from '../store/types.ts'
import {editMutations, type EditKind} from '../synthetic/edits.ts'
import type {StageResult} from './stages.ts'

const SERVE_CLI = join(ROOT, 'scripts', 'serve', 'cli.ts')
/** The bench's partner: its folder is what the partner cases fetch. */
export const BENCH_PARTNER = 'bench-partner'
const PARTNER_FEED = `partners/${BENCH_PARTNER}/rss.xml`

/**
 * Edits that change pages without removing any (a deleted or renamed page would rightly 404),
 * each different for every `n`, so all can be computed from one snapshot of the dataset.
 */
const EDIT_KINDS: readonly EditKind[] = [
  'retitle-benefit',
  'contraindicate-benefit',
  'edit-reviewer',
  'rename-cautioned',
  'add-benefit',
]

export interface ServeArgs {
  dataset: string
  out: string
  workDir: string
  /** Seconds per autocannon run (default 5). */
  seconds?: number
  /** Concurrent connections (default 50). */
  connections?: number
  /** Web pages in the rotating set (default 1000). */
  pages?: number
  /** Edits committed during the publishing run (default 8). */
  edits?: number
  /** The nginx binary (default $NGINX or /usr/sbin/nginx). */
  nginx?: string
}

interface ServeInfo {
  feedsUrl: string
  apiHttpUrl?: string
  projectId: string
  dataset: string
  token: string
  nginxConfig?: string
}

/** One autocannon run's figures. */
export interface LoadFigures {
  rps: number
  requests: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  errors: number
  timeouts: number
  /** Responses with a status other than the expected ones. */
  unexpected: number
  statuses: Record<string, number>
  bytesPerSec: number
  /** Mean bytes read per response, headers included. */
  bytesPerResponse: number
  seconds: number
  /** Request errors by code (ECONNRESET…), when there were any. */
  errorKinds?: Record<string, number>
}

/** Requests per connection before autocannon reconnects (below nginx's keepalive_requests). */
const RECONNECT_EVERY = 500

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/** A port nothing listens on now (the kernel's pick; nginx binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as {port: number}
      srv.close(() => resolve(port))
    })
  })
}

/** One GET without Accept-Encoding (as autocannon sends it): status and headers, body drained. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{status: number; etag?: string}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {headers, agent: false}, (res) => {
      res.resume()
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(typeof res.headers.etag === 'string' ? {etag: res.headers.etag} : {}),
        }),
      )
      res.once('error', reject)
    })
    req.once('error', reject)
    req.end()
  })
}

/** `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>) {
  const results = new Array<R>(items.length)
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(limit, items.length)}, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await fn(items[i]!)
      }
    }),
  )
  return results
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await sleep(50)
  }
}

/** A child process whose stderr is kept (its tail, for errors) and passed on line by line. */
function child(
  command: string,
  args: string[],
  onLine: (line: string) => void,
): {proc: ChildProcess; tail: () => string; stop: (signal?: NodeJS.Signals) => Promise<void>} {
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: {...process.env, DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  createInterface({input: proc.stderr!}).on('line', (line) => {
    tail = `${tail}${line}\n`.slice(-4000)
    onLine(line)
  })
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve()
    else proc.once('exit', () => resolve())
  })
  return {
    proc,
    tail: () => tail.trim(),
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      const killed = setTimeout(() => proc.kill('SIGKILL'), 60_000)
      await exited
      clearTimeout(killed)
    },
  }
}

/** The web pages of the manifest, `count` of them spread evenly over it. */
function samplePages(out: string, count: number): string[] {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    files: Array<{path: string}>
  }
  const web = manifest.files.map((f) => f.path).filter((p) => p.startsWith('web/'))
  if (!web.length) throw new Error(`no web pages in ${out}/manifest.json`)
  const step = Math.max(1, web.length / count)
  const picked: string[] = []
  for (let i = 0; i < web.length && picked.length < count; i += step)
    picked.push(web[Math.floor(i)]!)
  return picked
}

/** The figures of one run; `expected` are the statuses that count as right. */
function figures(r: autocannon.Result, expected: readonly number[]): LoadFigures {
  const statuses: Record<string, number> = {}
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = s.count ?? 0
  const unexpected = Object.entries(statuses)
    .filter(([code]) => !expected.includes(Number(code)))
    .reduce((n, [, c]) => n + c, 0)
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    rps: round(requests / r.duration, 0),
    requests,
    p50Ms: round(r.latency.p50),
    p99Ms: round(r.latency.p99),
    maxMs: round(r.latency.max),
    errors: r.errors,
    timeouts: r.timeouts,
    unexpected,
    statuses,
    bytesPerSec: round(r.throughput.average, 0),
    bytesPerResponse: requests ? round(r.throughput.total / requests, 0) : 0,
    seconds: round(r.duration),
  }
}

const failure = (f: LoadFigures): string | undefined =>
  f.errors || f.timeouts || f.unexpected || !f.requests
    ? `${f.errors} errors ${JSON.stringify(f.errorKinds ?? {})}, ${f.timeouts} timeouts, ${f.unexpected} unexpected statuses (${JSON.stringify(f.statuses)}), ${f.requests} responses`
    : undefined

interface Case {
  name: string
  /** The path and headers of each request, by server (ETags are each server's own). */
  requests: (server: 'node' | 'nginx') => autocannon.Request[]
  status: number
}

/**
 * autocannon options. A long request list is dealt out: each connection walks a slice of its own
 * (1000 pages over 50 connections: 20 each, every page as often). autocannon builds every
 * request of a connection's list when it creates the connection, and its first request is
 * already on the wire meanwhile: the whole list for each of 50 connections put ~600 ms of the
 * client's own work into the first requests' latencies.
 */
function loadOptions(
  url: string,
  requests: autocannon.Request[],
  connections: number,
): autocannon.Options {
  const per = Math.ceil(requests.length / connections)
  const slice = (i: number) => {
    const part = requests.slice(i * per, (i + 1) * per)
    return part.length ? part : requests.slice(0, per)
  }
  let next = 0
  return {
    url,
    connections,
    pipelining: 1,
    timeout: 10,
    // nginx ends a keep-alive connection after 1,000 requests (keepalive_requests) with
    // `Connection: close`, which autocannon does not read: it writes the next request into the
    // closing socket (ECONNRESET). So every connection reconnects after RECONNECT_EVERY
    // requests, against both servers alike (the response that triggers it goes uncounted).
    reconnectRate: RECONNECT_EVERY,
    requests: slice(0),
    setupClient: (client) => {
      const i = next++ % connections
      if (i && per > 0) client.setRequests(slice(i))
    },
  }
}

export async function serveLoad(
  args: ServeArgs,
  progress: (message: string) => void,
): Promise<StageResult> {
  disableTelemetry()
  const started = performance.now()
  const seconds = args.seconds ?? 5
  const connections = args.connections ?? 50
  const pageCount = args.pages ?? 1000
  const editCount = args.edits ?? 8
  const nginxBin = args.nginx ?? process.env.NGINX ?? '/usr/sbin/nginx'
  if (!existsSync(nginxBin)) throw new Error(`nginx not found at ${nginxBin} (set NGINX)`)
  const dir = join(args.workDir, 'serve')
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(join(dir, 'nginx', 'logs'), {recursive: true})
  const nginxConf = join(dir, 'nginx.conf')

  // The partner's token, in the credentials file beside the dataset before the server starts.
  // Only its hash is written; the token itself stays in this process.
  const partnerToken = newToken()
  const credsFile = credentialsPath(args.dataset)
  const creds = loadCredentials(credsFile)
  creds.partners[BENCH_PARTNER] = {
    ...creds.partners[BENCH_PARTNER],
    tokenSha256: hashToken(partnerToken),
    tokenSetAt: new Date().toISOString(),
  }
  saveCredentials(credsFile, creds)

  // `npm run serve`, reporting each publish on stderr; the stage waits on those lines.
  const published: string[] = []
  const nginxPort = await freePort()
  const server = child(
    process.execPath,
    [
      SERVE_CLI,
      '--dataset',
      args.dataset,
      '--out',
      args.out,
      '--port',
      '0',
      '--nginx-config',
      nginxConf,
      '--nginx-port',
      String(nginxPort),
      '--json',
    ],
    (line) => {
      if (line.startsWith('published ')) {
        published.push(line)
      } else if (/failed|error/i.test(line)) progress(`serve: ${line}`)
    },
  )
  let nginx: ReturnType<typeof child> | undefined
  try {
    const info = await new Promise<ServeInfo>((resolve, reject) => {
      createInterface({input: server.proc.stdout!}).once('line', (line) => {
        try {
          resolve(JSON.parse(line) as ServeInfo)
        } catch (e) {
          reject(e as Error)
        }
      })
      server.proc.once('exit', (code) =>
        reject(new Error(`npm run serve exited (${code}): ${server.tail()}`)),
      )
    })
    const startMs = performance.now() - started
    progress(`npm run serve ready in ${Math.round(startMs)} ms: ${info.feedsUrl}`)
    if (!info.apiHttpUrl) throw new Error('npm run serve did not report a plain-HTTP API URL')
    const nodeUrl = info.feedsUrl.replace(/\/$/, '')
    const nginxUrl = `http://127.0.0.1:${nginxPort}`
    const client = createClient({
      projectId: info.projectId,
      dataset: info.dataset,
      apiHost: info.apiHttpUrl,
      apiVersion: '2025-02-19',
      token: info.token,
      useCdn: false,
      useProjectHostname: false,
    })

    /** Commit, then wait for the publish that lists `id`; its latency as the serve process saw it. */
    const commit = async (mutations: Mutation[], id: string) => {
      const from = published.length
      await client.mutate(mutations as never, {visibility: 'sync'})
      const line = await until(`the publish of ${id}`, 120_000, () =>
        published.slice(from).find((l) => publishedIds(l).includes(id)),
      )
      const m = /, (\d+) ms after the commit/.exec(line)
      return m ? Number(m[1]) : undefined
    }

    // The partner, as a document through the API; its folder appears with the next publish.
    const partnerStarted = performance.now()
    await commit(
      [
        {
          createOrReplace: {
            _id: `partner-${BENCH_PARTNER}`,
            _type: 'partner',
            // A title of its own each run: a replace with the same content would publish nothing.
            title: `Bench partner (${new Date().toISOString()})`,
            name: {_type: 'slug', current: BENCH_PARTNER},
            formats: ['rss', 'atom'],
            types: ['benefit'],
            utm: {source: BENCH_PARTNER, medium: 'feed'},
            attribution: 'Content by Skincare Guide, for the benchmark.',
            enabled: true,
          },
        },
      ],
      `partner-${BENCH_PARTNER}`,
    )
    await until(`${PARTNER_FEED} in ${args.out}`, 30_000, () =>
      existsSync(join(args.out, PARTNER_FEED)) ? true : undefined,
    )
    const partnerMs = performance.now() - partnerStarted
    progress(`partner ${BENCH_PARTNER} published in ${Math.round(partnerMs)} ms`)

    // nginx from the generated configuration, on the same folder. As root, nginx's workers
    // would run as nobody, who cannot read a private work folder: they stay root unless the
    // configuration says otherwise.
    const confText = readFileSync(nginxConf, 'utf8')
    const globals = [
      'daemon off;',
      ...(process.getuid?.() === 0 && !/^\s*user\s/m.test(confText) ? ['user root;'] : []),
    ].join(' ')
    nginx = child(nginxBin, ['-p', `${join(dir, 'nginx')}/`, '-c', nginxConf, '-g', globals], (l) =>
      progress(`nginx: ${l}`),
    )
    const nginxExit = new Promise<never>((_, reject) =>
      nginx!.proc.once('exit', (code) =>
        reject(new Error(`nginx exited (${code}): ${nginx!.tail()}`)),
      ),
    )
    nginxExit.catch(() => {})
    await Promise.race([
      nginxExit,
      until('nginx listening', 30_000, () =>
        get(`${nginxUrl}/manifest.json`).then(
          (r) => r.status || undefined,
          () => undefined,
        ),
      ),
    ])

    // The files and, from each server, the ETag it gives each of them.
    const pages = samplePages(args.out, pageCount)
    const auth = {authorization: `Bearer ${partnerToken}`}
    const etags = {node: new Map<string, string>(), nginx: new Map<string, string>()}
    for (const [server, base] of [
      ['node', nodeUrl],
      ['nginx', nginxUrl],
    ] as const) {
      await pool([...pages, PARTNER_FEED], 16, async (path) => {
        const r = await get(`${base}/${path}`, path === PARTNER_FEED ? auth : {})
        if (r.status !== 200 || !r.etag)
          throw new Error(`${server} GET /${path}: ${r.status}, ETag ${r.etag ?? 'none'}`)
        etags[server].set(path, r.etag)
      })
      const again = await get(`${base}/${PARTNER_FEED}`, {
        ...auth,
        'if-none-match': etags[server].get(PARTNER_FEED)!,
      })
      if (again.status !== 304)
        throw new Error(`${server}: the partner feed's own ETag gave ${again.status}, not 304`)
      const anon = await get(`${base}/${PARTNER_FEED}`)
      if (anon.status !== 401)
        throw new Error(`${server}: the partner feed without a token gave ${anon.status}`)
    }
    progress(`${pages.length} web pages and ${PARTNER_FEED}, ETags from both servers`)

    const cases: Case[] = [
      {
        name: 'web304',
        status: 304,
        requests: (s) =>
          pages.map((p) => ({path: `/${p}`, headers: {'if-none-match': etags[s].get(p)!}})),
      },
      {name: 'web200', status: 200, requests: () => pages.map((p) => ({path: `/${p}`}))},
      {
        name: 'partner304',
        status: 304,
        requests: (s) => [
          {
            path: `/${PARTNER_FEED}`,
            headers: {...auth, 'if-none-match': etags[s].get(PARTNER_FEED)!},
          },
        ],
      },
      {
        name: 'partner200',
        status: 200,
        requests: () => [{path: `/${PARTNER_FEED}`, headers: auth}],
      },
    ]
    const run = async (
      server: 'node' | 'nginx',
      c: Case,
      duration: number,
    ): Promise<LoadFigures> => {
      const url = server === 'node' ? nodeUrl : nginxUrl
      const reasons = new Map<string, number>()
      const r = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {...loadOptions(url, c.requests(server), connections), duration},
          (err: unknown, result) => (err ? reject(err as Error) : resolve(result)),
        )
        instance.on('reqError', (e: Error & {code?: string}) => {
          const key = e.code ?? e.message
          reasons.set(key, (reasons.get(key) ?? 0) + 1)
        })
      })
      return {
        ...figures(r, [c.status]),
        ...(reasons.size ? {errorKinds: Object.fromEntries(reasons)} : {}),
      }
    }
    // Warm-up (JIT, connections, file caches), not counted.
    for (const server of ['node', 'nginx'] as const)
      for (const c of cases) {
        const f = await run(server, c, 1)
        const why = failure(f)
        if (why) throw new Error(`warm-up ${c.name} against ${server}: ${why}`)
      }

    const results: Record<string, {node: LoadFigures; nginx: LoadFigures; nodeToNginx: number}> = {}
    for (const c of cases) {
      const node = await run('node', c, seconds)
      const nginxFigures = await run('nginx', c, seconds)
      for (const [server, f] of [
        ['node', node],
        ['nginx', nginxFigures],
      ] as const) {
        const why = failure(f)
        if (why) throw new Error(`${c.name} against ${server}: ${why}`)
      }
      results[c.name] = {
        node,
        nginx: nginxFigures,
        nodeToNginx: round(node.rps / nginxFigures.rps),
      }
      progress(
        `${c.name}: Node ${node.rps} req/s (p50 ${node.p50Ms}, p99 ${node.p99Ms} ms), nginx ${nginxFigures.rps} req/s (p50 ${nginxFigures.p50Ms}, p99 ${nginxFigures.p99Ms} ms): ${results[c.name]!.nodeToNginx}`,
      )
    }

    // The Node server while it publishes: web-page 304s during one edit after another. The
    // mutations come from one snapshot, before the load starts; their numbers are this run's
    // own (an edit equal to an earlier run's would change nothing, and publish nothing).
    const runNumber = Date.now() % 1e9
    const reader = Dataset.open(args.dataset)
    let edits: Array<{kind: EditKind; mutations: Mutation[]; id: string}>
    try {
      const docs = reader.documents()
      edits = Array.from({length: editCount}, (_, i) => {
        const kind = EDIT_KINDS[i % EDIT_KINDS.length]!
        const mutations = editMutations(docs, kind, runNumber + i)
        return {kind, mutations, id: editedId(mutations)}
      })
    } finally {
      reader.close()
    }
    const idle = await run('node', cases[0]!, seconds)
    const idleWhy = failure(idle)
    if (idleWhy) throw new Error(`web304 (idle, before publishing) against node: ${idleWhy}`)
    let result: autocannon.Result | undefined
    let loadError: unknown
    let stopLoad = () => {}
    const done = new Promise<void>((resolve) => {
      const instance = autocannon(
        {...loadOptions(nodeUrl, cases[0]!.requests('node'), connections), duration: 600},
        (err, r) => {
          loadError = err
          result = r
          resolve()
        },
      )
      stopLoad = () => instance.stop()
    })
    const publishLatencies: number[] = []
    const publishStarted = performance.now()
    try {
      await sleep(500)
      for (const e of edits) {
        const ms = await commit(e.mutations, e.id)
        if (ms !== undefined) publishLatencies.push(ms)
      }
      await sleep(500)
    } finally {
      stopLoad()
      await done
    }
    const publishingMs = performance.now() - publishStarted
    if (loadError || !result) throw new Error(`load while publishing: ${String(loadError)}`)
    const during = figures(result, [200, 304])
    const duringWhy = failure(during)
    if (duringWhy) throw new Error(`web304 while publishing against node: ${duringWhy}`)
    progress(
      `while publishing ${edits.length} edits: p99 ${during.p99Ms} ms (idle ${idle.p99Ms} ms), ${during.rps} req/s (idle ${idle.rps})`,
    )

    return {
      ms: performance.now() - started,
      seconds,
      connections,
      pages: pages.length,
      startMs: Math.round(startMs),
      partnerMs: Math.round(partnerMs),
      cases: results,
      publishing: {
        edits: edits.length,
        ms: Math.round(publishingMs),
        idle,
        during,
        p99IdleMs: idle.p99Ms,
        p99DuringMs: during.p99Ms,
        p99Ratio: round(during.p99Ms / idle.p99Ms),
        publishLatencyMs: publishLatencies,
      },
    }
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- npm run serve (stderr tail) ---\n${server.tail()}${nginx ? `\n--- nginx ---\n${nginx.tail()}` : ''}`,
      {cause: e},
    )
  } finally {
    await nginx?.stop('SIGQUIT')
    await server.stop()
  }
}

/** The ids of a publish line (`published a, b: 12 files (incremental) in 40 ms, …`). */
const publishedIds = (line: string): string[] =>
  line.slice('published '.length, line.indexOf(': ')).split(', ')

/** The id an edit is about (what its publish must list). */
function editedId(mutations: Mutation[]): string {
  const m = mutations[0]!
  const id =
    'patch' in m ? m.patch.id : 'delete' in m ? m.delete.id : 'create' in m ? m.create._id : null
  if (typeof id !== 'string') throw new Error(`unexpected edit ${JSON.stringify(m).slice(0, 200)}`)
  return id
}
