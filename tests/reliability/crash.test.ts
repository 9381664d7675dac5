/**
 * Crash safety: the harness (scripts/reliability/crash.ts) kills the real import, NDJSON import,
 * migrate and export CLIs with SIGKILL at seeded random moments, ≥ 100 times, and checks every
 * state they leave. Plus the states a kill can leave that random timing rarely hits, built by hand:
 * a kill between the two renames of the export swap, work folders of a dead export, a WAL with a
 * torn (uncommitted) transaction.
 */
import {spawnSync} from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCrashHarness, summaryLine} from '../../scripts/reliability/crash.ts'
import {inspectDataset} from '../../scripts/reliability/datasetState.ts'
import {inspectExport} from '../../scripts/reliability/distState.ts'
import {workRecordPath} from '../../scripts/feeds/export.ts'
import {patchDirectory} from '../../scripts/feeds/write.ts'
import {runScript} from '../helpers/run.ts'
import {generatedDataset} from '../helpers/synthetic.ts'
import {tempDir} from './helpers.ts'

let tmp: ReturnType<typeof tempDir>
let FIXTURE_DATASET: string
beforeAll(() => {
  tmp = tempDir('crash-')
  // A dataset the export's validation gate passes (the feeds fixture holds deliberate errors).
  FIXTURE_DATASET = generatedDataset(join(tmp.dir, 'fixture.sqlite'), 150)
})
afterAll(() => tmp.cleanup())

describe('crash harness', () => {
  it('≥ 100 kill -9 across import, NDJSON import, migrate and export: never an in-between state, re-runs complete', async () => {
    const report = await runCrashHarness({
      seed: 20261124,
      kills: {import: 20, ndjson: 25, migrate: 25, export: 20, 'export-edit': 15},
      // Every other kill is followed by a verified run to completion (and the last one always);
      // the kills in between are re-runs of the interrupted command themselves.
      rerunEvery: 2,
      benefits: 80,
    })
    for (const s of report.stages) console.log(summaryLine(s))
    console.log(
      `crash harness: ${report.kills} kills, ${report.inconsistent} inconsistent (seed ${report.seed}, ${Math.round(report.elapsedMs / 1000)} s)`,
    )
    expect(report.stages.flatMap((s) => s.inconsistent.map((p) => `${s.stage}: ${p}`))).toEqual([])
    expect(report.kills).toBeGreaterThanOrEqual(100)
    for (const s of report.stages) {
      expect(s.kills, s.stage).toBeGreaterThan(0)
      expect(s.reruns, s.stage).toBeGreaterThan(0)
    }
  }, 900_000)
})

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  })
  return Number(r.stdout)
}

