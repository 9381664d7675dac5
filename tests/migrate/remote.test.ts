/**
 * The remote runner against the project's local Sanity API (a real server over a real dataset):
 * the same migrations through @sanity/client — /data/export to read, /data/mutate with
 * ifRevisionID to write, the ledger as documents — giving the same documents as the embedded
 * runner; and `npm run migrate` pointed at it by environment variables.
 */
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {at, defineMigration, set} from 'sanity/migrate'
import {API_VERSION, type RemoteTarget} from '../../scripts/lib/env.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import {discoverMigrations} from '../../scripts/migrate/discover.ts'
import {EmbeddedTarget} from '../../scripts/migrate/embedded.ts'
import {RemoteMigrationTarget} from '../../scripts/migrate/remote.ts'
import {listMigrations, runMigrations} from '../../scripts/migrate/runner.ts'
import type {LoadedMigration, RunReport} from '../../scripts/migrate/types.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {startTestApi, type TestApi} from '../api/helpers.ts'
import {NODE, testEnv} from '../helpers/run.ts'
import {FIXED_NOW, inline, MIGRATIONS_DIR} from './helpers.ts'
import {makeLegacySeed} from './legacy.ts'

let api: TestApi
let migrations: LoadedMigration[]
let remote: RemoteTarget
const content = (docs: readonly StoredDocument[]) =>
  docs.filter((d) => !d._id.startsWith('_.')).map(({_rev, _createdAt, _updatedAt, ...rest}) => rest)

beforeAll(async () => {
  api = await startTestApi({seed: false})
  await makeLegacySeed(api.ds)
  migrations = await discoverMigrations(MIGRATIONS_DIR)
  remote = {
    kind: 'remote',
    projectId: api.api.projectId,
    dataset: api.api.datasetName,
    token: api.token,
    apiHost: api.api.httpUrl!,
    apiVersion: API_VERSION,
  }
})
afterAll(async () => api?.close())

/** A private embedded copy of what the API serves, to compare the two runners. */
function embeddedCopy(): EmbeddedTarget {
  const ds = Dataset.open(':memory:')
  ds.importDocuments(api.ds.documents())
  return new EmbeddedTarget(ds)
}

