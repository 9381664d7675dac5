/** `npm start`, the main job, end to end on temp folders: import → validate → export. */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {SOURCES_DIR} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import {runScript} from '../helpers/run.ts'

const dir = mkdtempSync(join(tmpdir(), 'start-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const start = (args: string[]) => runScript('scripts/start.ts', ['--quiet', '--json', ...args])
const listFiles = (root: string): string[] =>
  readdirSync(root, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()

describe('npm start', () => {
  const dataset = join(dir, 'ds.sqlite')
  const out = join(dir, 'dist')

  it('imports the sample, validates and writes every feed', () => {
    const r = start(['--dataset', dataset, '--out', out])
    expect(r.status, r.stderr).toBe(0)
    const summary = JSON.parse(r.stdout) as {
      ok: boolean
      documents: number
      files: number
      imported: Array<{created: number}>
      migrations: Array<{id: string; status: string; changes: number}>
    }
    expect(summary.ok).toBe(true)
    // The partners migration created the two partner documents (and its ledger record).
    expect(summary.migrations).toEqual([
      {id: '2026-12-08-partners-as-documents', status: 'applied', changes: 2},
    ])
    expect(summary.imported[0]!.created + 2 + 1).toBe(summary.documents)
    const files = listFiles(out)
    for (const f of [
      'feeds/rss.xml',
      'feeds/atom.xml',
      'feeds/feed.json',
      'app/bundle.json',
      'manifest.json',
    ])
      expect(files).toContain(f)
    // The sample's ten benefits, and the files the partner documents ask for.
    expect(files.filter((f) => f.startsWith('web/benefits/'))).toHaveLength(10)
    expect(files.filter((f) => f.startsWith('partners/'))).toEqual([
      'partners/clinic-network/atom.xml',
      'partners/clinic-network/rss.xml',
      'partners/wellness-app/content.json',
      'partners/wellness-app/feed.json',
    ])
    expect(summary.files).toBe(files.length)
  })

  it('a second run changes nothing in the dataset and writes byte-identical output', () => {
    const before = Object.fromEntries(
      listFiles(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]),
    )
    const r = start(['--dataset', dataset, '--out', out])
    expect(r.status, r.stderr).toBe(0)
    const summary = JSON.parse(r.stdout) as {
      imported: Array<{created: number; updated: number}>
      migrations: Array<{status: string}>
    }
    expect(summary.imported[0]).toMatchObject({created: 0, updated: 0})
    expect(summary.migrations.map((m) => m.status)).toEqual(['already-applied'])
    const after = Object.fromEntries(
      listFiles(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]),
    )
    expect(after).toEqual(before)
  })

  it("keeps an editor's change to a partner: its migration ran once, and the next run publishes the change", () => {
    const ds = Dataset.open(dataset)
    ds.transaction(
      [{patch: {id: 'partner-clinic-network', set: {title: 'Clinic network (edited)'}}}],
      {author: 'test'},
    )
    ds.close()
    const r = start(['--dataset', dataset, '--out', out])
    expect(r.status, r.stderr).toBe(0)
    expect(readFileSync(join(out, 'partners', 'clinic-network', 'rss.xml'), 'utf8')).toContain(
      'Clinic network (edited)',
    )
  })

  it('exits non-zero and writes nothing when validation finds errors', () => {
    const sources = join(dir, 'sources')
    mkdirSync(sources)
    copyFileSync(
      join(SOURCES_DIR, 'microneedling-benefits.txt'),
      join(sources, 'microneedling-benefits.txt'),
    )
    // Imports fine, but the Studio's rule caps titles at 120 characters.
    writeFileSync(
      join(sources, 'long-title.md'),
      `# Peels\n\nIntro about chemical peels.\n\n1. ${'Very '.repeat(30)}Long Title\n\nA body.\n\n2. Second\n\nAnother body.\n`,
    )
    const ds = Dataset.open(dataset)
    const datasetBefore = exportNdjson(ds)
    ds.close()
    const manifestBefore = readFileSync(join(out, 'manifest.json'), 'utf8')

    const r = start(['--dataset', dataset, '--out', out, '--sources', sources])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/title/i)
    const after = Dataset.open(dataset)
    expect(exportNdjson(after)).toBe(datasetBefore)
    after.close()
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore)
    expect(existsSync(join(out, 'web', 'articles', 'peels.json'))).toBe(false)
  })
})
