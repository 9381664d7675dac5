/** Shared test setup: datasets in fresh temp dirs with a fixed clock and counting revision ids. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Dataset, type DatasetOptions} from '../../scripts/store/dataset.ts'

export interface TestStore {
  dir: string
  path: string
  open(opts?: DatasetOptions): Dataset
  cleanup(): void
}

/** A temp directory with a dataset path in it; every Dataset opened through it is closed on cleanup. */
export function testStore(prefix = 'store-test-'): TestStore {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const path = join(dir, 'nested', 'dataset.sqlite')
  const opened: Dataset[] = []
  return {
    dir,
    path,
    open(opts = {}) {
      const ds = Dataset.open(path, opts)
      opened.push(ds)
      return ds
    },
    cleanup() {
      for (const ds of opened) ds.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** Deterministic clock (one second per call) and revision ids `rev1`, `rev2`, … */
export function fixedOptions(
  start = '2025-01-01T00:00:00.000Z',
): Required<Pick<DatasetOptions, 'now' | 'newRevision' | 'newId'>> {
  let t = Date.parse(start)
  let rev = 0
  let id = 0
  return {
    now: () => new Date((t += 1000) - 1000),
    newRevision: () => `rev${++rev}`,
    newId: () => `generated${++id}`,
  }
}
