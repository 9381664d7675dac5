/**
 * The runner on real dataset files: selection, one atomic transaction per migration with the
 * ledger record in it, and every way a migration can fail leaving the dataset as it was.
 */
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {at, defineMigration, patch, set} from 'sanity/migrate'
import {EmbeddedTarget} from '../../scripts/migrate/embedded.ts'
import {listMigrations, runMigrations} from '../../scripts/migrate/runner.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import type {DocumentInput} from '../../scripts/store/types.ts'
import {byId, datasetWith, FIXED_NOW, inline, markSeen, targetWith, tempDir} from './helpers.ts'

const {dir, cleanup} = tempDir('migrate-runner-')
afterAll(cleanup)

const DOCS: DocumentInput[] = [
  {_id: '_.settings.x', _type: 'benefit', title: 'system'},
  {_id: 'benefit-a', _type: 'benefit', title: 'A'},
  {_id: 'benefit-b', _type: 'benefit', title: 'B'},
  {_id: 'benefit-untitled', _type: 'benefit'},
  {_id: 'concern-c', _type: 'concern', title: 'C'},
  {_id: 'drafts.benefit-a', _type: 'benefit', title: 'A (draft)'},
]

/** Everything a failed run must leave exactly as it was. */
const state = (ds: Dataset) => ({export: exportNdjson(ds), lastSeq: ds.lastSeq()})

describe('selection', () => {
  it('honours documentTypes, filter and drafts, and never touches system documents', async () => {
    const {ds, target} = targetWith(DOCS)
    const report = await runMigrations(
      target,
      [inline('m1', markSeen({documentTypes: ['benefit'], filter: 'defined(title)'}))],
      {now: FIXED_NOW},
    )
    expect(report.migrations[0]).toMatchObject({status: 'applied', selected: 3})
    const seen = ds
      .documents()
      .filter((d) => d.seen === true)
      .map((d) => d._id)
    expect(seen).toEqual(['benefit-a', 'benefit-b', 'drafts.benefit-a'])
    ds.close()
  })

  it('gives handlers context.client (GROQ over the dataset), context.filtered and context.dryRun', async () => {
    const {ds, target} = targetWith(DOCS)
    const probe = defineMigration({
      title: 'Context probe',
      documentTypes: ['concern'],
      migrate: {
        async document(doc, context) {
          const benefits = await context.client.fetch<number>(
            'count(*[_type == "benefit" && !(_id in path("_.**"))])',
          )
          const self = await context.filtered.getDocument(doc._id)
          const outside = await context.filtered.getDocument('benefit-a')
          return at(
            'probe',
            set({benefits, self: self?._id, outside: outside?._id ?? null, dryRun: context.dryRun}),
          )
        },
      },
    })
    const dry = await runMigrations(target, [inline('probe', probe)], {dryRun: true})
    expect(dry.migrations[0]!.changes[0]!.fields).toEqual([
      {path: 'probe', after: {benefits: 4, self: 'concern-c', outside: null, dryRun: true}},
    ])
    await runMigrations(target, [inline('probe', probe)])
    expect(ds.get('concern-c')!.probe).toMatchObject({dryRun: false})
    ds.close()
  })
})

