/**
 * `npm run sync` against the real local API (a real server over a real dataset), run as a real
 * process: the first copy, following edits, deletes and drafts, restarts, and kill -9 mid-copy.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {Transform} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import type {SyncState} from '../../scripts/sync/core.ts'
import {NODE, testEnv} from '../helpers/run.ts'
import {startTestApi, type TestApi} from '../api/helpers.ts'

const CLI = join(ROOT, 'scripts/sync/cli.ts')

/** The environment that points sync at `url` (the local API's plain-HTTP base, or a proxy of it). */
function syncEnv(t: TestApi, url = t.api.httpUrl!): Record<string, string> {
  const env: Record<string, string> = testEnv({
    SANITY_PROJECT_ID: t.api.projectId,
    SANITY_DATASET: t.api.datasetName,
    SANITY_API_HOST: url,
    SANITY_TOKEN: t.token,
  }) as Record<string, string>
  delete env.SANITY_AUTH_TOKEN
  return env
}

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>)

/**
 * Run a command to its end without blocking this process: the API under test runs in it, so
 * spawnSync would leave the child waiting for answers that never come.
 */
function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{status: number | null; stdout: string; stderr: string}> {
  const child = spawn(command, args, {cwd: ROOT, env})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve) => child.on('close', (status) => resolve({status, stdout, stderr})))
}

async function runOnce(t: TestApi, dataset: string) {
  const r = await run(NODE, [CLI, '--once', '--dataset', dataset, '--json'], syncEnv(t))
  expect(r.stderr).not.toMatch(/error/)
  expect(r.status).toBe(0)
  return jsonLines(r.stdout)
}

function withDataset<T>(path: string, fn: (ds: Dataset) => T): T {
  const ds = Dataset.open(path)
  try {
    return fn(ds)
  } finally {
    ds.close()
  }
}

const exported = (path: string) => withDataset(path, exportNdjson)

/** A running `sync` (without --once): its JSON lines as they come, and stderr. */
class Follower {
  readonly child: ChildProcessWithoutNullStreams
  stderr = ''
  private readonly lines: Array<Record<string, any>> = []
  private waiters: Array<() => void> = []
  private buffer = ''

