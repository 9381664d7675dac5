/**
 * `npm run migrate` as a user runs it, on a seed-like dataset file: --list, --dry-run, a real run,
 * a second run, one migration by name, a migration that fails half-way, usage errors.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sha256} from '../../scripts/lib/hash.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import type {ListedMigration, RunReport} from '../../scripts/migrate/types.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import {runScript} from '../helpers/run.ts'
import {tempDir} from './helpers.ts'
import {makeLegacySeed} from './legacy.ts'

const {dir, cleanup} = tempDir('migrate-cli-')
afterAll(cleanup)

const migrate = (...args: string[]) => runScript('scripts/migrate/cli.ts', args)
const json = <T>(r: {stdout: string}) => JSON.parse(r.stdout) as T
/** The dataset as a file and as an export: a failed or dry run must change neither. */
const fingerprint = (path: string) => {
  const ds = Dataset.open(path)
  const exported = exportNdjson(ds)
  ds.close()
  return {file: sha256(readFileSync(path)), exported}
}

let master: string
beforeAll(async () => {
  master = join(dir, 'legacy.sqlite')
  const ds = Dataset.open(master)
  await makeLegacySeed(ds)
  ds.close()
})

/** A private copy of the legacy dataset for one test. */
function copy(name: string): string {
  const path = join(dir, `${name}.sqlite`)
  const ds = Dataset.open(path)
  const src = Dataset.open(master)
  ds.importDocuments(src.documents())
  src.close()
  ds.close()
  return path
}

describe('npm run migrate', () => {
  it('lists, dry-runs, runs, and then has nothing left to do', () => {
    const path = copy('full')
    const list = json<{
      ok: boolean
      pending: string[]
      applied: string[]
      migrations: ListedMigration[]
    }>(migrate('--list', '--json', '--dataset', path))
    expect(list.applied).toEqual([])
    expect(list.pending).toEqual([
      '2026-11-01-backfill-benefit-summary',
      '2026-11-02-reviewer-name-to-person',
      '2026-11-03-serum-kind-backfill',
      '2026-12-07-links-with-sources',
      '2026-12-08-partners-as-documents',
    ])

    const before = fingerprint(path)
    const dry = migrate('--dry-run', '--dataset', path)
    expect(dry.status, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('nothing is written')
    expect(dry.stdout).toMatch(/~ drafts\.benefit-\S+ \(benefit\)\n\s+summary: \(missing\) → "/)
    expect(dry.stdout).toMatch(
      /review\.reviewer: "Dr\. Ada Lee, MD, board-certified dermatologist" → \(missing\)/,
    )
    expect(dry.stdout).toMatch(/\+ person-sam-okafor \(person, create\)/)
    expect(dry.stdout).toMatch(/kind: \(missing\) → "procedure"/)
    expect(fingerprint(path)).toEqual(before)

    const dryJson = json<RunReport>(migrate('--dry-run', '--json', '--dataset', path))
    expect(dryJson).toMatchObject({
      ok: true,
      dryRun: true,
      target: {kind: 'embedded', dataset: path},
    })
    expect(dryJson.migrations.map((m) => [m.status, m.changes.length, m.transactionIds])).toEqual([
      ['dry-run', 3, []],
      ['dry-run', 4, []],
      ['dry-run', 2, []],
      ['dry-run', 10, []],
      ['dry-run', 2, []],
    ])
    expect(fingerprint(path)).toEqual(before)

    const run = migrate('--json', '--dataset', path)
    expect(run.status, run.stderr).toBe(0)
    const report = json<RunReport>(run)
    expect(report.migrations.map((m) => [m.status, m.changes])).toEqual(
      dryJson.migrations.map((m) => ['applied', m.changes]),
    )
    expect(report.migrations.every((m) => m.transactionIds.length === 1)).toBe(true)

    const listed = json<{pending: string[]; applied: string[]}>(
      migrate('--list', '--json', '--dataset', path),
    )
    expect(listed.pending).toEqual([])
    expect(listed.applied).toEqual(list.pending)

    const applied = fingerprint(path)
    const again = migrate('--dataset', path)
    expect(again.status).toBe(0)
    expect(again.stdout).toContain('Nothing to do')
    expect(fingerprint(path).exported).toBe(applied.exported)

    const validate = runScript('scripts/validate/cli.ts', ['--dataset', path, '--json'])
    expect(validate.status, validate.stdout.slice(0, 2000)).toBe(0)
    expect(json<{errors: number}>(validate).errors).toBe(0)
  })

  it('runs one migration by name (with or without its date prefix)', () => {
    const path = copy('one')
    const r = json<RunReport>(migrate('serum-kind-backfill', '--json', '--dataset', path))
    expect(r.migrations.map((m) => [m.id, m.status])).toEqual([
      ['2026-11-03-serum-kind-backfill', 'applied'],
    ])
    const list = json<{pending: string[]; applied: string[]}>(
      migrate('--list', '--json', '--dataset', path),
    )
    expect(list.applied).toEqual(['2026-11-03-serum-kind-backfill'])
    expect(list.pending).toHaveLength(4)
  })

  it('leaves the dataset byte-identical when a migration fails half-way, and exits 1', () => {
    const path = copy('failing')
    const before = fingerprint(path)
    const r = migrate(
      '--json',
      '--dataset',
      path,
      '--dir',
      join(ROOT, 'tests/fixtures/migrate/failing/migrations'),
    )
    expect(r.status).toBe(1)
    const report = json<RunReport>(r)
    expect(report.ok).toBe(false)
    expect(report.migrations[0]).toMatchObject({
      id: '2026-01-01-throws-half-way',
      status: 'failed',
      error: {message: expect.stringContaining('simulated failure')},
    })
    expect(fingerprint(path)).toEqual(before)
    const human = migrate(
      '--dataset',
      path,
      '--dir',
      join(ROOT, 'tests/fixtures/migrate/failing/migrations'),
    )
    expect(human.status).toBe(1)
    expect(human.stdout).toMatch(/FAILED, nothing of it was written: .*simulated failure/)
  })

  it('refuses bad usage with exit 2, and never creates a missing dataset', () => {
    const missing = join(dir, 'missing.sqlite')
    const r = migrate('--list', '--dataset', missing)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/dataset not found/)
    expect(existsSync(missing)).toBe(false)
    expect(migrate('no-such-migration', '--dataset', master).stderr).toMatch(
      /no migration "no-such-migration"/,
    )
    expect(migrate('--list', '--dry-run', '--dataset', master).status).toBe(2)
    expect(migrate('--bogus').status).toBe(2)
    const help = migrate('--help')
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/--dry-run/)
  })
})
