/**
 * Incremental exports equal full exports, byte for byte, after every kind of edit, with either
 * way of committing (hard-link swap, staged renames) and of hashing the app bundle (here or on a
 * thread of its own); and they fall back to a full export — or fail with the output untouched —
 * when they should.
 */
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {applyEdit, EDIT_KINDS} from '../../scripts/synthetic/edits.ts'
import {generatedDataset} from '../helpers/synthetic.ts'
import {readTree, tempDir, treeDiff, workFolders} from './helpers.ts'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('incremental-export-')
})
afterAll(() => tmp.cleanup())

const full = (dataset: string, out: string) =>
  exportFeeds({dataset, out, cacheDir: false, incremental: false})

describe.each([
  ['hard-link swap', {}],
  // The large-tree way: staged renames, and the app bundle hashed on a thread of its own.
  ['staged renames', {swapMaxFiles: 0, hashThreadMinBytes: 0}],
])('incremental export (%s)', (_name, commit) => {
  it('equals a full export after each kind of edit, and writes only what changed', async () => {
    const dir = join(tmp.dir, _name.replace(/\W+/g, '-'))
    const dataset = generatedDataset(join(dir, 'ds.sqlite'), 400)
    const out = join(dir, 'dist')
    const first = await exportFeeds({dataset, out, ...commit})
    expect(first.mode).toBe('full')
    let n = 0
    for (const kind of EDIT_KINDS) {
      const ds = Dataset.open(dataset)
      applyEdit(ds, kind, ++n)
      ds.close()
      const inc = await exportFeeds({dataset, out, ...commit})
      expect(inc.mode, `${kind}: ${inc.fullReason ?? ''}`).toBe('incremental')
      expect(inc.changedFiles, kind).toBeLessThan(first.files / 2)
      const reference = await full(dataset, join(dir, `full-${kind}`))
      expect(treeDiff(readTree(out), readTree(join(dir, `full-${kind}`))), kind).toEqual([])
      expect(
        {
          files: inc.files,
          bytes: inc.bytes,
          pages: inc.pages,
          partners: inc.partners,
          generatedAt: inc.generatedAt,
        },
        kind,
      ).toEqual({
        files: reference.files,
        bytes: reference.bytes,
        pages: reference.pages,
        partners: reference.partners,
        generatedAt: reference.generatedAt,
      })
      expect(inc.warnings, kind).toEqual(reference.warnings)
      // No work folder left beside the output (the tree diff above already rules out a journal inside it).
      expect(workFolders(out), kind).toEqual([])
    }
    // Nothing else either: the dataset, its export cache, the output and the reference exports.
    expect(readdirSync(dir).sort()).toEqual(
      ['dist', 'ds.sqlite', 'export-cache', ...EDIT_KINDS.map((k) => `full-${k}`)].sort(),
    )
  }, 240_000)
})

describe('when an incremental export is not possible', () => {
  it('a draft-only change writes nothing; new options or a --full run export everything', async () => {
    const dir = join(tmp.dir, 'fallbacks')
    const dataset = generatedDataset(join(dir, 'ds.sqlite'), 200)
    const out = join(dir, 'dist')
    await exportFeeds({dataset, out})
    const before = readTree(out)
    const ds = Dataset.open(dataset)
    const benefit = ds.documents().find((d) => d._type === 'benefit')!
    ds.transaction([
      {createOrReplace: {...benefit, _id: `drafts.${benefit._id}`, title: 'Draft title'}},
    ])
    ds.close()
    const drafts = await exportFeeds({dataset, out})
    expect(drafts).toMatchObject({mode: 'incremental', changedFiles: 0})
    expect(treeDiff(before, readTree(out))).toEqual([])
    const otherBase = await exportFeeds({dataset, out, baseUrl: 'https://www.example.org'})
    expect(otherBase).toMatchObject({mode: 'full', fullReason: expect.stringMatching(/options/)})
    const forced = await exportFeeds({
      dataset,
      out,
      baseUrl: 'https://www.example.org',
      incremental: false,
    })
    expect(forced).toMatchObject({mode: 'full', fullReason: 'full export requested'})
  }, 120_000)

  it('a change that makes the data invalid fails like a full export and leaves the output as it was', async () => {
    const dir = join(tmp.dir, 'invalid')
    const dataset = generatedDataset(join(dir, 'ds.sqlite'), 200)
    const out = join(dir, 'dist')
    await exportFeeds({dataset, out})
    const before = readTree(out)
    const ds = Dataset.open(dataset)
    const [a, b] = ds.documents().filter((d) => d._type === 'concern')
    ds.transaction([{patch: {id: b!._id, set: {slug: a!.slug}}}])
    ds.close()
    await expect(exportFeeds({dataset, out})).rejects.toMatchObject({code: 'INPUT'})
    expect(treeDiff(before, readTree(out))).toEqual([])
    expect(workFolders(out)).toEqual([])
    expect(readdirSync(dir).sort()).toEqual(['dist', 'ds.sqlite', 'export-cache'])
  }, 120_000)
})
