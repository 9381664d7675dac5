/**
 * The bench queries through the local API (`npm run api`): the server is started as users start
 * it, over the same dataset file, and each query is sent to its plain-HTTP endpoint
 * (`/v2025-02-19/data/query/<dataset>`) as a frontend would, timing request to parsed response.
 * The same query also runs in this process (scripts/query/local.ts) between two requests: the
 * ratio of the two is measured in the same seconds, so the host's load moves both alike (the
 * in-process stage runs a minute earlier; on a shared host that alone moved the ratio 1.3–2.9×).
 */
import {spawn} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {collectGarbage} from '../lib/gc.ts'
import {ROOT} from '../lib/paths.ts'
import {runQuery} from '../query/local.ts'
import {BENCH_QUERIES, SLUG_PARAM_QUERY} from './queries.ts'
import {localSource, percentile, type StageResult} from './stages.ts'

const NODE = process.execPath
const API_CLI = join(ROOT, 'scripts', 'api', 'cli.ts')

interface ApiInfo {
  httpUrl?: string
  projectId: string
  dataset: string
  token: string
}

/** A local API (`npm run api`) over `dataset`, as users start it; `stop` ends it. */
export async function startApi(
  dataset: string,
  workDir: string,
): Promise<{info: ApiInfo & {httpUrl: string}; stop: () => Promise<void>}> {
  const tlsDir = join(workDir, 'tls')
  mkdirSync(tlsDir, {recursive: true})
  const child = spawn(
    NODE,
    [API_CLI, '--dataset', dataset, '--port', '0', '--tls-dir', tlsDir, '--json', '--quiet'],
    {
      cwd: ROOT,
      env: {...process.env, DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((resolve) => {
      if (child.exitCode !== null) resolve(undefined)
      else child.once('exit', resolve)
    })
  }
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  try {
    const info = await new Promise<ApiInfo>((resolve, reject) => {
      const lines = createInterface({input: child.stdout})
      lines.once('line', (line) => {
        try {
          resolve(JSON.parse(line) as ApiInfo)
        } catch (e) {
          reject(e)
        }
      })
      child.once('exit', (code) =>
        reject(new Error(`npm run api exited (${code}): ${stderr.trim()}`)),
      )
    })
    if (!info.httpUrl) throw new Error('the local API did not report a plain-HTTP URL')
    return {info: {...info, httpUrl: info.httpUrl}, stop}
  } catch (e) {
    await stop()
    throw e
  }
}

export async function apiQueries(args: {
  dataset: string
  runs: number
  workDir: string
}): Promise<StageResult> {
  const {info, stop} = await startApi(args.dataset, args.workDir)
  try {
    const base = `${info.httpUrl}/v2025-02-19/data/query/${info.dataset}`
    const ask = async (query: string, params: Record<string, unknown>) => {
      const url = new URL(base)
      url.searchParams.set('query', query)
      for (const [k, v] of Object.entries(params)) url.searchParams.set(`$${k}`, JSON.stringify(v))
      const res = await fetch(url)
      const body = (await res.json()) as {result?: unknown; error?: unknown}
      if (!res.ok)
        throw new Error(`API query failed (${res.status}): ${JSON.stringify(body).slice(0, 300)}`)
      return body.result
    }
    // The first query builds the server's snapshot of the dataset: timed apart.
    const warm = performance.now()
    const slug = (await ask(SLUG_PARAM_QUERY, {})) as string
    const firstMs = performance.now() - warm
    const local = localSource(args.dataset)
    // As the API's query worker does after building its snapshot (querySnapshot.ts): otherwise
    // V8 goes on collecting the new heap concurrently, on the cores both sides share.
    collectGarbage('sync')
    const queries: Record<string, {p50: number; min: number; runs: number; inProcessP50: number}> =
      {}
    let total = 0
    for (const q of BENCH_QUERIES.filter((x) => x.api)) {
      const params = q.slug ? {slug} : {}
      await ask(q.query, params)
      await runQuery(local, q.query, params)
      const times: number[] = []
      const inProcess: number[] = []
      for (let i = 0; i < args.runs; i++) {
        let started = performance.now()
        await ask(q.query, params)
        const ms = performance.now() - started
        times.push(ms)
        total += ms
        started = performance.now()
        await runQuery(local, q.query, params)
        inProcess.push(performance.now() - started)
      }
      queries[q.name] = {
        p50: percentile(times, 0.5),
        min: Math.min(...times),
        runs: args.runs,
        inProcessP50: percentile(inProcess, 0.5),
      }
    }
    return {ms: total, firstMs, queries}
  } finally {
    await stop()
  }
}