describe('remote runner on the local API', () => {
  it('dry-runs without writing, then applies exactly what the embedded runner applies, once', async () => {
    const target = new RemoteMigrationTarget(remote)
    expect((await listMigrations(target, migrations)).map((m) => m.status)).toEqual(
      Array(migrations.length).fill('pending'),
    )
    expect(migrations).toHaveLength(5)

    const before = {export: exportNdjson(api.ds), seq: api.ds.lastSeq()}
    const dry = await runMigrations(target, migrations, {dryRun: true, now: FIXED_NOW})
    expect(dry.ok).toBe(true)
    expect({export: exportNdjson(api.ds), seq: api.ds.lastSeq()}).toEqual(before)

    const local = embeddedCopy()
    const localReport = await runMigrations(local, migrations, {now: FIXED_NOW})
    expect(dry.migrations.map((m) => m.changes)).toEqual(
      localReport.migrations.map((m) => m.changes),
    )

    const run = await runMigrations(target, migrations, {now: FIXED_NOW})
    expect(run.migrations.map((m) => [m.status, m.transactionIds.length])).toEqual(
      Array(migrations.length).fill(['applied', 1]),
    )
    expect(run.migrations.map((m) => m.changes)).toEqual(
      localReport.migrations.map((m) => m.changes),
    )
    expect(content(api.ds.documents())).toEqual(content(local.dataset.documents()))
    // Each migration is one transaction on the server, holding its ledger record.
    for (const m of run.migrations) {
      const tx = api.ds.transactionById(m.transactionIds[0]!)!
      expect(tx.effects.map((e) => e.id)).toContain(`_.migrations.${m.id}`)
      // Patches carry a revision check (the partners migration only creates, if not there).
      const patches = tx.mutations.filter((x) => 'patch' in x)
      expect(
        patches.length === 0 ||
          patches.some((x) => 'patch' in x && typeof x.patch.ifRevisionID === 'string'),
      ).toBe(true)
    }
    local.close()

    const applied = exportNdjson(api.ds)
    const again = await runMigrations(target, migrations, {now: FIXED_NOW})
    expect(again.migrations.map((m) => m.status)).toEqual(
      Array(migrations.length).fill('already-applied'),
    )
    expect(exportNdjson(api.ds)).toBe(applied)
    expect((await listMigrations(target, migrations)).map((m) => m.status)).toEqual(
      Array(migrations.length).fill('applied'),
    )
  })

  it('a document changed on the server during the run is a 409, and nothing of the migration is written', async () => {
    const target = new RemoteMigrationTarget(remote)
    const concern = api.ds.documents({types: ['concern']})[0]!
    let edited = false
    const racing = defineMigration({
      title: 'Races an editor',
      documentTypes: ['concern'],
      migrate: {
        document() {
          if (!edited) {
            api.ds.transaction([{patch: {id: concern._id, set: {description: 'Edited meanwhile'}}}])
            edited = true
          }
          return at('raced', set(true))
        },
      },
    })
    const seq = api.ds.lastSeq()
    const report = await runMigrations(target, [inline('2099-01-01-racing', racing)])
    expect(report.migrations[0]).toMatchObject({
      status: 'failed',
      error: {
        code: 'REVISION_CONFLICT',
        message: expect.stringContaining(`Revision conflict on ${concern._id}`),
      },
    })
    expect(api.ds.lastSeq()).toBe(seq + 1)
    expect(api.ds.documents().filter((d) => d.raced !== undefined)).toEqual([])
    expect(api.ds.get('_.migrations.2099-01-01-racing')).toBeUndefined()
  })

  it('splits a migration larger than one request into several transactions, ledger record last', async () => {
    const target = new RemoteMigrationTarget(remote, {maxTransactionBytes: 400})
    const tagAll = inline(
      '2099-01-02-tag-all',
      defineMigration({
        title: 'Tag every concern',
        documentTypes: ['concern'],
        migrate: {document: () => at('tagged', set(true))},
      }),
    )
    const report = await runMigrations(target, [tagAll], {now: FIXED_NOW})
    const ids = report.migrations[0]!.transactionIds
    expect(ids.length).toBeGreaterThan(1)
    expect(api.ds.documents({types: ['concern']}).every((d) => d.tagged === true)).toBe(true)
    expect(api.ds.transactionById(ids.at(-1)!)!.effects.map((e) => e.id)).toContain(
      '_.migrations.2099-01-02-tag-all',
    )
  })
})

describe('context.client on a remote target', () => {
  it('answers GROQ through the API and refuses writes', async () => {
    const target = new RemoteMigrationTarget(remote)
    const probe = defineMigration({
      title: 'Client probe',
      documentTypes: ['treatment'],
      migrate: {
        async document(doc, context) {
          const concerns = await context.client.fetch<number>('count(*[_type == "concern"])')
          let write = 'allowed'
          try {
            ;(context.client as unknown as {create: (d: object) => unknown}).create({_type: 'x'})
          } catch (e) {
            write = (e as Error).message
          }
          return at('probe', set({concerns, write}))
        },
      },
    })
    // A dry run works on an in-memory copy, so its handlers query the copy; a real run queries the API.
    for (const dryRun of [true, false]) {
      const report = await runMigrations(target, [inline('2099-01-04-probe', probe)], {dryRun})
      const fields = report.migrations[0]!.changes[0]!.fields
      expect(fields[0]!.after).toEqual({
        concerns: api.ds.count({type: 'concern'}),
        write: expect.stringContaining('context.client.create is not available to migrations'),
      })
    }
  })
})

