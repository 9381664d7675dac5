/**
 * The hosted-target path under injected faults: a fault proxy (faultProxy.ts) in front of the
 * local API answers 429s (with Retry-After) and 5xx itself, cuts connections before or after the
 * API applied a request, and slows answers down. The query runner, the remote NDJSON import and
 * the remote migration runner retry with backoff, honour Retry-After, and never write anything
 * twice — every document's history shows exactly one write — and an import killed halfway is
 * finished by running it again, without re-sending what was already there.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {API_VERSION, type RemoteTarget} from '../../scripts/lib/env.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import {GroqQueryError, RemoteQueryError} from '../../scripts/query/errors.ts'
import {createRemoteSource, remoteClientConfig, runQuery} from '../../scripts/query/remote.ts'
import {discoverMigrations} from '../../scripts/migrate/discover.ts'
import {RemoteMigrationTarget} from '../../scripts/migrate/remote.ts'
import {runMigrations} from '../../scripts/migrate/runner.ts'
import {bulkNdjson} from '../../scripts/reliability/fixtures.ts'
import {mulberry32} from '../../scripts/reliability/random.ts'
import {sameContent} from '../../scripts/store/apply.ts'
import {importNdjson, parseNdjson} from '../../scripts/store/ndjson.ts'
import {importNdjsonRemote} from '../../scripts/store/remoteImport.ts'
import {startTestApi, type TestApi} from '../api/helpers.ts'
import {startFaultProxy, type Fault, type FaultProxy} from './faultProxy.ts'
import {cliEnv, FUZZ_SEED, start, tempDir} from './helpers.ts'

let api: TestApi
let proxy: FaultProxy
let target: RemoteTarget
let tmp: ReturnType<typeof tempDir>
beforeAll(async () => {
  tmp = tempDir('resilience-')
  api = await startTestApi({seed: false})
  proxy = await startFaultProxy(api.api.httpUrl!)
  target = {
    kind: 'remote',
    projectId: api.api.projectId,
    dataset: api.api.datasetName,
    token: api.token,
    apiHost: proxy.url,
    apiVersion: API_VERSION,
  }
})
afterAll(async () => {
  await proxy?.close()
  await api?.close()
  tmp.cleanup()
})

const noSleep = async () => {}
const isMutate = (r: {method: string; path: string}) =>
  r.method === 'POST' && r.path.includes('/data/mutate/')
/** Faults in this order for the first requests, then `rest`. */
const sequence =
  (faults: Fault[], rest: Fault = 'pass') =>
  ({index}: {index: number}) =>
    faults[index - base] ?? rest
let base = 0
const plan = (fn: Parameters<FaultProxy['setPlan']>[0]) => {
  base = proxy.log.length
  proxy.setPlan(fn)
}

describe('remote queries', () => {
  beforeAll(() => {
    importNdjson(api.ds, bulkNdjson(30, 'P'), {file: 'seed'})
  })

  it('429 (Retry-After honoured), 503, 502, 500, a cut connection: retried until the answer comes', async () => {
    const delays: number[] = []
    const source = createRemoteSource(
      target,
      {},
      {sleep: async (ms) => void delays.push(ms), random: () => 0},
    )
    plan(
      sequence([
        {status: 429, retryAfter: '3'},
        {status: 503},
        'drop-before',
        {status: 502},
        {status: 500},
      ]),
    )
    expect(await runQuery(source, 'count(*[_type == "concern"])')).toBe(30)
    expect(proxy.log.slice(base).map((r) => r.fault)).toEqual([
      'status 429',
      'status 503',
      'drop-before',
      'status 502',
      'status 500',
      'pass',
    ])
    expect(delays).toHaveLength(5)
    expect(delays[0]).toBeGreaterThanOrEqual(3000) // the server asked for 3 s
    expect(delays.slice(1)).toEqual([...delays.slice(1)].sort((a, b) => a - b)) // backoff grows
  })

  it('a slow answer past the client timeout is retried; a syntax error is not retried; an outage fails with the status after the retries', async () => {
    const source = createRemoteSource(target, {timeout: 300}, {sleep: noSleep})
    plan(sequence([{delayMs: 2000}]))
    expect(await runQuery(source, 'count(*[_type == "concern"])')).toBe(30)
    expect(proxy.log.length - base).toBe(2)

    plan(() => 'pass')
    await expect(runQuery(source, '*[')).rejects.toBeInstanceOf(GroqQueryError)
    expect(proxy.log.length - base).toBe(1)

    plan(() => ({status: 503}))
    const err = await runQuery(
      createRemoteSource(target, {}, {sleep: noSleep, retries: 4}),
      'count(*)',
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteQueryError)
    expect((err as RemoteQueryError).statusCode).toBe(503)
    expect(proxy.log.length - base).toBe(5)
    plan(() => 'pass')
  })
})

