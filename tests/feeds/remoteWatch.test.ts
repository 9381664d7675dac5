/**
 * The publisher on a Sanity API (`npm run export -- --watch` with SANITY_PROJECT_ID etc.), as
 * real processes: the local API in this process plays the hosted project; the publisher, a child
 * process, mirrors it into an embedded dataset (through the listener, or webhooks made with the
 * local API's Webhooks API) and publishes from the mirror. Edits go through @sanity/client.
 * Deadlines are timeouts only: nothing here asserts how fast anything was.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {encodeSignatureHeader} from '@sanity/webhook'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson, importNdjson} from '../../scripts/store/ndjson.ts'
import type {SyncState} from '../../scripts/sync/core.ts'
import {FIXTURE, startTestApi, type TestApi} from '../api/helpers.ts'
import {NODE, runScript, testEnv} from '../helpers/run.ts'
import {readTree, workFolders} from './helpers.ts'

interface PublishLine {
  documents: string[]
  heldBack: Array<{id: string; problems: Array<{documentId: string; path?: string}>}>
  files: number
  ms: number
  latencyMs: number | null
}

const DANGLING = 'concerns[_key=="c1"].target'
const DEADLINE_MS = 60_000
/** How long a wait inside a test lasts: shorter than the test, so it fails with what it waited for. */
const WAIT_MS = 40_000
const SECRET = 'publisher-webhook-secret-0123456789'
/** Published documents of tests/fixtures/api/seed.ndjson (it has two drafts besides). */
const PUBLISHED = [
  'article-microneedling',
  'benefit-fades-acne-scars',
  'benefit-minimizes-pores',
  'concern-acne-scars',
  'concern-enlarged-pores',
  'skinType-oily',
]

/** Concerns of their own, in the listener's source only. */
const EXTRA = Array.from({length: 40}, (_, i) => ({
  _id: `concern-extra-${i}`,
  _type: 'concern',
  title: `Extra concern ${i}`,
  slug: {_type: 'slug', current: `extra-${i}`},
}))

/** A running publisher on the API's dataset: its JSON lines, stderr, and how it ended. */
class Publisher {
  readonly child: ChildProcessWithoutNullStreams
  readonly lines: Array<Record<string, unknown>> = []
  readonly out: string
  readonly mirror: string
  stderr = ''
  readonly exited: Promise<number | null>

