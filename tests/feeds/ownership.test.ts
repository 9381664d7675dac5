/**
 * An export owns only what it wrote. Folders beside the output that merely look like its work
 * folders (planted, or another tool's) are left alone and reported, never applied; a file in the
 * output that the manifest does not list is gone after the next export.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {COMMIT_JOURNAL} from '../../scripts/feeds/incremental/journal.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportTo, fixtureDataset, readTree, tempDir, treeDiff, workFolders} from './helpers.ts'

const NOW = '2026-01-01T00:00:00Z'

/** A pid no process has now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  })
  return Number(r.stdout)
}

let tmp: ReturnType<typeof tempDir>
let dataset: string
let out: string
beforeEach(async () => {
  tmp = tempDir('ownership-')
  dataset = fixtureDataset(tmp.dir)
  out = join(tmp.dir, 'site', 'dist')
  await exportTo(out, dataset, {now: NOW})
})
afterEach(() => tmp.cleanup())

describe('planted siblings', () => {
  it('are left alone and reported: nothing in the output or beside it is applied or removed', async () => {
    const before = readTree(out)
    const site = join(tmp.dir, 'site')
    const pid = deadPid()
    const page = [...before.keys()].find((p) => p.startsWith('web/benefits/'))!
    // A staged-rename work folder with a journal that would replace the manifest, stage a script
    // page and remove a real page.
    const planted = join(site, `dist.tmp-${pid}-abcdef`)
    mkdirSync(join(planted, 'web', 'benefits'), {recursive: true})
    writeFileSync(join(planted, 'web', 'benefits', 'evil.json'), '<script>alert(1)</script>')
    writeFileSync(join(planted, 'manifest.json'), '{}')
    writeFileSync(
      join(planted, COMMIT_JOURNAL),
      JSON.stringify({
        version: 1,
        staged: ['web/benefits/evil.json', 'manifest.json'],
        removed: [page],
        manifest: 'manifest.json',
      }),
    )
    // A folder named like the previous tree, and a symlink so named to an unrelated folder.
    const old = join(site, `dist.old-${pid}-abcdef`)
    mkdirSync(old)
    writeFileSync(join(old, 'keep.txt'), 'not an export')
    const unrelated = join(tmp.dir, 'unrelated')
    mkdirSync(unrelated)
    writeFileSync(join(unrelated, 'notes.txt'), 'mine')
    symlinkSync(unrelated, join(site, `dist.old-${pid}-123456`))

    const summary = await exportTo(out, dataset, {now: NOW})

    expect(treeDiff(before, readTree(out))).toEqual([])
    expect(existsSync(join(out, 'web', 'benefits', 'evil.json'))).toBe(false)
    expect(readFileSync(join(planted, 'web', 'benefits', 'evil.json'), 'utf8')).toBe(
      '<script>alert(1)</script>',
    )
    expect(existsSync(join(planted, COMMIT_JOURNAL))).toBe(true)
    expect(readFileSync(join(old, 'keep.txt'), 'utf8')).toBe('not an export')
    expect(readFileSync(join(unrelated, 'notes.txt'), 'utf8')).toBe('mine')
    expect(workFolders(out)).toEqual([
      `dist.old-${pid}-123456`,
      `dist.old-${pid}-abcdef`,
      `dist.tmp-${pid}-abcdef`,
    ])
    const reported = summary.warnings
      .filter((w) => w.message.startsWith('left alone'))
      .map((w) => w.file)
      .sort()
    expect(reported).toEqual([join(site, `dist.old-${pid}-123456`), old, planted])
  })

  it('a full export does not swap in a planted "previous tree" when the output is missing', async () => {
    const site = join(tmp.dir, 'site')
    const pid = deadPid()
    const old = join(site, `dist.old-${pid}-abcdef`)
    // A complete-looking export, but not one this output's exports recorded.
    spawnSync('cp', ['-a', out, old])
    writeFileSync(join(old, 'web', 'planted.json'), '"x"')
    spawnSync('rm', ['-rf', out])
    await exportTo(out, dataset, {now: NOW})
    expect(existsSync(join(out, 'web', 'planted.json'))).toBe(false)
    expect(existsSync(join(old, 'web', 'planted.json'))).toBe(true)
  })
})

describe('files the manifest does not list', () => {
  it('are gone after the next export, even when no document changed', async () => {
    const before = readTree(out)
    writeFileSync(join(out, 'web', 'benefits', 'evil.html'), '<script>alert(1)</script>')
    mkdirSync(join(out, 'planted', 'deep'), {recursive: true})
    writeFileSync(join(out, 'planted', 'deep', 'x.js'), 'alert(1)')
    const next = await exportTo(out, dataset, {now: NOW})
    expect(next.mode).toBe('full')
    expect(next.fullReason).toBe(
      'the output holds 2 file(s) its manifest does not list (planted, web/benefits/evil.html)',
    )
    expect(treeDiff(before, readTree(out))).toEqual([])
    // And the export after that is incremental again.
    expect((await exportTo(out, dataset, {now: NOW})).mode).toBe('incremental')
  })

  it('are gone after an incremental export of a changed document', async () => {
    // The first export's cache needs one more incremental export to have stamps of its own tree.
    const ds = Dataset.open(dataset, {now: () => new Date('2026-02-01T00:00:00Z')})
    const benefit = ds.documents({types: ['benefit']})[0]!
    ds.transaction([{patch: {id: benefit._id, set: {title: `${String(benefit.title)} (edited)`}}}])
    ds.close()
    writeFileSync(join(out, 'feeds', 'extra.xml'), '<rss/>')
    const next = await exportTo(out, dataset, {now: NOW})
    expect(next.mode).toBe('full')
    expect(existsSync(join(out, 'feeds', 'extra.xml'))).toBe(false)
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).not.toContain('extra.xml')
  })
})
