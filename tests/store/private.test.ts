/** The dataset is readable by its owner only: folder 0700, files 0600, whatever the umask. */
import {chmodSync, mkdirSync, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {privateSqliteFile} from '../../scripts/lib/private.ts'
import {spawnSync} from 'node:child_process'
import {ROOT} from '../../scripts/lib/paths.ts'
import {NODE, testEnv} from '../helpers/run.ts'
import {Dataset} from '../../scripts/store/dataset.ts'

const mode = (path: string) => statSync(path).mode & 0o777

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'private-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('dataset file modes', () => {
  it('creates a new data folder 0700 and the dataset, WAL and SHM 0600', () => {
    const path = join(dir, 'data', 'dataset.sqlite')
    const ds = Dataset.open(path)
    ds.transaction([{createOrReplace: {_id: 'a', _type: 'concern', title: 'A'}}])
    expect(mode(join(dir, 'data'))).toBe(0o700)
    expect(mode(path)).toBe(0o600)
    expect(mode(`${path}-wal`)).toBe(0o600)
    expect(mode(`${path}-shm`)).toBe(0o600)
    ds.close()
  })

  it('tightens files an earlier version left readable, and the folder only when it is owned', () => {
    const shared = join(dir, 'shared')
    mkdirSync(shared, {mode: 0o755})
    chmodSync(shared, 0o755)
    const path = join(shared, 'dataset.sqlite')
    Dataset.open(path).close()
    chmodSync(path, 0o644)
    privateSqliteFile(path)
    expect(mode(path)).toBe(0o600)
    // Someone else's folder (`--dataset /tmp/x.sqlite`) keeps its mode.
    expect(mode(shared)).toBe(0o755)
    privateSqliteFile(path, {ownedDir: true})
    expect(mode(shared)).toBe(0o700)
  })

  it('the import CLI leaves the dataset private even under umask 000', () => {
    const path = join(dir, 'fresh', 'dataset.sqlite')
    const r = spawnSync(
      'sh',
      ['-c', 'umask 000 && exec "$0" scripts/import/cli.ts --dataset "$1"', NODE, path],
      {cwd: ROOT, encoding: 'utf8', env: testEnv()},
    )
    expect(r.status, r.stderr).toBe(0)
    expect(mode(join(dir, 'fresh'))).toBe(0o700)
    expect(mode(path)).toBe(0o600)
  })
})