  constructor(api: TestApi, name: string, extra: {args?: string[]; env?: Record<string, string>}) {
    this.out = join(api.dir, `${name}-dist`)
    this.mirror = join(api.dir, `${name}-mirror.sqlite`)
    const env = testEnv({
      SANITY_PROJECT_ID: api.api.projectId,
      SANITY_DATASET: api.api.datasetName,
      SANITY_API_HOST: api.api.httpUrl!,
      SANITY_TOKEN: api.token,
      ...extra.env,
    }) as Record<string, string>
    delete env.SANITY_AUTH_TOKEN
    if (!extra.env?.SANITY_WEBHOOK_SECRET) delete env.SANITY_WEBHOOK_SECRET
    this.child = spawn(
      NODE,
      [
        join(ROOT, 'scripts', 'feeds', 'cli.ts'),
        '--watch',
        '--dataset',
        this.mirror,
        '--out',
        this.out,
        '--json',
        ...(extra.args ?? []),
      ],
      {cwd: ROOT, env},
    )
    let buffer = ''
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk
      let end: number
      while ((end = buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(buffer.slice(0, end)) as Record<string, unknown>)
        buffer = buffer.slice(end + 1)
      }
    })
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk))
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)))
  }

  /** Publish lines (those with `documents`), from line `from` on. */
  publishes(from = 0): PublishLine[] {
    return this.lines.slice(from).filter((l) => 'documents' in l) as unknown as PublishLine[]
  }

  /** Poll `check` until it returns a value (not undefined) or the deadline passes. */
  async eventually<T>(what: string, check: () => T | undefined): Promise<T> {
    const deadline = Date.now() + WAIT_MS
    for (;;) {
      const v = check()
      if (v !== undefined) return v
      if (this.child.exitCode !== null)
        throw new Error(
          `publisher exited ${this.child.exitCode} waiting for ${what}:\n${this.stderr}`,
        )
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\npublisher stderr:\n${this.stderr}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  page(type: string, slug: string): string {
    return join(this.out, 'web', type, `${slug}.json`)
  }

  title(type: string, slug: string): string | undefined {
    const path = this.page(type, slug)
    return existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as {title: string}).title
      : undefined
  }

  /** The page's title once it is `title` (waits for it). */
  async pageTitled(type: string, slug: string, title: string): Promise<void> {
    await this.eventually(`${type}/${slug} titled "${title}"`, () =>
      this.title(type, slug) === title ? true : undefined,
    )
  }

  /** Read the mirror file (the publisher keeps writing it: WAL readers do not block it). */
  readMirror<T>(fn: (ds: Dataset) => T): T {
    const ds = Dataset.open(this.mirror)
    try {
      return fn(ds)
    } finally {
      ds.close()
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
    return this.exited
  }

  /** Kill it (a test that failed half-way) and wait until it is gone, before its files are removed. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }
}

/** The output is one complete export: every file its manifest lists, with its hash, and no work folders. */
function expectCompleteExport(out: string): void {
  const tree = readTree(out)
  const manifest = JSON.parse(tree.get('manifest.json')!.toString('utf8')) as {
    files: Array<{path: string; sha256: string}>
  }
  expect(manifest.files.map((f) => f.path).sort()).toEqual(
    [...tree.keys()].filter((p) => p !== 'manifest.json').sort(),
  )
  for (const f of manifest.files)
    expect(createHash('sha256').update(tree.get(f.path)!).digest('hex'), f.path).toBe(f.sha256)
  expect(workFolders(out)).toEqual([])
}

describe('npm run export -- --watch on a Sanity API: wrong usage', () => {
  const CLI = 'scripts/feeds/cli.ts'
  /** A target nothing listens on: every case here is refused before anything connects. */
  const target = {
    SANITY_PROJECT_ID: 'p',
    SANITY_DATASET: 'd',
    SANITY_API_HOST: 'http://127.0.0.1:9',
  }
  const run = (args: string[], env: Record<string, string>) =>
    runScript(CLI, args, {
      env: {SANITY_PROJECT_ID: '', SANITY_WEBHOOK_SECRET: '', SANITY_TOKEN: '', ...env},
    })

  it('refuses --webhook-port without --watch, a target, a secret or a port number (exit 2)', () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--webhook-port', '0'], target, '--webhook-port drives the publisher: use it with --watch'],
      [['--watch', '--webhook-port', '0'], {}, '--webhook-port follows a Sanity API dataset'],
      [
        ['--watch', '--webhook-port', '0'],
        target,
        "needs the webhook's secret in SANITY_WEBHOOK_SECRET",
      ],
      [
        ['--watch', '--webhook-port', '65536'],
        {...target, SANITY_WEBHOOK_SECRET: SECRET},
        '--webhook-port must be a port number 0–65535',
      ],
    ]
    for (const [args, env, message] of cases) {
      const r = run(args, env)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(message)
      expect(r.stderr).not.toContain(SECRET)
    }
    const help = run(['--help'], {})
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('--webhook-port')
    expect(help.stdout).toContain('.data/mirrors/<projectId>.<dataset>.sqlite')
  })

  it('never mirrors into a dataset that is not a mirror (its documents would be swept)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'remote-watch-'))
    try {
      const path = join(dir, 'dataset.sqlite')
      const seq = (() => {
        using ds = Dataset.open(path)
        importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
        return ds.lastSeq()
      })()
      const r = run(['--watch', '--dataset', path, '--out', join(dir, 'dist')], target)
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(`${path} holds documents that were not mirrored from p/d`)
      using ds = Dataset.open(path)
      expect([ds.count(), ds.lastSeq()]).toEqual([8, seq])
      expect(existsSync(join(dir, 'dist'))).toBe(false)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('npm run export -- --watch on a Sanity API (the listener)', () => {
  let api: TestApi
  let publisher: Publisher

  beforeAll(async () => {
    api = await startTestApi({pollMs: 50})
    // Enough other pages that one edit is published incrementally (a fifth of them would not be).
    api.ds.importDocuments(EXTRA)
    publisher = new Publisher(api, 'listen', {})
    await publisher.eventually('the first export', () => publisher.publishes()[0])
  }, DEADLINE_MS + 10_000)

  afterAll(async () => {
    await publisher?.kill()
    await api?.close()
  })

  it('copies the source first, drafts as drafts, and publishes its published documents', () => {
    expect(publisher.lines[0]).toMatchObject({heldBack: [], latencyMs: null})
    expect((publisher.lines[0]!.documents as string[]).toSorted()).toEqual(
      [...PUBLISHED, ...EXTRA.map((d) => d._id)].sort(),
    )
    // The mirror holds what the source holds, drafts included, with the source's system fields.
    expect(publisher.readMirror(exportNdjson)).toBe(exportNdjson(api.ds))
    expect(publisher.readMirror((ds) => ds.get('drafts.benefit-unpublished-idea')?.title)).toBe(
      'Unpublished idea',
    )
    // Drafts publish nothing.
    expect(publisher.title('benefits', 'minimizes-pores')).toBe('Minimizes Pores')
    expect(existsSync(publisher.page('benefits', 'unpublished-idea'))).toBe(false)
    expect(publisher.stderr).toContain(`mirroring local/production into ${publisher.mirror}`)
  })

  it(
    'publishes an edit made through @sanity/client on its own',
    async () => {
      const from = publisher.lines.length
      await api
        .client()
        .patch('benefit-fades-acne-scars')
        .set({title: 'Fades Acne Scars Gently'})
        .commit()
      await publisher.pageTitled('benefits', 'fades-acne-scars', 'Fades Acne Scars Gently')
      const line = await publisher.eventually(
        'its publish line',
        () => publisher.publishes(from)[0],
      )
      expect(line).toMatchObject({
        documents: ['benefit-fades-acne-scars'],
        heldBack: [],
        mode: 'incremental',
      })
      expect(line.latencyMs).toBeGreaterThanOrEqual(0)
      expect(line.files).toBeGreaterThan(0)
    },
    DEADLINE_MS,
  )

  it(
    'holds back an invalid edit, reports it, and publishes a valid edit to another document',
    async () => {
      const client = api.client()
      const from = publisher.lines.length
      await client
        .patch('benefit-minimizes-pores')
        .set({title: 'Minimizes Pores Broken', [`${DANGLING}._ref`]: 'concern-gone'})
        .commit()
      await client.patch('concern-acne-scars').set({title: 'Atrophic acne scars'}).commit()
      await publisher.pageTitled('concerns', 'acne-scars', 'Atrophic acne scars')
      await publisher.eventually('the publish line of the valid edit', () =>
        publisher.publishes(from).find((l) => l.documents.includes('concern-acne-scars')),
      )
      const held = await publisher.eventually('the held-back report', () =>
        publisher
          .publishes(from)
          .flatMap((l) => l.heldBack)
          .find((h) => h.id === 'benefit-minimizes-pores'),
      )
      expect(held.problems).toContainEqual(
        expect.objectContaining({documentId: 'benefit-minimizes-pores', path: DANGLING}),
      )
      // Its page stays at the last valid version, and it is never reported as published.
      expect(publisher.title('benefits', 'minimizes-pores')).toBe('Minimizes Pores')
      expect([...new Set(publisher.publishes(from).flatMap((l) => l.documents))]).toEqual([
        'concern-acne-scars',
      ])
    },
    DEADLINE_MS,
  )

  it(
    'publishes the held-back document once it is fixed at the source',
    async () => {
      const from = publisher.lines.length
      await api
        .client()
        .patch('benefit-minimizes-pores')
        .set({[`${DANGLING}._ref`]: 'concern-enlarged-pores'})
        .commit()
      await publisher.pageTitled('benefits', 'minimizes-pores', 'Minimizes Pores Broken')
      const line = await publisher.eventually('its publish line', () =>
        publisher.publishes(from).find((l) => l.documents.includes('benefit-minimizes-pores')),
      )
      expect(line).toMatchObject({documents: ['benefit-minimizes-pores'], heldBack: []})
    },
    DEADLINE_MS,
  )

  it(
    'stops on SIGTERM with exit 0: a complete export and a complete mirror',
    async () => {
      expect(await publisher.stop()).toBe(0)
      expectCompleteExport(publisher.out)
      expect(publisher.readMirror((ds) => ds.getMeta<SyncState>('sync'))).toMatchObject({
        source: {projectId: 'local', dataset: 'production'},
        copied: true,
      })
      expect(publisher.readMirror(exportNdjson)).toBe(exportNdjson(api.ds))
    },
    DEADLINE_MS,
  )
})

describe('npm run export -- --watch --webhook-port (Sanity webhooks)', () => {
  let api: TestApi
  let publisher: Publisher
  let url: string

  /** POST a delivery to the publisher, signed with `secret` unless `signature` is given. */
  async function deliver(
    body: string,
    opts: {secret?: string; signature?: string | null; headers?: Record<string, string>} = {},
  ): Promise<{status: number; body: Record<string, any>}> {
    const headers: Record<string, string> = {'content-type': 'application/json', ...opts.headers}
    const signature =
      opts.signature === undefined
        ? await encodeSignatureHeader(body, Date.now(), opts.secret ?? SECRET)
        : opts.signature
    if (signature !== null) headers['sanity-webhook-signature'] = signature
    const res = await fetch(url, {method: 'POST', headers, body})
    return {status: res.status, body: (await res.json()) as Record<string, any>}
  }

  beforeAll(async () => {
    api = await startTestApi({pollMs: 50})
    publisher = new Publisher(api, 'webhook', {
      args: ['--webhook-port', '0'],
      env: {SANITY_WEBHOOK_SECRET: SECRET},
    })
    await publisher.eventually('the first export', () => publisher.publishes()[0])
    url = (publisher.lines[0] as {webhook: {url: string}}).webhook.url
  }, DEADLINE_MS + 10_000)

  afterAll(async () => {
    await publisher?.kill()
    await api?.close()
  })

  it('prints the bound port first, then publishes the first copy; the secret is never printed', () => {
    const {port} = (publisher.lines[0] as {webhook: {port: number}}).webhook
    expect(port).toBeGreaterThan(0)
    expect(publisher.lines[0]).toEqual({webhook: {port, url: `http://127.0.0.1:${port}/`}})
    expect(publisher.lines[1]).toMatchObject({heldBack: [], latencyMs: null})
    expect((publisher.lines[1]!.documents as string[]).toSorted()).toEqual(PUBLISHED)
    expect(publisher.stderr).toContain(`webhook receiver on ${url}`)
    expect(publisher.stderr).not.toContain(SECRET)
    expect(JSON.stringify(publisher.lines)).not.toContain(SECRET)
  })

  it(
    'answers a missing or bad signature with 401 and reads nothing from the source',
    async () => {
      // Changed at the source while no hook exists: only a delivery makes the mirror read them.
      const client = api.client()
      await client.patch('concern-acne-scars').set({title: 'Unseen scars'}).commit()
      await client.patch('concern-enlarged-pores').set({title: 'Large pores'}).commit()
      const from = publisher.lines.length
      const body = '{"_id":"concern-acne-scars"}'
      const headers = {'sanity-document-id': 'concern-acne-scars'}
      for (const attempt of [
        deliver(body, {headers, signature: `t=${Date.now()},v1=forged`}),
        deliver(body, {headers, signature: null}),
        deliver(body, {headers, secret: 'another-secret'}),
      ]) {
        const answer = await attempt
        expect(answer.status).toBe(401)
        expect(answer.body.error).toMatchObject({type: 'invalidSignature'})
      }
      // A signed delivery after them, for the other document: once it is published, the forged
      // ones (queued first, were they queued at all) would have been too.
      expect(await deliver('{"_id":"concern-enlarged-pores"}')).toEqual({
        status: 200,
        body: {ok: true, queued: ['concern-enlarged-pores']},
      })
      await publisher.pageTitled('concerns', 'enlarged-pores', 'Large pores')
      await publisher.eventually('its publish line', () => publisher.publishes(from)[0])
      expect(publisher.publishes(from).flatMap((l) => l.documents)).toEqual([
        'concern-enlarged-pores',
      ])
      expect(publisher.title('concerns', 'acne-scars')).toBe('Acne scars')
      expect(publisher.readMirror((ds) => ds.get('concern-acne-scars')?.title)).toBe('Acne scars')
    },
    DEADLINE_MS,
  )

  it(
    'answers malformed deliveries with 4xx, and ignores one for another dataset',
    async () => {
      const statuses = [
        // Signed, but names no document.
        await deliver('{"title":"no id"}'),
        // Signed, but not JSON.
        await deliver('not json'),
        // Signed, but not a document id.
        await deliver('{"_id":"../etc/passwd"}'),
        await deliver('{"_id":"a"}', {headers: {'sanity-document-id': 'a b'}}),
      ].map((r) => r.status)
      expect(statuses).toEqual([400, 400, 400, 400])
      const large = await fetch(url, {method: 'POST', body: 'x'.repeat(2 * 1024 * 1024)})
      expect(large.status).toBe(413)
      expect(
        await deliver('{"_id":"concern-acne-scars"}', {headers: {'sanity-dataset': 'staging'}}),
      ).toEqual({
        status: 200,
        body: {ok: true, ignored: 'a delivery for dataset staging, not production'},
      })
      expect(publisher.child.exitCode).toBeNull()
    },
    DEADLINE_MS,
  )

  it(
    "publishes edits delivered by a webhook made through the local API's Webhooks API",
    async () => {
      const res = await api.http(`/hooks/projects/${api.api.projectId}`, {
        method: 'POST',
        auth: true,
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({
          type: 'document',
          name: 'publisher',
          url,
          dataset: 'production',
          rule: {on: ['create', 'update', 'delete'], filter: null, projection: '{_id}'},
          apiVersion: 'v2025-02-19',
          httpMethod: 'POST',
          secret: SECRET,
        }),
      })
      expect(res.status).toBe(200)
      const hook = (await res.json()) as {id: string}

      const client = api.client()
      let from = publisher.lines.length
      await client.patch('benefit-fades-acne-scars').set({title: 'Fades Scars Gently'}).commit()
      await publisher.pageTitled('benefits', 'fades-acne-scars', 'Fades Scars Gently')
      const line = await publisher.eventually(
        'its publish line',
        () => publisher.publishes(from)[0],
      )
      expect(line).toMatchObject({documents: ['benefit-fades-acne-scars'], heldBack: []})
      expect(line.latencyMs).toBeGreaterThanOrEqual(0)

      // A new document appears; deleted at the source (the doc endpoint omits it), it goes.
      from = publisher.lines.length
      await client.create({
        _id: 'concern-redness',
        _type: 'concern',
        title: 'Redness',
        slug: {_type: 'slug', current: 'redness'},
      })
      await publisher.pageTitled('concerns', 'redness', 'Redness')
      await client.delete('concern-redness')
      await publisher.eventually('the page removed', () =>
        existsSync(publisher.page('concerns', 'redness')) ? undefined : true,
      )
      await publisher.eventually('its publish line', () => publisher.publishes(from)[1])
      expect(publisher.readMirror((ds) => ds.get('concern-redness'))).toBeUndefined()
      expect(publisher.publishes(from).flatMap((l) => l.documents)).toEqual([
        'concern-redness',
        'concern-redness',
      ])

      // Every delivery was answered 200 (the attempts log is written once the answer is in).
      let attempts: Array<{inProgress: boolean; resultCode: number | null}> = []
      for (let tries = 0; tries < 100; tries++) {
        attempts = await client.request({
          url: `/hooks/projects/${api.api.projectId}/${hook.id}/attempts`,
        })
        if (attempts.length === 3 && attempts.every((a) => !a.inProgress)) break
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(attempts.map((a) => a.resultCode)).toEqual([200, 200, 200])
    },
    DEADLINE_MS,
  )

  it(
    'stops on SIGTERM with exit 0 and frees its port',
    async () => {
      expect(await publisher.stop()).toBe(0)
      expectCompleteExport(publisher.out)
      await expect(fetch(url, {method: 'POST', body: '{}'})).rejects.toThrow()
      expect(publisher.readMirror(exportNdjson)).not.toContain('"Unseen scars"')
    },
    DEADLINE_MS,
  )
})