describe('atomicity', () => {
  it('a handler that throws half-way writes nothing', async () => {
    const {ds, target} = targetWith(DOCS)
    const before = state(ds)
    const halfway = defineMigration({
      title: 'Throws on the third document',
      async *migrate(documents) {
        let n = 0
        for await (const doc of documents()) {
          if (++n === 3) throw new Error('boom on ' + doc._id)
          yield patch(doc._id, at('touched', set(true)))
        }
      },
    })
    const report = await runMigrations(target, [inline('halfway', halfway)])
    expect(report.ok).toBe(false)
    expect(report.migrations[0]).toMatchObject({
      status: 'failed',
      error: {
        code: 'MIGRATION_FAILED',
        message: expect.stringContaining('boom on benefit-untitled'),
      },
    })
    expect(state(ds)).toEqual(before)
    ds.close()
  })

  it('a mutation that cannot apply fails before anything is written', async () => {
    const {ds, target} = targetWith(DOCS)
    const before = state(ds)
    const bad = defineMigration({
      title: 'Patches a missing document',
      documentTypes: ['concern'],
      migrate: {
        document: (doc) => [
          patch(doc._id, at('ok', set(true))),
          patch('benefit-missing', at('x', set(1))),
        ],
      },
    })
    const report = await runMigrations(target, [inline('bad', bad)])
    expect(report.migrations[0]).toMatchObject({
      status: 'failed',
      error: {code: 'MUTATION', message: expect.stringContaining('benefit-missing')},
    })
    expect(state(ds)).toEqual(before)
    ds.close()
  })

  it('a document edited while the migration ran is a revision conflict, and nothing of the migration is written', async () => {
    const file = join(dir, 'conflict.sqlite')
    datasetWith(DOCS, file).close()
    const target = EmbeddedTarget.open(file)
    const editor = Dataset.open(file) // another process, as far as SQLite is concerned
    let edited = false
    const racing = defineMigration({
      title: 'Races an editor',
      documentTypes: ['benefit'],
      migrate: {
        document() {
          if (!edited) {
            editor.transaction([{patch: {id: 'benefit-b', set: {title: 'Edited meanwhile'}}}], {
              author: 'editor',
            })
            edited = true
          }
          return at('seen', set(true))
        },
      },
    })
    const seqBefore = editor.lastSeq()
    const report = await runMigrations(target, [inline('racing', racing)])
    expect(report.migrations[0]).toMatchObject({
      status: 'failed',
      error: {code: 'REVISION_CONFLICT', message: expect.stringContaining('benefit-b')},
    })
    const docs = target.dataset.documents()
    expect(docs.filter((d) => d.seen !== undefined)).toEqual([])
    expect(byId(docs).get('benefit-b')!.title).toBe('Edited meanwhile')
    expect(target.dataset.lastSeq()).toBe(seqBefore + 1) // only the editor's transaction
    expect(await target.ledger()).toEqual([])
    editor.close()
    target.close()
  })
})

describe('several migrations', () => {
  const first = inline(
    '2026-01-01-first',
    defineMigration({
      title: 'First',
      documentTypes: ['concern'],
      migrate: {document: () => at('first', set(true))},
    }),
  )
  const failing = inline(
    '2026-01-02-failing',
    defineMigration({
      title: 'Failing',
      migrate: {
        document: () => {
          throw new Error('nope')
        },
      },
    }),
  )
  const third = inline(
    '2026-01-03-third',
    defineMigration({
      title: 'Third',
      documentTypes: ['concern'],
      filter: 'first == true',
      migrate: {document: () => at('third', set(true))},
    }),
  )

  it('commits each migration on its own; after a failure the rest do not run; a re-run continues', async () => {
    const {ds, target} = targetWith(DOCS)
    const report = await runMigrations(target, [first, failing, third], {now: FIXED_NOW})
    expect(report.migrations.map((o) => o.status)).toEqual(['applied', 'failed', 'not-run'])
    expect(ds.get('concern-c')).toMatchObject({first: true})
    expect(ds.get('concern-c')!.third).toBeUndefined()
    expect((await listMigrations(target, [first, failing, third])).map((m) => m.status)).toEqual([
      'applied',
      'pending',
      'pending',
    ])

    const rerun = await runMigrations(target, [first, third], {now: FIXED_NOW})
    expect(rerun.migrations.map((o) => o.status)).toEqual(['already-applied', 'applied'])
    expect(ds.get('concern-c')).toMatchObject({first: true, third: true})
    ds.close()
  })

  it('a dry run shows each migration building on the one before, and writes nothing', async () => {
    const {ds, target} = targetWith(DOCS)
    const before = state(ds)
    const report = await runMigrations(target, [first, third], {dryRun: true})
    expect(report).toMatchObject({ok: true, dryRun: true})
    expect(report.migrations.map((o) => [o.status, o.changes.map((c) => c.id)])).toEqual([
      ['dry-run', ['concern-c']],
      ['dry-run', ['concern-c']],
    ])
    expect(state(ds)).toEqual(before)
    ds.close()
  })

  it('lists ledger entries whose folder is gone, and migrations edited after they ran', async () => {
    const {ds, target} = targetWith(DOCS)
    await runMigrations(target, [first], {now: FIXED_NOW})
    const edited = {...third, checksum: 'sha256:other'}
    await runMigrations(target, [edited], {now: FIXED_NOW})
    const list = await listMigrations(target, [third])
    expect(list).toEqual([
      expect.objectContaining({
        id: '2026-01-01-first',
        status: 'applied',
        missing: true,
        appliedAt: '2026-11-24T10:00:00.000Z',
      }),
      expect.objectContaining({id: '2026-01-03-third', status: 'applied', modified: true}),
    ])
    ds.close()
  })
})
