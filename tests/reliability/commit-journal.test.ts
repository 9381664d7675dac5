/**
 * kill -9 inside an incremental export's staged-rename commit (the large-tree commit, see
 * scripts/feeds/incremental/commit.ts and journal.ts), at the first file, the middle and right
 * before the manifest: the next export's recovery finishes the commit from its journal, so the
 * output is exactly the new export — never a mix — and the export after that is whole too.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportFeeds, workRecordPath} from '../../scripts/feeds/export.ts'
import {COMMIT_JOURNAL} from '../../scripts/feeds/incremental/journal.ts'
import {recoverInterruptedExport} from '../../scripts/feeds/leftovers.ts'
import {inspectExport} from '../../scripts/reliability/distState.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {applyEdit} from '../../scripts/synthetic/edits.ts'
import {tempDir} from '../feeds/helpers.ts'
import {generatedDataset} from '../helpers/synthetic.ts'

const NOW = '2026-01-01T00:00:00Z'
const PROGRAM = join(import.meta.dirname, 'programs', 'commitKill.ts')
let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('commit-journal-')
})
afterAll(() => tmp.cleanup())

function run(job: {dataset: string; out: string; killAfter: number}) {
  return spawnSync(process.execPath, [PROGRAM, JSON.stringify({...job, now: NOW})], {
    encoding: 'utf8',
    env: {...process.env, DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'},
  })
}

describe('a kill -9 inside a staged-rename commit', () => {
  it('is rolled forward by the next export: the output is the new export, complete', async () => {
    // A dataset, its export (the export cache sits beside the dataset, keyed by both paths), then
    // the edit the incremental export will commit.
    const prepare = async (dir: string) => {
      const dataset = generatedDataset(join(dir, 'ds.sqlite'), 150)
      await exportFeeds({dataset, out: join(dir, 'dist'), swapMaxFiles: 0, now: NOW})
      const before = inspectExport(join(dir, 'dist')).digest
      // A fixed clock: `_updatedAt` shows in the pages and must be the same in every copy.
      const ds = Dataset.open(dataset, {now: () => new Date('2026-02-01T00:00:00Z')})
      applyEdit(ds, 'rename-taxonomy', 1)
      ds.close()
      return {dataset, out: join(dir, 'dist'), before}
    }
    const reference = join(tmp.dir, 'reference')
    const ref = await prepare(reference)
    await exportFeeds({
      dataset: ref.dataset,
      out: join(reference, 'full'),
      cacheDir: false,
      incremental: false,
      now: NOW,
    })
    const after = inspectExport(join(reference, 'full')).digest
    expect(after).not.toBe(ref.before)

    // A run to the end counts the commit's files (renames and removals).
    const counting = await prepare(join(tmp.dir, 'counting'))
    const whole = run({dataset: counting.dataset, out: counting.out, killAfter: 0})
    expect(whole.status, whole.stderr).toBe(0)
    const {mode, commitFiles} = JSON.parse(whole.stdout) as {mode: string; commitFiles: number}
    expect(mode).toBe('incremental')
    expect(commitFiles).toBeGreaterThan(3)
    expect(inspectExport(counting.out).digest).toBe(after)

    const kills = [1, Math.ceil(commitFiles / 2), commitFiles]
    for (const killAfter of kills) {
      const dir = join(tmp.dir, `kill-${killAfter}`)
      const {dataset, out} = await prepare(dir)
      const killed = run({dataset, out, killAfter})
      expect(killed.signal, `kill after ${killAfter}: ${killed.stderr}`).toBe('SIGKILL')
      // Killed after the commit point: the journal is there, and the output is not yet the new export.
      const work = readdirSync(dir).filter((n) => n.startsWith('dist.tmp-'))
      expect(work, `kill after ${killAfter}`).toHaveLength(1)
      expect(existsSync(join(dir, work[0]!, COMMIT_JOURNAL))).toBe(true)
      expect(
        inspectExport(out).digest,
        `kill after ${killAfter}: the manifest is renamed last`,
      ).not.toBe(after)

      // What every export does first: finish the commit. Then the output is the new export.
      const recovered = recoverInterruptedExport(out, workRecordPath(dataset, out))
      expect(recovered.rolledForward).toBe(join(dir, work[0]!))
      const state = inspectExport(out)
      expect(state.problems, `kill after ${killAfter}`).toEqual([])
      expect(state.digest, `kill after ${killAfter}`).toBe(after)
      expect(state.siblings).toEqual([])

      // And the next export (full: the cache was marked while the commit ran) leaves the same export.
      const next = await exportFeeds({dataset, out, swapMaxFiles: 0, now: NOW})
      expect(next.mode).toBe('full')
      expect(inspectExport(out).digest).toBe(after)
    }
  }, 240_000)
})
