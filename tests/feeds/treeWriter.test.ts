/**
 * The export's writer thread and a dataset file (treeWriterProtocol.ts `createDatasetPages`): it
 * lists the file's web pages on a connection of its own, without the store (store/slugsAndTitles.ts),
 * and creates them ahead while the dataset is open here; files it created and nobody wrote are
 * gone after settle. Its module loads neither node:sqlite nor the store.
 */
import {existsSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'
import {afterEach, describe, expect, it} from 'vitest'
import {expectedPagePaths, expectedPagePathsOfFile} from '../../scripts/feeds/expectedPaths.ts'
import {createFileWriter} from '../../scripts/feeds/treeWriter.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {fixtureDataset, tempDir} from './helpers.ts'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** Resolves once `ready()` holds (polled): the writer thread creates files when it has time. */
async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!ready()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('writer thread and a dataset file', () => {
  it('creates the dataset’s page files ahead and removes the ones never written', async () => {
    const {dir, cleanup} = tempDir('tree-writer-')
    cleanups.push(cleanup)
    const ds = Dataset.open(fixtureDataset(dir))
    cleanups.push(() => ds.close())
    const paths = expectedPagePaths(ds)
    expect(paths.length).toBeGreaterThan(2)
    expect(expectedPagePathsOfFile(ds.path)).toEqual(paths)

    const out = join(dir, 'out')
    const writer = createFileWriter(out)
    cleanups.push(() => writer.close())
    writer.announce({dataset: ds.path})
    const ahead = (p: string) => existsSync(join(out, p)) && statSync(join(out, p)).size === 0
    await until(() => paths.every(ahead))

    await writer.write(paths[0]!, '{}')
    const entries = await writer.settle()
    expect(entries.map((e) => e.path)).toEqual([paths[0]])
    expect(paths.filter((p) => existsSync(join(out, p)))).toEqual([paths[0]])
  })

  it('loads neither node:sqlite nor the store', async () => {
    const workerUrl = new URL('../../scripts/feeds/treeWriterWorker.ts', import.meta.url).href
    // Started as treeWriter.ts starts it, with every module it resolves recorded.
    const script = `
      import {registerHooks} from 'node:module'
      import {parentPort} from 'node:worker_threads'
      const loaded = []
      registerHooks({resolve: (spec, ctx, next) => { const r = next(spec, ctx); loaded.push(r.url); return r }})
      await import(${JSON.stringify(workerUrl)})
      parentPort.postMessage({loaded})
    `
    const rendering = new Int32Array(new SharedArrayBuffer(4))
    const worker = new Worker(script, {eval: true, workerData: {rendering}})
    cleanups.push(async () => void (await worker.terminate()))
    const loaded = await new Promise<string[]>((resolve, reject) => {
      worker.on('message', (m: {loaded?: string[]}) => m.loaded && resolve(m.loaded))
      worker.on('error', reject)
    })
    expect(loaded.some((u) => u.endsWith('/feeds/treeWriterWorker.ts'))).toBe(true)
    const isStore = (u: string) => u === 'node:sqlite' || u.endsWith('/scripts/store/dataset.ts')
    const store = loaded.filter(isStore)
    expect(store).toEqual([])
  })
})