  constructor(t: TestApi, dataset: string, url?: string) {
    this.child = spawn(NODE, [CLI, '--dataset', dataset, '--json'], {
      cwd: ROOT,
      env: syncEnv(t, url),
    })
    const wake = () => {
      for (const w of this.waiters.splice(0)) w()
    }
    this.child.stdout.on('data', (c: Buffer) => {
      this.buffer += c.toString()
      let nl: number
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)) as Record<string, any>)
        this.buffer = this.buffer.slice(nl + 1)
      }
      wake()
    })
    this.child.stderr.on('data', (c: Buffer) => {
      this.stderr += c.toString()
      wake()
    })
    this.child.on('close', wake)
  }

  /** Wait until `test` holds (the test's timeout is the deadline). */
  async until(test: () => boolean): Promise<void> {
    while (!test()) {
      if (this.child.exitCode !== null) throw new Error(`sync exited: ${this.stderr}`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** The JSON line of the source transaction `transactionId`. */
  async line(transactionId: string): Promise<Record<string, any>> {
    await this.until(() => this.lines.some((l) => l.transactionId === transactionId))
    return this.lines.find((l) => l.transactionId === transactionId)!
  }

  async stop(): Promise<{code: number | null; last: Record<string, any>}> {
    const closed = new Promise<number | null>((resolve) => this.child.on('close', resolve))
    this.child.kill('SIGTERM')
    const code = await closed
    return {code, last: this.lines.at(-1)!}
  }
}

describe('npm run sync', () => {
  let t: TestApi
  beforeAll(async () => {
    t = await startTestApi()
    // A draft beside its published document: the copy must keep it a draft.
    t.ds.transaction([
      {
        createOrReplace: {
          _id: 'drafts.concern-acne-scars',
          _type: 'concern',
          title: 'Acne scars (draft)',
          slug: {_type: 'slug', current: 'acne-scars'},
        },
      },
    ])
  })
  afterAll(async () => {
    await t?.close()
  })

  it('copies the API dataset into a fresh embedded dataset, drafts as drafts', async () => {
    const mirror = join(t.dir, 'once.sqlite')
    const r = await run(
      'npm',
      ['run', '--silent', 'sync', '--', '--once', '--dataset', mirror, '--json'],
      syncEnv(t),
    )
    expect(r.status).toBe(0)
    const lines = jsonLines(r.stdout)
    expect(lines[0]).toMatchObject({phase: 'copy', documents: 9, written: 9})
    expect(lines.at(-1)).toMatchObject({ok: true, summary: {copies: 1, documents: 9}})
    expect(exported(mirror)).toBe(exportNdjson(t.ds))
    withDataset(mirror, (ds) => {
      expect(ds.get('drafts.concern-acne-scars')?.title).toBe('Acne scars (draft)')
      expect(ds.get('concern-acne-scars')?.title).toBe('Acne scars')
      expect(ds.getMeta<SyncState>('sync')).toMatchObject({copied: true})
    })

    // Again: the same documents, nothing written, no new log entries.
    const seq = withDataset(mirror, (ds) => ds.lastSeq())
    const again = await runOnce(t, mirror)
    expect(again.filter((l) => l.phase).every((l) => l.written === 0 && l.deleted === 0)).toBe(true)
    expect(exported(mirror)).toBe(exportNdjson(t.ds))
    expect(withDataset(mirror, (ds) => ds.lastSeq())).toBe(seq)
  })

  it('refuses a mirror of another dataset, and a missing target, with exit 2', async () => {
    const mirror = join(t.dir, 'once.sqlite')
    const other = await run(NODE, [CLI, '--once', '--dataset', mirror], {
      ...syncEnv(t),
      SANITY_DATASET: 'staging',
    })
    expect(other.status).toBe(2)
    expect(other.stderr).toContain('mirrors local/production')
    const env = syncEnv(t)
    delete env.SANITY_PROJECT_ID
    const none = await run(NODE, [CLI, '--once', '--dataset', mirror], env)
    expect(none.status).toBe(2)
    expect(none.stderr).toContain('SANITY_PROJECT_ID')
    const help = await run(NODE, [CLI, '--help'], env)
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('npm run sync')
  })

  it('follows edits, deletes and drafts, and catches up after a restart', async () => {
    const mirror = join(t.dir, 'follow.sqlite')
    const client = t.client()
    const sync = new Follower(t, mirror)
    try {
      await sync.until(() => sync.stderr.includes('following changes'))

      const edit = await client
        .patch('concern-enlarged-pores')
        .set({title: 'Large pores'})
        .commit({returnDocuments: false})
      expect(await sync.line(edit.transactionId)).toMatchObject({phase: 'listen', written: 1})
      withDataset(mirror, (ds) => {
        expect(ds.get('concern-enlarged-pores')?.title).toBe('Large pores')
        // The source's system fields, not the mirror's.
        expect(ds.get('concern-enlarged-pores')).toEqual(t.ds.get('concern-enlarged-pores'))
      })

      const draft = await client.mutate(
        [{create: {_id: 'drafts.concern-redness', _type: 'concern', title: 'Redness'}}],
        {returnDocuments: false},
      )
      await sync.line(draft.transactionId)
      withDataset(mirror, (ds) => {
        expect(ds.get('drafts.concern-redness')?.title).toBe('Redness')
        expect(ds.get('concern-redness')).toBeUndefined()
      })

      // Two documents in one transaction arrive as one.
      const both = await client.mutate(
        [
          {delete: {id: 'skinType-oily'}},
          {patch: {id: 'concern-acne-scars', set: {synonyms: ['ice-pick scars']}}},
        ],
        {returnDocuments: false},
      )
      expect(await sync.line(both.transactionId)).toMatchObject({
        documents: 2,
        written: 1,
        deleted: 1,
      })
      withDataset(mirror, (ds) => {
        expect(ds.get('skinType-oily')).toBeUndefined()
        expect(ds.transactionById(both.transactionId)?.effects).toHaveLength(2)
      })
      expect(exported(mirror)).toBe(exportNdjson(t.ds))
    } finally {
      const {code, last} = await sync.stop()
      expect(code).toBe(0)
      expect(last).toMatchObject({ok: true, summary: {copies: 1, transactions: 3}})
    }
    const position = withDataset(mirror, (ds) => ds.getMeta<SyncState>('sync'))
    expect(position).toMatchObject({copied: true, transactionId: expect.any(String)})

    // Changes while it is stopped arrive with the next run (the local API cannot resume: a copy).
    await client.delete('drafts.concern-redness')
    await client.createOrReplace({_id: 'concern-dryness', _type: 'concern', title: 'Dryness'})
    await runOnce(t, mirror)
    expect(exported(mirror)).toBe(exportNdjson(t.ds))
  })
})

describe('npm run sync over a connection that drops', () => {
  let t: TestApi
  beforeAll(async () => {
    t = await startTestApi()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('reconnects, catches up what it missed, and follows again', async () => {
    const mirror = join(t.dir, 'dropped.sqlite')
    const proxy = await stallingProxy(t.api.httpUrl!, Infinity)
    const sync = new Follower(t, mirror, proxy.url)
    try {
      await sync.until(() => sync.stderr.includes('following changes'))
      // Cut every connection and refuse new ones while something changes: only a copy can see it.
      proxy.down = true
      proxy.server.closeAllConnections()
      await t.client().createOrReplace({_id: 'concern-missed', _type: 'concern', title: 'Missed'})
      await sync.until(() => sync.stderr.includes('reconnecting'))
      proxy.down = false
      await sync.until(() => (sync.stderr.match(/following changes/g) ?? []).length >= 2)
      expect(withDataset(mirror, (ds) => ds.get('concern-missed')?.title)).toBe('Missed')
      const after = await t
        .client()
        .patch('concern-missed')
        .set({title: 'Seen'})
        .commit({returnDocuments: false})
      await sync.line(after.transactionId)
      expect(exported(mirror)).toBe(exportNdjson(t.ds))
    } finally {
      expect((await sync.stop()).code).toBe(0)
      proxy.server.closeAllConnections()
      proxy.server.close()
    }
  })
})

interface Proxy {
  url: string
  server: Server
  /** Refuse connections (as a network outage would). */
  down: boolean
}

/**
 * A proxy of the API that lets an export through only up to `limit` bytes and then holds it:
 * the copy is stuck after its first batch for as long as the test needs, with no timing.
 */
function stallingProxy(target: string, limit: number): Promise<Proxy> {
  const proxy = {down: false} as Proxy
  const server = createServer((req, res) => {
    if (proxy.down) return void req.socket.destroy()
    const upstream = request(
      `${target}${req.url}`,
      {method: req.method, headers: req.headers},
      (up) => {
        res.writeHead(up.statusCode!, up.headers)
        if (!req.url!.includes('/data/export/')) return void up.pipe(res)
        let passed = 0
        const stall = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            const take = Math.min(chunk.length, limit - passed)
            passed += take
            if (take > 0) this.push(chunk.subarray(0, take))
            if (passed < limit) done()
          },
        })
        up.pipe(stall).pipe(res)
      },
    )
    req.pipe(upstream)
  })
  proxy.server = server
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve(proxy)
    }),
  )
}

