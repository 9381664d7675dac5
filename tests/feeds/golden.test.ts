/**
 * Golden outputs: every folder of tests/fixtures/feeds/golden/ is one export, input and complete
 * output (see its README.md). Each case is imported and exported through the public API only —
 * the importer, the store's NDJSON import, exportFeeds — and every file of the export must equal
 * the case's `output/` byte for byte, with the same list of files. They pin the bytes the exporter
 * wrote when they were generated, so a rewrite of its internals has to keep them.
 *
 * `UPDATE=1 npx vitest run tests/feeds/golden.test.ts` rewrites every `output/` from the current
 * code: only when an output change is intended, and review the diff.
 */
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {importSources} from '../../scripts/import/importer.ts'
import {exportFeeds, type ExportFeedsOptions} from '../../scripts/feeds/export.ts'
import type {PartnerProfile} from '../../scripts/feeds/outputs/partnerProfile.ts'
import {parsePartnerProfiles} from '../../scripts/feeds/partners.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE_DIR, readTree} from './helpers.ts'

const GOLDEN = join(FIXTURE_DIR, 'golden')
const UPDATE = process.env.UPDATE === '1'
/** The dataset's clock: imported documents' _createdAt/_updatedAt, and so their pages' dates. */
const CLOCK = '2025-01-01T00:00:00.000Z'

type Options = Pick<ExportFeedsOptions, 'now' | 'baseUrl' | 'feedsBaseUrl' | 'feedItems' | 'site'>

const cases = readdirSync(GOLDEN, {withFileTypes: true})
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()

const work = mkdtempSync(join(tmpdir(), 'feeds-golden-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

/** The case's dataset file: its dataset.ndjson, then its sources/ imported with its taxonomy/. */
async function caseDataset(dir: string, tmp: string): Promise<string> {
  const path = join(tmp, 'dataset.sqlite')
  let revision = 0
  const ds = Dataset.open(path, {now: () => new Date(CLOCK), newRevision: () => `rev${++revision}`})
  try {
    const ndjson = join(dir, 'dataset.ndjson')
    if (existsSync(ndjson)) importNdjson(ds, readFileSync(ndjson, 'utf8'), {file: 'dataset.ndjson'})
    const sources = join(dir, 'sources')
    if (existsSync(sources)) {
      const files = readdirSync(sources)
        .sort()
        .map((n) => join(sources, n))
      await importSources(ds, files, {taxonomyDir: join(dir, 'taxonomy')})
    }
  } finally {
    ds.close()
  }
  return path
}

/** The case's partners/*.json as profiles (none without the folder); a bad one fails the case. */
function caseProfiles(dir: string): PartnerProfile[] {
  const partners = join(dir, 'partners')
  if (!existsSync(partners)) return []
  const files = readdirSync(partners)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({file: join(partners, f), text: readFileSync(join(partners, f), 'utf8')}))
  const {profiles, problems} = parsePartnerProfiles(files)
  if (problems.length) throw new Error(JSON.stringify(problems))
  return profiles
}

/** Export a case into a fresh temp folder; the export cache there too, never the repo's .data/. */
async function exportCase(name: string): Promise<string> {
  const dir = join(GOLDEN, name)
  const tmp = join(work, name)
  const options = JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as Options
  const out = join(tmp, 'dist')
  await exportFeeds({
    ...options,
    dataset: await caseDataset(dir, tmp),
    out,
    cacheDir: join(tmp, 'export-cache'),
    // Profiles given: a case's partners are its own, never partner documents of its dataset.
    partners: caseProfiles(dir),
  })
  return out
}

describe.each(cases)('golden export %s', (name) => {
  it('writes exactly the files of output/, byte for byte', async () => {
    const out = await exportCase(name)
    const expectedDir = join(GOLDEN, name, 'output')
    if (UPDATE) {
      rmSync(expectedDir, {recursive: true, force: true})
      cpSync(out, expectedDir, {recursive: true})
    }
    const actual = readTree(out)
    const expected = readTree(expectedDir)
    expect([...actual.keys()]).toEqual([...expected.keys()])
    const differing = [...expected.keys()].filter((p) => !actual.get(p)!.equals(expected.get(p)!))
    // The first differing file as text, so the failure shows where; then every path that differs.
    const first = differing[0]
    if (first) {
      const text = (tree: Map<string, Buffer>) => tree.get(first)!.toString('utf8')
      expect(text(actual), first).toBe(text(expected))
    }
    expect(differing).toEqual([])
  })
})

// A missing fixture folder must fail here, not silently run one test fewer.
it('has its cases', () => {
  const required = ['chemical-peel', 'hostile', 'microneedling', 'synthetic']
  expect(cases).toEqual(expect.arrayContaining(required))
})
