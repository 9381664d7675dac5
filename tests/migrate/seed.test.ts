/**
 * The migrations on a seed-like dataset: before, the Studio's rules find the legacy shapes;
 * after, validation has no errors and the feed exports still build and validate.
 */
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {discoverMigrations} from '../../scripts/migrate/discover.ts'
import {EmbeddedTarget} from '../../scripts/migrate/embedded.ts'
import {runMigrations} from '../../scripts/migrate/runner.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {FIXED_NOW, MIGRATIONS_DIR, tempDir} from './helpers.ts'
import {makeLegacySeed} from './legacy.ts'

const {dir, cleanup} = tempDir('migrate-seed-')
afterAll(cleanup)

describe('migrating a seed-like dataset', () => {
  it('fixes what validation flags, and the result validates and exports', async () => {
    const ds = Dataset.open(join(dir, 'seed.sqlite'))
    const facts = await makeLegacySeed(ds)

    const before = await validateDocuments(ds.documents())
    const flagged = (ids: string[], path: string) =>
      before.problems.filter((p) => ids.includes(p.documentId!) && p.path === path)
    expect(flagged(facts.reviewed, 'review.lastReviewed').map((p) => p.level)).toEqual([
      'error',
      'error',
    ])
    expect(flagged(facts.reviewed, 'review.reviewer')).toHaveLength(2)
    expect(flagged(facts.withoutKind, 'kind').map((p) => p.level)).toEqual(['error', 'error'])
    expect(flagged([...facts.withoutSummary, facts.draft], 'summary')).toHaveLength(3)

    const report = await runMigrations(
      new EmbeddedTarget(ds),
      await discoverMigrations(MIGRATIONS_DIR),
      {now: FIXED_NOW},
    )
    expect(report.ok, JSON.stringify(report.migrations.map((m) => m.error))).toBe(true)
    expect(report.migrations.map((m) => [m.status, m.changes.length])).toEqual([
      ['applied', 3],
      ['applied', 4],
      ['applied', 2],
      ['applied', facts.plainLinks.length],
      ['applied', 2],
    ])

    const after = await validateDocuments(ds.documents())
    expect(after.problems.filter((p) => p.level === 'error')).toEqual([])
    expect(
      after.problems.filter(
        (p) => p.path === 'summary' || p.path?.startsWith('review') || p.path === 'kind',
      ),
    ).toEqual([])

    const summary = await exportFeeds({
      dataset: ds,
      out: join(dir, 'out'),
      now: '2026-11-24T10:00:00Z',
    })
    expect(summary.ok).toBe(true)
    expect(summary.pages.benefit).toBe(10)
    // The partners the migration created, read from their documents.
    expect(summary.partners.map((p) => p.name)).toEqual(['clinic-network', 'wellness-app'])
    ds.close()
  })
})