describe('npm run sync killed mid-copy', () => {
  const TOTAL = 3000
  const BATCH = 500
  let t: TestApi
  beforeAll(async () => {
    t = await startTestApi({seed: false})
    t.ds.importDocuments(
      Array.from({length: TOTAL}, (_, i) => ({
        _id: `concern-${String(i).padStart(5, '0')}`,
        _type: 'concern',
        title: `Concern ${i}`,
        slug: {_type: 'slug', current: `concern-${i}`},
        synonyms: Array.from({length: 5}, (_, j) => `synonym ${i}.${j}`),
      })),
    )
  })
  afterAll(async () => {
    await t?.close()
  })

  it('after kill -9, a second run yields the same documents', async () => {
    const mirror = join(t.dir, 'killed.sqlite')
    // One batch and a part of the next get through, then the export stalls.
    const firstBytes = t.ds
      .documentPage('', BATCH + 100)
      .reduce((n, row) => n + Buffer.byteLength(row.json) + 1, 0)
    const proxy = await stallingProxy(t.api.httpUrl!, firstBytes)
    try {
      // node itself, not npm: SIGKILL to npm would leave its node child running.
      const child = spawn(
        NODE,
        [CLI, '--once', '--dataset', mirror, '--json', '--batch-size', String(BATCH)],
        {cwd: ROOT, env: syncEnv(t, proxy.url)},
      )
      let stderr = ''
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      const firstLine = await new Promise<Record<string, any>>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString()
          const nl = out.indexOf('\n')
          if (nl !== -1) resolve(JSON.parse(out.slice(0, nl)) as Record<string, any>)
        })
        child.on('close', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
      })
      expect(firstLine).toMatchObject({phase: 'copy', documents: BATCH, written: BATCH})
      const closed = new Promise((resolve) => child.on('close', resolve))
      child.kill('SIGKILL')
      await closed
    } finally {
      proxy.server.closeAllConnections()
      proxy.server.close()
    }
    withDataset(mirror, (ds) => {
      expect(ds.count()).toBe(BATCH)
      expect(ds.getMeta<SyncState>('sync')).toMatchObject({copied: false})
    })

    const lines = await runOnce(t, mirror)
    const copied = lines.filter((l) => l.phase === 'copy')
    expect(copied.reduce((n, l) => n + l.documents, 0)).toBe(TOTAL)
    // What the killed run committed is not written again.
    expect(copied.reduce((n, l) => n + l.written, 0)).toBe(TOTAL - BATCH)
    expect(exported(mirror)).toBe(exportNdjson(t.ds))
    expect(withDataset(mirror, (ds) => ds.getMeta<SyncState>('sync'))).toMatchObject({
      copied: true,
    })
  })
})
