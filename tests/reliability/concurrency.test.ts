/**
 * Concurrency: real processes on one dataset file. Two writers from the same base revision — one
 * commits, the other gets a clear revision conflict, no update is lost — whether both are scripts
 * using the store, or the CLI (`npm run migrate`) and the Studio (through the local API). Readers
 * (the store, the API, `npm run query`) are not blocked by a long write; a second writer waits for
 * the lock instead of failing. No timing assertions: order is forced with barrier files.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {cliEnv, start, startApiProcess, tempDir, type ApiProcess} from './helpers.ts'

const WRITER = join(ROOT, 'tests', 'reliability', 'programs', 'writer.ts')
const MIGRATE = join(ROOT, 'scripts', 'migrate', 'cli.ts')
const QUERY = join(ROOT, 'scripts', 'query', 'cli.ts')
const TEST_MIGRATIONS = join(ROOT, 'tests', 'reliability', 'migrations')

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('concurrency-')
})
afterAll(() => tmp.cleanup())

function datasetWith(
  name: string,
  docs: Array<Record<string, unknown> & {_id: string; _type: string}>,
): string {
  const path = join(tmp.dir, name)
  const ds = Dataset.open(path)
  ds.transaction(
    docs.map((d) => ({createOrReplace: d})),
    {author: 'test setup'},
  )
  ds.close()
  return path
}

const read = (path: string, id: string) => {
  const ds = Dataset.open(path)
  try {
    return {doc: ds.get(id)!, history: ds.history(id)}
  } finally {
    ds.close()
  }
}

async function waitForFile(file: string): Promise<void> {
  while (!existsSync(file)) await sleep(5)
}

describe('two writers, one document, the same base revision', () => {
  it('two processes using the store: in every round exactly one commits and one gets REVISION_CONFLICT; the winner’s change is kept', async () => {
    const path = datasetWith('two-writers.sqlite', [
      {_id: 'concern-acne', _type: 'concern', title: 'Acne'},
    ])
    const rounds = 8
    let conflicts = 0
    for (let round = 1; round <= rounds; round++) {
      const before = read(path, 'concern-acne')
      const barrier = join(tmp.dir, `go-${round}`)
      const writers = (['A', 'B'] as const).map((w) =>
        start([
          WRITER,
          JSON.stringify({
            dataset: path,
            barrier,
            mutations: [
              {
                patch: {
                  id: 'concern-acne',
                  ifRevisionID: before.doc._rev,
                  set: {title: `Acne (${w}, round ${round})`, [`editedBy${w}`]: round},
                },
              },
            ],
          }),
        ]),
      )
      // Both have opened the dataset and hold the same base revision; release them together.
      await Promise.all(writers.map((w) => w.line((v: {ready?: boolean}) => v.ready === true)))
      writeFileSync(barrier, '')
      const results = await Promise.all(
        writers.map((w) =>
          w.line<{ok?: boolean; code?: string; transactionId?: string}>((v) => 'ok' in v),
        ),
      )
      await Promise.all(writers.map((w) => w.exited))
      const winners = results.filter((r) => r.ok)
      const losers = results.filter((r) => !r.ok)
      expect(winners).toHaveLength(1)
      expect(losers.map((l) => l.code)).toEqual(['REVISION_CONFLICT'])
      conflicts += losers.length
      const winner = results.indexOf(winners[0]!) === 0 ? 'A' : 'B'
      const after = read(path, 'concern-acne')
      expect(after.doc.title).toBe(`Acne (${winner}, round ${round})`)
      expect(after.doc[`editedBy${winner}`]).toBe(round)
      expect(after.doc[`editedBy${winner === 'A' ? 'B' : 'A'}`]).not.toBe(round)
      expect(after.doc._rev).toBe(winners[0]!.transactionId)
      // One new revision: the loser wrote nothing at all.
      expect(after.history).toHaveLength(before.history.length + 1)
    }
    console.log(
      `concurrency: ${rounds} rounds of two store writers, ${conflicts} conflicts (one per round), 0 lost updates`,
    )
  }, 120_000)

  describe('the CLI (npm run migrate) and the Studio (the local API) on the same document', () => {
    let path: string
    let api: ApiProcess
    beforeAll(async () => {
      path = datasetWith('cli-studio.sqlite', [
        {_id: 'concern-melasma', _type: 'concern', title: 'Melasma'},
      ])
      api = await startApiProcess(path, join(tmp.dir, 'tls'))
    })
    afterAll(async () => {
      await api?.stop()
    })

    const studioEdit = (rev: string, title: string) =>
      api.http('/data/mutate/production', {
        method: 'POST',
        auth: true,
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({
          mutations: [{patch: {id: 'concern-melasma', ifRevisionID: rev, set: {title}}}],
        }),
      })

    /** `npm run migrate` with the barrier migration; resolves once it has read the document. */
    async function migrationThatHasRead(barrier: string) {
      const run = start(
        [MIGRATE, '--dataset', path, '--dir', TEST_MIGRATIONS, '--json', '--quiet'],
        {env: cliEnv({RELIABILITY_BARRIER: barrier})},
      )
      await waitForFile(`${barrier}.reading`)
      return run
    }

    it('Studio saves first: the migration, holding the old revision, fails with REVISION_CONFLICT and writes nothing', async () => {
      const base = read(path, 'concern-melasma').doc._rev
      const barrier = join(tmp.dir, 'migrate-1')
      const migration = await migrationThatHasRead(barrier)
      const saved = await studioEdit(base, 'Melasma (edited in the Studio)')
      expect(saved.status).toBe(200)
      writeFileSync(barrier, '')
      expect(await migration.exited).toBe(1)
      const report = JSON.parse(migration.stdout()) as {
        migrations: Array<{status: string; error?: {code: string; message: string}}>
      }
      expect(report.migrations[0]).toMatchObject({
        status: 'failed',
        error: {code: 'REVISION_CONFLICT'},
      })
      expect(report.migrations[0]!.error!.message).toMatch(/Revision conflict on concern-melasma/)
      const doc = read(path, 'concern-melasma').doc
      expect(doc.title).toBe('Melasma (edited in the Studio)')
      const ds = Dataset.open(path)
      expect(ds.get('_.migrations.2099-01-01-wait-then-retitle')).toBeUndefined()
      ds.close()
    })

    it('the migration commits first: the Studio’s save from the old revision is a 409, and the migration’s change stays', async () => {
      const studioBase = read(path, 'concern-melasma').doc._rev
      const barrier = join(tmp.dir, 'migrate-2')
      const migration = await migrationThatHasRead(barrier)
      writeFileSync(barrier, '')
      expect(await migration.exited).toBe(0)
      const saved = await studioEdit(studioBase, 'Melasma (stale Studio edit)')
      expect(saved.status).toBe(409)
      const body = (await saved.json()) as {
        error: {type: string; items: Array<{error: {type: string; id: string}}>}
      }
      expect(body.error.type).toBe('mutationError')
      expect(body.error.items[0]!.error).toMatchObject({
        type: 'documentRevisionIdMismatchError',
        id: 'concern-melasma',
      })
      const doc = read(path, 'concern-melasma').doc
      expect(doc.title).toBe('Migrated: Melasma (edited in the Studio)')
      console.log(
        'concurrency: CLI vs Studio, both orders: exactly one conflict each, 0 lost updates',
      )
    })
  })
})

