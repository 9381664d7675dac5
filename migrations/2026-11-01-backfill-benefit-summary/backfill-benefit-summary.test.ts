/** The summary backfill: pure handler and helpers, then through the runner on fixture.ndjson. */
import {join} from 'node:path'
import type {MigrationContext, NodeMigration} from 'sanity/migrate'
import {describe, expect, it} from 'vitest'
import {importSources} from '../../scripts/import/importer.ts'
import {SOURCES_DIR} from '../../scripts/lib/paths.ts'
import {listMigrations, runMigrations} from '../../scripts/migrate/runner.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import {
  byId,
  FIXED_NOW,
  fixtureDocs,
  loadMigration,
  targetWith,
} from '../../tests/migrate/helpers.ts'
import migration from './index.ts'
import {firstSentence, MAX_SUMMARY, summaryFromBody} from './summary.ts'

const ID = '2026-11-01-backfill-benefit-summary'
const block = (text: string, extra: Record<string, unknown> = {}) => ({
  _type: 'block',
  _key: 'k',
  style: 'normal',
  markDefs: [],
  children: [{_type: 'span', _key: 's', text, marks: []}],
  ...extra,
})
const handler = (doc: Record<string, unknown>) =>
  (migration.migrate as NodeMigration).document!(
    {_id: 'benefit-x', _type: 'benefit', _rev: 'r', _createdAt: '', _updatedAt: '', ...doc},
    {} as MigrationContext,
  )

describe('summaryFromBody / firstSentence', () => {
  it('takes the first sentence of the first plain paragraph', () => {
    expect(
      summaryFromBody([
        block('Why it works', {style: 'h2'}),
        block('A list item.', {listItem: 'bullet'}),
        block('It heals. Then more.'),
      ]),
    ).toBe('It heals.')
    expect(firstSentence('  Dr. Lee says  so.  And then?')).toBe('Dr. Lee says so.')
  })

  it('falls back to the first text block, and gives nothing for an empty body', () => {
    expect(summaryFromBody([block('Only a heading', {style: 'h2'})])).toBe('Only a heading')
    expect(summaryFromBody([])).toBeUndefined()
    expect(summaryFromBody(undefined)).toBeUndefined()
    expect(summaryFromBody([block('   ')])).toBeUndefined()
  })

  it('cuts a long sentence on a word boundary under the schema limit', () => {
    const long = `${'word '.repeat(100)}end.`
    const s = firstSentence(long)
    expect(s.length).toBeLessThanOrEqual(MAX_SUMMARY)
    expect(s.endsWith('word…')).toBe(true)
  })

  it("agrees with the importer: stripping the seed's summaries and backfilling gives them back", async () => {
    const ds = Dataset.open(':memory:')
    await importSources(ds, [join(SOURCES_DIR, 'microneedling-benefits.txt')])
    const benefits = ds.documents({types: ['benefit']})
    expect(benefits.length).toBe(10)
    for (const b of benefits) expect(summaryFromBody(b.body), b._id).toBe(b.summary)
    ds.close()
  })
})

describe('the handler (pure: document in, patch out)', () => {
  it('sets the summary when it is missing or blank', () => {
    expect(handler({body: [block('Heals. More.')]})).toEqual({
      path: ['summary'],
      op: {type: 'set', value: 'Heals.'},
    })
    expect(handler({summary: '  ', body: [block('Heals.')]})).toEqual({
      path: ['summary'],
      op: {type: 'set', value: 'Heals.'},
    })
  })

  it('leaves a written summary and a body without text alone', () => {
    expect(handler({summary: 'Kept.', body: [block('Other.')]})).toBeUndefined()
    expect(handler({})).toBeUndefined()
  })
})

describe('through the runner, on fixture.ndjson', () => {
  it('backfills published and draft benefits, skips the rest, and records itself once', async () => {
    const {ds, target} = targetWith(fixtureDocs(ID))
    const m = await loadMigration('backfill-benefit-summary')
    const before = byId(ds.documents())

    const report = await runMigrations(target, [m], {now: FIXED_NOW})
    expect(report.ok).toBe(true)
    const [outcome] = report.migrations
    expect(outcome).toMatchObject({
      id: ID,
      status: 'applied',
      selected: 4,
      mutations: 3,
      appliedAt: '2026-11-24T10:00:00.000Z',
    })
    expect(outcome!.changes).toEqual([
      {
        id: 'benefit-boosts-collagen',
        type: 'benefit',
        operation: 'update',
        fields: [{path: 'summary', after: 'Tiny punctures prompt the skin to make new collagen.'}],
      },
      {
        id: 'benefit-heading-first',
        type: 'benefit',
        operation: 'update',
        fields: [
          {path: 'summary', before: '', after: 'Controlled micro-injuries trigger healing!'},
        ],
      },
      {
        id: 'drafts.benefit-fades-dark-spots',
        type: 'benefit',
        operation: 'update',
        fields: [{path: 'summary', after: 'A draft without a summary.'}],
      },
    ])

    const after = byId(ds.documents())
    for (const id of [
      '_.settings.benefit-like',
      'benefit-fades-dark-spots',
      'benefit-no-body',
      'concern-acne-scars',
    ]) {
      expect(after.get(id), id).toEqual(before.get(id))
    }
    // One transaction, authored by the migration, that also wrote the ledger record.
    const tx = ds.transactionById(outcome!.transactionIds[0]!)!
    expect(tx.author).toBe(`migration:${ID}`)
    expect(tx.effects.map((e) => e.id).sort()).toEqual([
      '_.migrations.' + ID,
      'benefit-boosts-collagen',
      'benefit-heading-first',
      'drafts.benefit-fades-dark-spots',
    ])
    expect(ds.get(`_.migrations.${ID}`)).toMatchObject({
      _type: 'migration.record',
      migration: ID,
      documents: 3,
      mutations: 3,
      checksum: m.checksum,
    })
    expect((await listMigrations(target, [m]))[0]).toMatchObject({
      status: 'applied',
      transactionId: tx.transactionId,
    })

    const exported = exportNdjson(ds)
    const again = await runMigrations(target, [m], {now: FIXED_NOW})
    expect(again.migrations[0]!.status).toBe('already-applied')
    expect(exportNdjson(ds)).toBe(exported)
    ds.close()
  })
})