describe('states a kill leaves that timing rarely hits', () => {
  const exportTo = (dataset: string, out: string) =>
    runScript('scripts/feeds/cli.ts', [
      '--dataset',
      dataset,
      '--out',
      out,
      '--now',
      '2026-01-01T00:00:00Z',
      '--quiet',
    ])

  /** Record work folders as the export that made them does, before it makes them. */
  const recordWorkDirs = (out: string, names: string[]) =>
    writeFileSync(
      workRecordPath(FIXTURE_DATASET, out),
      JSON.stringify({folders: names.map((n) => join(dirname(out), n))}),
    )

  it('killed between the two renames of the swap (no dist/ at all): the next export puts the previous one back first', () => {
    const site = join(tmp.dir, 'window')
    const out = join(site, 'dist')
    expect(exportTo(FIXTURE_DATASET, out).status).toBe(0)
    const previous = inspectExport(out)
    expect(previous.complete).toBe(true)
    // Exactly what a kill between `rename(dist, dist.old-*)` and `rename(dist.tmp-*, dist)` leaves.
    const pid = deadPid()
    recordWorkDirs(out, [`dist.tmp-${pid}-abc123`, `dist.old-${pid}-abc123`])
    renameSync(out, join(site, `dist.old-${pid}-abc123`))
    cpSync(join(site, `dist.old-${pid}-abc123`), join(site, `dist.tmp-${pid}-abc123`), {
      recursive: true,
    })
    writeFileSync(join(site, `dist.tmp-${pid}-abc123`, 'half-written.json'), '{"trunc')
    expect(existsSync(out)).toBe(false)

    expect(exportTo(FIXTURE_DATASET, out).status).toBe(0)
    const restored = inspectExport(out)
    expect(restored.complete).toBe(true)
    expect(restored.digest).toBe(previous.digest)
    expect(restored.siblings).toEqual([])
    expect(existsSync(workRecordPath(FIXTURE_DATASET, out))).toBe(false)
  })

  it('recorded work folders of a dead export are removed; a running export’s are left alone', () => {
    const site = join(tmp.dir, 'leftovers')
    const out = join(site, 'dist')
    expect(exportTo(FIXTURE_DATASET, out).status).toBe(0)
    const dead = deadPid()
    const running = `dist.tmp-${process.ppid}-cccccc`
    recordWorkDirs(out, [`dist.tmp-${dead}-aaaaaa`, `dist.old-${dead}-bbbbbb`, running])
    mkdirSync(join(site, `dist.tmp-${dead}-aaaaaa`, 'web'), {recursive: true})
    mkdirSync(join(site, `dist.old-${dead}-bbbbbb`), {recursive: true})
    // This test process is alive: a folder recorded under its pid may be in use and must survive.
    mkdirSync(join(site, running), {recursive: true})
    expect(exportTo(FIXTURE_DATASET, out).status).toBe(0)
    expect(readdirSync(site).sort()).toEqual(['dist', running])
    expect(inspectExport(out).complete).toBe(true)
  })

  it('an incremental export edits a hard-linked copy: the live tree is never written through, and a failure leaves it as it was', () => {
    const site = join(tmp.dir, 'patch')
    const out = join(site, 'dist')
    expect(exportTo(FIXTURE_DATASET, out).status).toBe(0)
    const before = inspectExport(out)
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8')
    const page = (JSON.parse(manifest) as {files: Array<{path: string}>}).files.find((f) =>
      f.path.startsWith('web/'),
    )!.path
    const live = readFileSync(join(out, ...page.split('/')))
    expect(() =>
      patchDirectory(out, (patch) => {
        patch.write(page, 'changed')
        patch.write('manifest.json', '{}')
        // Mid-edit, the live files are untouched (the copy's changed files are new inodes).
        expect(readFileSync(join(out, ...page.split('/'))).equals(live)).toBe(true)
        expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest)
        throw new Error('renderer failed')
      }),
    ).toThrow('renderer failed')
    const after = inspectExport(out)
    expect(after.digest).toBe(before.digest)
    expect(after.siblings).toEqual([])
  })

  it('a WAL holding a half-written transaction: the next open ignores it, the data is the last commit', () => {
    const path = join(tmp.dir, 'torn.sqlite')
    cpSync(FIXTURE_DATASET, path)
    const before = inspectDataset(path)
    // A writer that dies inside its transaction: SIGKILL while it holds the write lock, pages already spilled to the WAL.
    const script = `
      const {DatabaseSync} = require('node:sqlite')
      const db = new DatabaseSync(${JSON.stringify(path)})
      db.exec('PRAGMA cache_size = 10')
      db.exec('BEGIN IMMEDIATE')
      const ins = db.prepare("INSERT OR REPLACE INTO documents (id, type, rev, created_at, updated_at, json) VALUES (?, 'concern', 'x', 't', 't', ?)")
      for (let i = 0; i < 2000; i++) ins.run('concern-torn-' + i, JSON.stringify({_id: 'concern-torn-' + i, pad: 'x'.repeat(2000)}))
      process.kill(process.pid, 'SIGKILL')
    `
    const r = spawnSync(process.execPath, ['-e', script])
    expect(r.signal).toBe('SIGKILL')
    expect(existsSync(`${path}-wal`)).toBe(true)
    const after = inspectDataset(path)
    expect(after.problems).toEqual([])
    expect(after.digest).toBe(before.digest)
  })
})