describe('readers during a long write', () => {
  it('the store, the local API and `npm run query` all answer while another process holds the write lock; a second writer waits, then commits', async () => {
    const docs = Array.from({length: 300}, (_, i) => ({
      _id: `concern-r${i}`,
      _type: 'concern',
      title: `Reader test ${i}`,
    }))
    const path = datasetWith('readers.sqlite', docs)
    const api = await startApiProcess(path, join(tmp.dir, 'tls-readers'))
    const release = join(tmp.dir, 'release-writer')
    const holder = start([WRITER, JSON.stringify({dataset: path, hold: 300, release})])
    try {
      await holder.line((v: {locked?: boolean}) => v.locked === true)

      // While the lock is held (it is released only after all of these finished):
      let t = performance.now()
      const ds = Dataset.open(path)
      const seen = ds.documents()
      ds.close()
      const storeMs = performance.now() - t
      expect(seen).toHaveLength(300)
      expect(seen.some((d) => 'heldBy' in d)).toBe(false) // the uncommitted write is invisible

      t = performance.now()
      const res = await api.http(
        '/data/query/production?query=count(*%5B_type%3D%3D%22concern%22%5D)',
      )
      const apiMs = performance.now() - t
      expect(res.status).toBe(200)
      expect(((await res.json()) as {result: number}).result).toBe(300)

      t = performance.now()
      const cli = start([QUERY, 'count(*[defined(heldBy)])', '--dataset', path, '--json'])
      expect(await cli.exited).toBe(0)
      const cliMs = performance.now() - t
      expect((JSON.parse(cli.stdout()) as {result: number}).result).toBe(0)

      // A second writer does not fail with "database is locked": it waits for the lock.
      const second = start([
        WRITER,
        JSON.stringify({
          dataset: path,
          mutations: [{patch: {id: 'concern-r1', set: {title: 'Written after the long write'}}}],
        }),
      ])
      await second.line((v: {ready?: boolean}) => v.ready === true)
      expect(holder.proc.exitCode).toBeNull() // still holding the lock
      writeFileSync(release, '')
      expect(await holder.exited).toBe(0)
      expect(await second.exited).toBe(0)
      expect(JSON.parse(second.stdout().trim().split('\n').at(-1)!)).toMatchObject({ok: true})
      expect(read(path, 'concern-r1').doc.title).toBe('Written after the long write')
      console.log(
        `concurrency: during a held write lock — store read ${Math.round(storeMs)} ms, API query ${Math.round(apiMs)} ms, npm run query ${Math.round(cliMs)} ms (all completed); second writer waited and committed`,
      )
    } finally {
      if (!existsSync(release)) writeFileSync(release, '')
      await holder.exited
      await api.stop()
    }
  }, 120_000)
})
