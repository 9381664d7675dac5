import {spawn} from 'node:child_process'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import {NODE, runScript, testEnv} from '../helpers/run.ts'
import {testStore, type TestStore} from './setup.ts'

const CLI = 'scripts/store/cli.ts'
let store: TestStore

beforeEach(() => {
  store = testStore('store-cli-')
})
afterEach(() => store.cleanup())

const FILE = [
  '{"_id":"b","_type":"concern","title":"B"}',
  '{"_id":"a","_type":"benefit","title":"A"}',
  '{"_id":"drafts.a","_type":"benefit","title":"A2"}',
  '',
].join('\n')

describe('npm run dataset', () => {
  it('imports, counts, exports (file and stdout), and re-imports as a no-op', () => {
    const input = join(store.dir, 'in.ndjson')
    writeFileSync(input, FILE)
    const imp = runScript(CLI, ['import', input, '--dataset', store.path, '--json'])
    expect(imp.status).toBe(0)
    expect(JSON.parse(imp.stdout)).toMatchObject({ok: true, created: 3, updated: 0, unchanged: 0})

    const count = runScript(CLI, ['count', '--dataset', store.path, '--type', 'benefit'])
    expect(count.stdout.trim()).toBe('2')

    const stats = JSON.parse(runScript(CLI, ['stats', '--dataset', store.path, '--json']).stdout)
    expect(stats).toMatchObject({
      documents: 3,
      drafts: 1,
      types: {benefit: 2, concern: 1},
      lastSeq: 1,
    })

    const exp = runScript(CLI, [
      'export',
      join(store.dir, 'export.ndjson'),
      '--dataset',
      store.path,
    ])
    expect(exp.status).toBe(0)
    const exported = readFileSync(join(store.dir, 'export.ndjson'), 'utf8')
    expect(
      exported
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)._id),
    ).toEqual(['a', 'b', 'drafts.a'])
    expect(readdirSync(store.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])

    const stdout = runScript(CLI, ['export', '-', '--dataset', store.path])
    expect(stdout.stdout).toBe(exported)

    // Round trip through stdin into a second dataset, export into a directory that does not exist yet.
    const second = join(store.dir, 'second.sqlite')
    expect(
      runScript(CLI, ['import', '-', '--dataset', second], {input: stdout.stdout}).status,
    ).toBe(0)
    expect(
      runScript(CLI, ['export', join(store.dir, 'new-dir', 'x.ndjson'), '--dataset', second])
        .status,
    ).toBe(0)
    expect(readFileSync(join(store.dir, 'new-dir', 'x.ndjson'), 'utf8')).toBe(exported)

    const again = runScript(CLI, [
      'import',
      join(store.dir, 'export.ndjson'),
      '--dataset',
      store.path,
      '--json',
    ])
    expect(JSON.parse(again.stdout)).toMatchObject({created: 0, updated: 0, unchanged: 3})
  })

  it('reports every bad line with exit 1 and writes nothing', () => {
    const input = join(store.dir, 'bad.ndjson')
    writeFileSync(input, '{"_id":"a","_type":"x"}\n{oops\n{"_id":"c"}\n')
    const r = runScript(CLI, ['import', input, '--dataset', store.path, '--json'])
    expect(r.status).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.ok).toBe(false)
    expect(report.error.problems.map((p: {line: number}) => p.line)).toEqual([2, 3])
    expect(r.stderr).toContain(`${input}:2`)
    const ds = Dataset.open(store.path)
    expect(ds.count()).toBe(0)
    ds.close()
  })

  it('usage errors exit 2', () => {
    expect(runScript(CLI, ['frobnicate', '--dataset', store.path]).status).toBe(2)
    expect(runScript(CLI, ['import', '--dataset', store.path]).status).toBe(2)
    expect(runScript(CLI, ['count', '--dataset', join(store.dir, 'missing.sqlite')]).status).toBe(2)
    expect(runScript(CLI, ['--help']).status).toBe(0)
  })
})

describe('concurrent writers', () => {
  it('a second process waits for the write lock instead of failing', async () => {
    const ds = store.open()
    ds.transaction([{create: {_id: 'a', _type: 'x', n: 0}}])
    // Another process takes the write lock, says so, holds it briefly, then commits a change.
    const holder = `
      import {DatabaseSync} from 'node:sqlite'
      const db = new DatabaseSync(${JSON.stringify(store.path)}, {timeout: 30000})
      db.exec('BEGIN IMMEDIATE')
      process.stdout.write('locked\\n')
      setTimeout(() => { db.exec("INSERT INTO meta (key, json) VALUES ('holder', '1')"); db.exec('COMMIT'); db.close() }, 400)
    `
    const child = spawn(NODE, ['--input-type=module', '-e', holder], {
      env: testEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()),
    )
    // Blocks (busy timeout) until the other process commits, then succeeds.
    const r = ds.transaction([{patch: {id: 'a', inc: {n: 1}}}])
    expect(r.effects).toHaveLength(1)
    expect(ds.getMeta('holder')).toBe(1)
    expect(ds.get('a')?.n).toBe(1)
    expect(await exited).toBe(0)
  })
})