describe('remote NDJSON import', () => {
  const client = () => createClient({...remoteClientConfig(target), maxRetries: 0})
  const historyLengths = (ids: readonly string[]) => ids.map((id) => api.ds.history(id).length)

  it('through rate limits, outages, cut connections (before and after the write) and slow answers: every document exactly once', async () => {
    const rng = mulberry32(FUZZ_SEED)
    plan(({method, path}) => {
      const roll = rng.next()
      if (isMutate({method, path})) {
        if (roll < 0.15) return {status: 429, retryAfter: '0'}
        if (roll < 0.25) return {status: 503}
        if (roll < 0.35) return 'drop-before'
        if (roll < 0.5) return 'drop-after'
        if (roll < 0.55) return {delayMs: 30}
        return 'pass'
      }
      if (roll < 0.1) return {status: 503}
      if (roll < 0.15) return 'drop-before'
      return 'pass'
    })
    const text = bulkNdjson(1200, 'Q').replaceAll('concern-bulk-', 'concern-chaos-')
    const docs = parseNdjson(text, 'chaos.ndjson')
    const result = await importNdjsonRemote(client(), text, {
      file: 'chaos.ndjson',
      batchSize: 50,
      retry: {sleep: noSleep, retries: 12},
    })
    const seen = proxy.log.slice(base)
    plan(() => 'pass')
    const faults = seen.reduce<Record<string, number>>(
      (n, r) => ((n[r.fault] = (n[r.fault] ?? 0) + 1), n),
      {},
    )
    console.log(
      `resilience: remote import of 1200 documents in ${result.transactions.length} transactions, ${result.retries} retries; faults ${JSON.stringify(faults)}`,
    )
    expect(faults['drop-after']).toBeGreaterThan(0)
    expect(faults['status 429']).toBeGreaterThan(0)
    expect(result).toMatchObject({created: 1200, updated: 0, unchanged: 0})
    for (const doc of docs) expect(sameContent(api.ds.get(doc._id)!, doc), doc._id).toBe(true)
    // Written exactly once each: no batch was applied twice, not even one whose answer was lost.
    expect(new Set(historyLengths(docs.map((d) => d._id)))).toEqual(new Set([1]))
  }, 120_000)

  it('`npm run dataset -- import` killed halfway is finished by running it again: nothing re-sent, nothing written twice', async () => {
    const file = join(tmp.dir, 'resume.ndjson')
    writeFileSync(file, bulkNdjson(3000, 'P').replaceAll('concern-bulk-', 'concern-resume-'))
    const env = cliEnv({
      SANITY_PROJECT_ID: target.projectId,
      SANITY_DATASET: target.dataset,
      SANITY_API_HOST: proxy.url,
      SANITY_TOKEN: api.token,
    })
    const args = [join(ROOT, 'scripts', 'store', 'cli.ts'), 'import', file, '--json']
    plan(() => 'pass')
    const first = start(args, {env})
    // Kill it once three transactions went through (of 15).
    while (proxy.log.slice(base).filter((r) => isMutate(r) && r.upstreamStatus === 200).length < 3)
      await new Promise((r) => setTimeout(r, 5))
    first.proc.kill('SIGKILL')
    await first.exited
    const ids = parseNdjson(readFileSync(file, 'utf8'), file).map((d) => d._id)
    const committed = ids.filter((id) => api.ds.get(id)).length
    expect(committed).toBeGreaterThanOrEqual(600)
    expect(committed).toBeLessThan(3000)

    // The re-run, through a few faults of its own.
    plan(sequence([{status: 429, retryAfter: '0'}, 'pass', 'pass', 'drop-after']))
    const second = start(args, {env})
    expect(await second.exited, second.stderr()).toBe(0)
    plan(() => 'pass')
    const report = JSON.parse(second.stdout()) as {ok: boolean; created: number; unchanged: number}
    expect(report).toMatchObject({ok: true, created: 3000 - committed, unchanged: committed})
    expect(ids.every((id) => api.ds.get(id))).toBe(true)
    expect(new Set(historyLengths(ids))).toEqual(new Set([1]))
    expect(second.stdout() + second.stderr()).not.toContain(api.token)
  }, 120_000)
})

describe('remote migrations', () => {
  it('a commit whose answer is lost is recognised as applied (no second write, no false conflict); reads retry through 503s', async () => {
    const fixture = join(
      ROOT,
      'migrations',
      '2026-11-01-backfill-benefit-summary',
      'fixture.ndjson',
    )
    importNdjson(api.ds, readFileSync(fixture, 'utf8'), {file: fixture})
    const migration = (await discoverMigrations(join(ROOT, 'migrations'))).filter(
      (m) => m.id === '2026-11-01-backfill-benefit-summary',
    )
    let mutates = 0
    plan(({method, path}) => {
      if (isMutate({method, path})) return mutates++ === 0 ? 'drop-after' : 'pass'
      if (path.includes('/data/export/') && mutates === 0)
        return proxy.log.filter((r) => r.path.includes('/data/export/')).length <= 2
          ? {status: 503}
          : 'pass'
      return 'pass'
    })
    const remote = new RemoteMigrationTarget(target, {retry: {sleep: noSleep}})
    const report = await runMigrations(remote, migration)
    const seen = proxy.log.slice(base)
    plan(() => 'pass')
    expect(report.ok, JSON.stringify(report.migrations[0]?.error)).toBe(true)
    expect(report.migrations[0]!.status).toBe('applied')
    expect(seen.filter(isMutate).map((r) => r.fault)).toEqual(['drop-after'])
    expect(seen.filter((r) => r.path.includes('/data/export/')).map((r) => r.fault)).toContain(
      'status 503',
    )
    const changed = report.migrations[0]!.changes.map((c) => c.id)
    expect(changed.length).toBeGreaterThan(0)
    // Fixture import + the migration: two versions each, not three.
    for (const id of changed) expect(api.ds.history(id), id).toHaveLength(2)
    expect(api.ds.get('_.migrations.2026-11-01-backfill-benefit-summary')).toBeDefined()
    const again = await runMigrations(
      new RemoteMigrationTarget(target, {retry: {sleep: noSleep}}),
      migration,
    )
    expect(again.migrations[0]!.status).toBe('already-applied')
  }, 60_000)
})
