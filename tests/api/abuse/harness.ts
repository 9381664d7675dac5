/**
 * The load and abuse suite's server: the real `npm run api` CLI in a process of its own (its RSS
 * is its own, and the attacks built here never stall its event loop), over a dataset made for the
 * suite, watched throughout by a pinger on a thread of its own: the slowest `/ping` answer and the
 * highest RSS seen are what the suite asserts at the end.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {Worker} from 'node:worker_threads'
import {ROOT} from '../../../scripts/lib/paths.ts'
import {Dataset} from '../../../scripts/store/dataset.ts'
import {importNdjson} from '../../../scripts/store/ndjson.ts'
import {FIXTURE} from '../helpers.ts'
import {NODE, testEnv} from '../../helpers/run.ts'

export interface AbuseTarget {
  pid: number
  datasetPath: string
  httpUrl: string
  token: string
  /** fetch() against the plain-HTTP port with the API version prefix; `auth` adds the token. */
  http(path: string, init?: RequestInit & {auth?: boolean}): Promise<Response>
  /** The server process's resident memory now, in bytes (from /proc). */
  rss(): number
  /** Still running? */
  alive(): boolean
}

export interface Watch {
  /** Slowest /ping answer so far (ms); a /ping that failed counts as Infinity. */
  maxPingMs(): number
  /** Highest RSS of the server so far, sampled every 50 ms. */
  maxRss(): number
  /** Pings slower than the limit so far, with when they were sent (ms since the watch started). */
  slowPings(): Array<{atMs: number; ms: number}>
  stop(): Promise<void>
}

/** Filler documents: enough that a cubic query is truly slow, few enough to seed in a second. */
export function fillerDocuments(count: number): string {
  const lines: string[] = []
  for (let i = 0; i < count; i++)
    lines.push(
      JSON.stringify({
        _id: `filler-${i}`,
        _type: 'concern',
        title: `Filler concern ${i}`,
        slug: {_type: 'slug', current: `filler-${i}`},
      }),
    )
  return `${lines.join('\n')}\n`
}

/** The API CLI over a fresh dataset (the fixture plus `filler` documents). */
export async function startAbuseTarget(
  opts: {filler?: number; args?: string[]} = {},
): Promise<AbuseTarget & {stop(): Promise<void>}> {
  const dir = mkdtempSync(join(tmpdir(), 'api-abuse-'))
  const datasetPath = join(dir, 'dataset.sqlite')
  const ds = Dataset.open(datasetPath)
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  if (opts.filler) importNdjson(ds, fillerDocuments(opts.filler), {file: 'filler.ndjson'})
  ds.close()
  const child: ChildProcess = spawn(
    NODE,
    [
      join(ROOT, 'scripts/api/cli.ts'),
      '--dataset',
      datasetPath,
      '--port',
      '0',
      '--json',
      ...(opts.args ?? []),
    ],
    {cwd: ROOT, env: testEnv(), stdio: ['ignore', 'pipe', 'pipe']},
  )
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000)
  })
  const info = await new Promise<{httpUrl: string; token: string}>((resolve, reject) => {
    const lines = createInterface({input: child.stdout!})
    lines.once('line', (line) => resolve(JSON.parse(line) as {httpUrl: string; token: string}))
    child.once('exit', (code) =>
      reject(new Error(`api exited (${code}) before it was ready: ${stderr}`)),
    )
  })
  let exited = false
  child.once('exit', () => (exited = true))
  return {
    pid: child.pid!,
    datasetPath,
    httpUrl: info.httpUrl,
    token: info.token,
    http(path, init = {}) {
      const {auth, ...rest} = init
      const headers = new Headers(rest.headers)
      if (auth) headers.set('authorization', `Bearer ${info.token}`)
      return fetch(`${info.httpUrl}/v2025-02-19${path}`, {...rest, headers})
    },
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024
    },
    alive: () => !exited,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM')
        await new Promise((r) => child.once('exit', r))
      }
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/**
 * Ping `/v2025-02-19/ping` every `everyMs` and sample the server's RSS every 50 ms, from a thread
 * of its own: the test's own work (building a 30 MB body) must not delay what it measures.
 */
export function watchTarget(
  target: AbuseTarget,
  opts: {everyMs?: number; slowMs?: number} = {},
): Watch {
  const everyMs = opts.everyMs ?? 100
  const slowMs = opts.slowMs ?? 500
  const shared = new Float64Array(new SharedArrayBuffer(16))
  const slow: Array<{atMs: number; ms: number}> = []
  const worker = new Worker(
    `
    const {workerData, parentPort} = require('node:worker_threads')
    const {readFileSync} = require('node:fs')
    const {url, pid, everyMs, slowMs, shared} = workerData
    const started = performance.now()
    let stopped = false
    const rss = setInterval(() => {
      try {
        const kb = Number(/^VmRSS:\\s+(\\d+) kB/m.exec(readFileSync('/proc/' + pid + '/status', 'utf8'))[1])
        if (kb * 1024 > shared[1]) shared[1] = kb * 1024
      } catch {}
    }, 50)
    parentPort.on('message', () => { stopped = true; clearInterval(rss) })
    ;(async () => {
      while (!stopped) {
        const sent = performance.now()
        let ms
        try {
          const res = await fetch(url, {signal: AbortSignal.timeout(10000)})
          await res.arrayBuffer()
          ms = res.ok ? performance.now() - sent : Infinity
        } catch {
          ms = Infinity
        }
        if (ms > shared[0]) shared[0] = ms
        if (ms > slowMs) parentPort.postMessage({atMs: Math.round(sent - started), ms})
        await new Promise((r) => setTimeout(r, everyMs))
      }
      parentPort.postMessage('done')
    })()
    `,
    {
      eval: true,
      workerData: {
        url: `${target.httpUrl}/v2025-02-19/ping`,
        pid: target.pid,
        everyMs,
        slowMs,
        shared,
      },
    },
  )
  let done: () => void
  const finished = new Promise<void>((r) => (done = r))
  worker.on('message', (m: 'done' | {atMs: number; ms: number}) => {
    if (m === 'done') done()
    else slow.push(m)
  })
  return {
    maxPingMs: () => shared[0]!,
    maxRss: () => Math.max(shared[1]!, target.alive() ? target.rss() : 0),
    slowPings: () => [...slow],
    async stop() {
      worker.postMessage('stop')
      await finished
      await worker.terminate()
    },
  }
}
