/** `npm run import` as a user runs it: a child process on Node 24, real dataset files, exit codes. */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import {runScript} from '../helpers/run.ts'
import {FIXTURES, SEED_FILE, tempDataset, type TempDataset} from './helpers.ts'

const CLI = 'scripts/import/cli.ts'
let t: TempDataset
afterEach(() => t?.cleanup())

/** stdout must be exactly one JSON object. */
const json = (stdout: string) => {
  expect(stdout.trim().split('\n')).toHaveLength(1)
  return JSON.parse(stdout) as Record<string, unknown>
}

describe('import CLI', () => {
  it('imports the sample by default, prints one JSON object, and writes nothing the second time', () => {
    t = tempDataset()
    t.ds.close()
    const first = runScript(CLI, ['--dataset', t.path, '--json'])
    expect(first.status, first.stderr).toBe(0)
    expect(json(first.stdout)).toMatchObject({
      ok: true,
      articleId: 'article-microneedling-benefits',
      created: 49, // 1 article, 10 benefits, 38 taxonomy entries
      updated: 0,
      unchanged: 0,
      dryRun: false,
    })
    const second = runScript(CLI, [SEED_FILE, '--dataset', t.path, '--json', '--quiet'])
    expect(second.status).toBe(0)
    expect(second.stderr).toBe('')
    expect(json(second.stdout)).toMatchObject({
      articleId: 'article-microneedling-benefits',
      created: 0,
      updated: 0,
      unchanged: 49,
    })
    t.reopen()
  })

  it('prints a short human report', () => {
    t = tempDataset()
    t.ds.close()
    const r = runScript(CLI, [
      SEED_FILE,
      '--dataset',
      t.path,
      '--title',
      '10 Benefits of Microneedling',
    ])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('article-10-benefits-of-microneedling')
    expect(r.stdout).toContain('49 created, 0 updated, 0 unchanged, 0 deleted')
    expect(r.stdout).toMatch(/8\. Erases Stretch Marks → stretch-marks/)
    expect(r.stdout).toMatch(/microneedling-benefits\.txt:31.*Erases/)
    t.reopen()
  })

  it('rejects bad input with file and line, exit 1, and leaves the dataset alone', () => {
    t = tempDataset()
    t.ds.close()
    const bad = join(FIXTURES, 'bad-skipped', 'input.txt')
    // A dataset that does not exist yet is not even created.
    const fresh = join(t.dir, 'fresh', 'dataset.sqlite')
    const r = runScript(CLI, [bad, '--dataset', fresh])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`error: ${bad}:11: section 3 is missing`)
    expect(existsSync(fresh)).toBe(false)
    // An existing dataset keeps its exact contents.
    expect(runScript(CLI, ['--dataset', t.path, '--quiet']).status).toBe(0)
    const before = exportNdjson(t.reopen())
    t.ds.close()
    const j = runScript(CLI, [bad, '--dataset', t.path, '--json'])
    expect(j.status).toBe(1)
    expect(json(j.stdout)).toMatchObject({
      ok: false,
      error: {code: 'INPUT', problems: [{file: bad, line: 11, level: 'error'}]},
    })
    expect(exportNdjson(t.reopen())).toBe(before)
  })

  it('--dry-run writes nothing (and creates no dataset file)', () => {
    t = tempDataset()
    const r = runScript(CLI, ['--dataset', t.path, '--dry-run', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(json(r.stdout)).toMatchObject({dryRun: true, created: 49})
    expect(t.reopen().count()).toBe(0)
    const fresh = join(t.dir, 'none.sqlite')
    expect(runScript(CLI, ['--dataset', fresh, '--dry-run', '--quiet']).stdout).toContain(
      'dry run, nothing written',
    )
    expect(existsSync(fresh)).toBe(false)
  })

  it('uses exit code 2 for wrong usage and 0 for --help', () => {
    t = tempDataset()
    expect(runScript(CLI, ['--help']).status).toBe(0)
    expect(runScript(CLI, ['--help']).stdout).toContain('Usage: npm run import')
    expect(runScript(CLI, ['--nope', '--dataset', t.path]).status).toBe(2)
    expect(runScript(CLI, ['a.txt', 'b.txt', '--dataset', t.path]).status).toBe(2)
    expect(runScript(CLI, [join(FIXTURES, 'missing.txt'), '--dataset', t.path]).stderr).toContain(
      'cannot read: ENOENT',
    )
  })
})
