/**
 * The export as a whole: byte-identical re-runs, the manifest, atomic replacement (a failed export
 * leaves the previous output untouched), refusals, and the CLI.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PipelineError} from '../../scripts/lib/errors.ts'
import {ExportValidationError} from '../../scripts/feeds/export.ts'
import {runScript} from '../helpers/run.ts'
import {generatedDataset} from '../helpers/synthetic.ts'
import {
  exportTo,
  FIXTURE_REVIEW_DATE,
  fixtureDataset,
  fixtureText,
  readTree,
  tempDir,
  workFolders,
} from './helpers.ts'

let tmp: ReturnType<typeof tempDir>
let dataset: string

beforeAll(() => {
  tmp = tempDir()
  dataset = fixtureDataset(tmp.dir)
})
afterAll(() => tmp.cleanup())

const sameTree = (a: Map<string, Buffer>, b: Map<string, Buffer>) => {
  expect([...b.keys()]).toEqual([...a.keys()])
  for (const [p, bytes] of a) expect(bytes.equals(b.get(p)!), p).toBe(true)
}

async function errorOf(p: Promise<unknown>): Promise<PipelineError> {
  try {
    await p
  } catch (e) {
    return e as PipelineError
  }
  throw new Error('expected the export to fail')
}

describe('exportFeeds', () => {
  it('writes byte-identical files for the same dataset, in a fresh folder or over the last export', async () => {
    const a = join(tmp.dir, 'a', 'dist')
    const b = join(tmp.dir, 'b', 'dist')
    const summary = await exportTo(a, dataset)
    await exportTo(b, dataset)
    const first = readTree(a)
    sameTree(first, readTree(b))
    await exportTo(a, dataset)
    sameTree(first, readTree(a))
    expect(workFolders(a)).toEqual([])
    expect(summary.files).toBe(first.size)
    expect(summary.pages).toEqual({
      article: 1,
      benefit: 4,
      treatment: 1,
      concern: 3,
      skinType: 3,
      serum: 3,
    })
    expect(summary.partners.map((p) => [p.name, p.items])).toEqual([
      ['clinic-network', 4],
      ['wellness-app', 3],
    ])
  })

  it('lays out web, app, feeds, partners and schemas, and the manifest lists every other file with sha256 and size', async () => {
    const out = join(tmp.dir, 'layout', 'dist')
    await exportTo(out, dataset)
    const tree = readTree(out)
    const top = [...new Set([...tree.keys()].map((p) => p.split('/')[0]))]
    expect(top).toEqual(['app', 'feeds', 'manifest.json', 'partners', 'schemas', 'web'])
    expect([...tree.keys()].filter((p) => p.startsWith('partners/'))).toEqual([
      'partners/clinic-network/atom.xml',
      'partners/clinic-network/rss.xml',
      'partners/wellness-app/content.json',
      'partners/wellness-app/feed.json',
    ])
    const manifest = JSON.parse(tree.get('manifest.json')!.toString('utf8')) as {
      generatedAt: string
      files: Array<{path: string; size: number; sha256: string}>
    }
    expect(manifest.generatedAt).toBe('2024-06-02T12:00:00.000Z')
    expect(manifest.files.map((f) => f.path)).toEqual(
      [...tree.keys()].filter((p) => p !== 'manifest.json'),
    )
    for (const f of manifest.files) {
      const bytes = tree.get(f.path)!
      expect(f.size).toBe(bytes.byteLength)
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    }
  })

  it('uses --now for feed-level dates only when given, never the clock', async () => {
    const out = join(tmp.dir, 'now', 'dist')
    const s = await exportTo(out, dataset, {now: '2030-01-02T03:04:05Z'})
    expect(s.generatedAt).toBe('2030-01-02T03:04:05.000Z')
    expect(readTree(out).get('feeds/rss.xml')!.toString()).toContain(
      '<lastBuildDate>Wed, 02 Jan 2030 03:04:05 GMT</lastBuildDate>',
    )
  })

  describe('a failed export leaves the previous output untouched', () => {
    const prepare = async (name: string) => {
      const out = join(tmp.dir, name, 'dist')
      await exportTo(out, dataset)
      return {out, before: readTree(out)}
    }

    it('when a check of the rendered files fails', async () => {
      const {out, before} = await prepare('failed-check')
      const e = await errorOf(
        exportTo(out, dataset, {
          now: '2031-01-01T00:00:00Z',
          checks: [
            (file) =>
              file.path === 'feeds/atom.xml'
                ? [{level: 'error', file: file.path, message: 'injected failure'}]
                : [],
          ],
        }),
      )
      expect(e).toBeInstanceOf(ExportValidationError)
      expect(e.code).toBe('EXPORT_INVALID')
      expect(e.message).toContain('injected failure')
      sameTree(before, readTree(out))
      expect(workFolders(out)).toEqual([])
    })

    it('when a partner document is invalid (every problem named by document and field, traversal refused)', async () => {
      const {out, before} = await prepare('failed-profile')
      const partner = (id: string, fields: object) =>
        JSON.stringify({
          _id: id,
          _type: 'partner',
          title: 'Evil',
          formats: ['rss'],
          types: ['benefit'],
          attribution: 'a',
          ...fields,
        })
      const dir = join(tmp.dir, 'bad-partners')
      mkdirSync(dir)
      const bad = `${partner('partner-x', {name: {_type: 'slug', current: '../x'}})}\n${partner('partner-y', {name: {_type: 'slug', current: 'y'}, formats: ['pdf'], utm: {source: 'a b'}})}\n`
      const e = (await errorOf(
        exportTo(out, fixtureDataset(dir, `${fixtureText()}${bad}`)),
      )) as PipelineError & {problems: Array<{documentId: string; path?: string; file?: string}>}
      expect(e.code).toBe('INPUT')
      const where = e.problems.map((p) => `${p.documentId} ${p.path}`)
      for (const at of [
        'partner-x name',
        'partner-y formats[0]',
        'partner-y utm.source',
        'partner-y utm.medium',
      ])
        expect(where).toContain(at)
      expect(e.message).toContain('partner-y')
      sameTree(before, readTree(out))
      // Nothing at all beside the output (no `x` folder from the traversal, no work folder), nor an empty `x` in it.
      expect(readdirSync(join(out, '..'))).toEqual(['dist'])
      expect(existsSync(join(out, 'x'))).toBe(false)
    })

    it('when the data is invalid (a slug used twice)', async () => {
      const {out, before} = await prepare('failed-data')
      const orphan = fixtureText()
        .split('\n')
        .map((l) => (l ? JSON.parse(l) : {}))
        .find((d) => d._id === 'benefit-orphan')
      const dup = JSON.stringify({...orphan, _id: 'benefit-orphan-copy'})
      const dir = join(tmp.dir, 'dup')
      mkdirSync(dir)
      const e = (await errorOf(
        exportTo(out, fixtureDataset(dir, `${fixtureText()}${dup}\n`)),
      )) as PipelineError & {problems: Array<{documentId: string; level: string}>}
      expect(e.problems.filter((p) => p.level === 'error').map((p) => p.documentId)).toEqual([
        'benefit-orphan-copy',
      ])
      sameTree(before, readTree(out))
      expect(workFolders(out)).toEqual([])
    })
  })

  it('refuses to replace a folder that is not an earlier export, and a missing dataset', async () => {
    const notExport = join(tmp.dir, 'project')
    mkdirSync(notExport)
    writeFileSync(join(notExport, 'important.txt'), 'keep me')
    expect((await errorOf(exportTo(notExport, dataset))).message).toMatch(/not an earlier export/)
    expect(readdirSync(notExport)).toEqual(['important.txt'])
    const missing = join(tmp.dir, 'nope.sqlite')
    expect((await errorOf(exportTo(join(tmp.dir, 'm', 'dist'), missing))).code).toBe('USAGE')
    expect(existsSync(missing)).toBe(false)
  })
})

describe('npm run export', () => {
  it('prints one JSON object with --json and writes the same bytes as exportFeeds', async () => {
    // A dataset the validation gate passes (the feeds fixture holds deliberate errors).
    const valid = generatedDataset(join(tmp.dir, 'cli', 'valid.sqlite'), 200)
    const out = join(tmp.dir, 'cli', 'dist')
    const r = runScript('scripts/feeds/cli.ts', [
      '--dataset',
      valid,
      '--out',
      out,
      '--base-url',
      'https://skincare.example/',
      '--review-date',
      FIXTURE_REVIEW_DATE,
      '--json',
    ])
    expect(r.stderr).toContain('wrote')
    expect(r.status).toBe(0)
    const summary = JSON.parse(r.stdout) as {
      ok: boolean
      files: number
      pages: Record<string, number>
      durationMs: number
    }
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    const api = join(tmp.dir, 'cli-api', 'dist')
    const reference = await exportTo(api, valid, {cacheDir: false})
    expect(summary).toMatchObject({ok: true, files: readTree(out).size, pages: reference.pages})
    expect(typeof summary.durationMs).toBe('number')
    sameTree(readTree(api), readTree(out))
  })

  it('refuses published documents with validation errors: exit 1, every error named, nothing written', () => {
    const out = join(tmp.dir, 'cli-gate', 'dist')
    const r = runScript('scripts/feeds/cli.ts', ['--dataset', dataset, '--out', out, '--json'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(
      'error: article-microneedling-benefits benefits[_key=="k4"]: references "benefit-draft-only", which exists only as an unpublished draft: publish it first',
    )
    expect(existsSync(out)).toBe(false)
  })

  it('exits 2 on bad usage and 1 with every problem on bad input, writing nothing', () => {
    const out = join(tmp.dir, 'cli-bad', 'dist')
    const usage = runScript('scripts/feeds/cli.ts', [
      '--dataset',
      dataset,
      '--out',
      out,
      '--now',
      'yesterday',
      '--json',
    ])
    expect(usage.status).toBe(2)
    expect(JSON.parse(usage.stdout)).toMatchObject({ok: false, error: {code: 'USAGE'}})
    const base = runScript('scripts/feeds/cli.ts', [
      '--dataset',
      dataset,
      '--out',
      out,
      '--base-url',
      'javascript:alert(1)',
    ])
    expect(base.status).toBe(2)
    expect(existsSync(out)).toBe(false)
    const help = runScript('scripts/feeds/cli.ts', ['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('--base-url')
  })
})