describe('npm run migrate against a Sanity API named by the environment', () => {
  it('lists and runs through the API (SANITY_PROJECT_ID, SANITY_DATASET, SANITY_TOKEN, SANITY_API_HOST)', async () => {
    const env = testEnv({
      SANITY_PROJECT_ID: remote.projectId,
      SANITY_DATASET: remote.dataset,
      SANITY_TOKEN: api.token,
      SANITY_API_HOST: remote.apiHost!,
    })
    // Async: the API answers from this process, so a blocking spawnSync would deadlock.
    const migrate = (...args: string[]) =>
      promisify(execFile)(
        NODE,
        [
          join(ROOT, 'scripts/migrate/cli.ts'),
          ...args,
          '--dir',
          join(ROOT, 'tests/fixtures/migrate/remote/migrations'),
        ],
        {cwd: ROOT, env},
      )
    const list = JSON.parse((await migrate('--list', '--json')).stdout) as {
      target: {kind: string}
      pending: string[]
    }
    expect(list.target.kind).toBe('remote')
    expect(list.pending).toEqual(['2026-01-01-mark-skin-types'])
    const run = JSON.parse((await migrate('--json')).stdout) as RunReport
    expect(run.migrations[0]).toMatchObject({status: 'applied'})
    expect(api.ds.documents({types: ['skinType']}).every((d) => d.marked === true)).toBe(true)
    expect(
      (JSON.parse((await migrate('--list', '--json')).stdout) as {pending: string[]}).pending,
    ).toEqual([])
  })
})

describe('remote adapter request shapes (an API without /data/export)', () => {
  it('falls back to one raw query for the documents, and commits with sync visibility and no generated keys', async () => {
    const {createServer} = await import('node:http')
    const seen: Array<{method: string; path: string; query: URLSearchParams; body?: unknown}> = []
    const docs = [
      {
        _id: 'concern-a',
        _type: 'concern',
        _rev: 'r1',
        _createdAt: 'x',
        _updatedAt: 'x',
        title: 'A',
      },
    ]
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x')
      let raw = ''
      req.on('data', (c) => (raw += c))
      req.on('end', () => {
        seen.push({
          method: req.method!,
          path: url.pathname,
          query: url.searchParams,
          ...(raw ? {body: JSON.parse(raw)} : {}),
        })
        const send = (status: number, body: unknown) =>
          res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body))
        if (url.pathname.includes('/data/export/')) return send(404, {error: 'Not found'})
        if (url.pathname.includes('/data/query/'))
          return send(200, {
            result: url.searchParams.get('query')!.includes('migration.record') ? [] : docs,
            ms: 1,
          })
        if (url.pathname.includes('/data/mutate/'))
          return send(200, {transactionId: 'tx1', results: []})
        send(404, {error: 'Not found'})
      })
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const port = (server.address() as {port: number}).port
    try {
      const target = new RemoteMigrationTarget({
        kind: 'remote',
        projectId: 'p',
        dataset: 'ds',
        token: 't',
        apiHost: `http://127.0.0.1:${port}`,
        apiVersion: API_VERSION,
      })
      const m = inline(
        '2099-01-03-x',
        defineMigration({
          title: 'X',
          documentTypes: ['concern'],
          migrate: {document: () => at('x', set(1))},
        }),
      )
      const report = await runMigrations(target, [m], {now: FIXED_NOW})
      expect(report.migrations[0]).toMatchObject({status: 'applied', transactionIds: ['tx1']})

      const exp = seen.find((r) => r.path.endsWith('/data/export/ds'))!
      expect(exp.query.get('types')).toBe('concern')
      const query = seen.find(
        (r) => r.path.endsWith('/data/query/ds') && r.query.get('query') === '*[_type in $types]',
      )!
      expect(query.query.get('$types')).toBe('["concern"]')
      expect(query.query.get('perspective')).toBe('raw')
      const mutate = seen.find((r) => r.method === 'POST')!
      expect(mutate.path).toBe(`/v${API_VERSION}/data/mutate/ds`)
      expect(mutate.query.get('visibility')).toBe('sync')
      expect(mutate.query.get('autoGenerateArrayKeys')).toBe('false')
      expect(mutate.body).toEqual({
        mutations: [
          {patch: {id: 'concern-a', set: {x: 1}, ifRevisionID: 'r1'}},
          {
            create: {
              _id: '_.migrations.2099-01-03-x',
              _type: 'migration.record',
              migration: '2099-01-03-x',
              title: 'X',
              appliedAt: '2026-11-24T10:00:00.000Z',
              checksum: 'sha256:2099-01-03-x',
              documents: 1,
              mutations: 1,
            },
          },
        ],
        // Our own id, kept across retries: it tells whether an unanswered attempt was applied.
        transactionId: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
      })
    } finally {
      await new Promise((done) => server.close(done))
    }
  })
})
