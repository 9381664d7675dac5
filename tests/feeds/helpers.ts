/** Shared set-up of the feed tests: the hand-written fixture, real datasets and exports in temp dirs. */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join, relative} from 'node:path'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import type {ListLayout} from '../../scripts/feeds/incremental/splice.ts'
import {exportFeeds, type ExportFeedsOptions} from '../../scripts/feeds/export.ts'
import type {PartnerProfile} from '../../scripts/feeds/outputs/partnerProfile.ts'
import {parsePartnerProfiles} from '../../scripts/feeds/partners.ts'
import {fetchFeedInput, type FeedInput} from '../../scripts/feeds/input.ts'
import {buildFeedModel} from '../../scripts/feeds/model.ts'
import {createLocalSource, runQuery} from '../../scripts/query/local.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

/** An export cache layout's keys as a list (incremental/splice.ts keeps them as one text). */
export const layoutKeys = (layout: ListLayout): string[] =>
  layout.keys ? layout.keys.slice(0, -1).split('\n') : []

export const FIXTURE_DIR = join(ROOT, 'tests', 'fixtures', 'feeds')
export const FIXTURE = join(FIXTURE_DIR, 'dataset.ndjson')
/** The partner profile files the partners migration holds (once content/partners/*.json). */
export const PROFILES_DIR = join(ROOT, 'migrations', '2026-12-08-partners-as-documents')
export const sampleProfileFiles = (): Array<{file: string; text: string}> =>
  readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({file: join(PROFILES_DIR, f), text: readFileSync(join(PROFILES_DIR, f), 'utf8')}))
/** Those profiles, parsed as profile files are (the fixture's partner documents hold the same). */
export const sampleProfiles = (): PartnerProfile[] =>
  parsePartnerProfiles(sampleProfileFiles()).profiles
/** Debian's python3, where python3-feedparser is installed (a pyenv shim may come first on PATH). */
export const PYTHON = '/usr/bin/python3'
export const BASE_URL = 'https://skincare.example'

export interface FixtureDoc {
  _id: string
  _type: string
  [key: string]: unknown
}

export const fixtureText = () => readFileSync(FIXTURE, 'utf8')
export const fixtureDocs = (): FixtureDoc[] =>
  fixtureText()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FixtureDoc)

/** A temp dir removed by the returned cleanup function. */
export function tempDir(prefix = 'feeds-test-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** A real SQLite dataset file holding the fixture (drafts included). */
export function fixtureDataset(dir: string, docsText = fixtureText()): string {
  const path = join(dir, 'dataset.sqlite')
  const ds = Dataset.open(path, {now: () => new Date('2024-07-01T00:00:00Z')})
  try {
    importNdjson(ds, docsText, {file: 'dataset.ndjson'})
  } finally {
    ds.close()
  }
  return path
}

/** The fixture's own time: its reviews (2024) are judged on this day, not on the machine's clock. */
export const FIXTURE_REVIEW_DATE = '2024-07-01T00:00:00Z'

export function exportTo(out: string, dataset: string, opts: Partial<ExportFeedsOptions> = {}) {
  return exportFeeds({dataset, out, baseUrl: BASE_URL, reviewedAsOf: FIXTURE_REVIEW_DATE, ...opts})
}

/** Every file under dir: relative `/` path → bytes, sorted. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

/**
 * Work folders left beside an output folder. The exporter writes `<out>.tmp-<pid>-<hex>` (the new
 * tree; a staged-rename commit's journal lives in it) and `<out>.old-<pid>-<hex>` (the previous
 * tree during the swap): scripts/feeds/leftovers.ts. Any sibling named `<out>.…` counts, so a
 * work folder still shows up here if its naming changes.
 */
export function workFolders(out: string): string[] {
  return readdirSync(dirname(out))
    .filter((n) => n.startsWith(`${basename(out)}.`))
    .sort()
}

/** Paths whose bytes differ between two trees (or that only one has). */
export function treeDiff(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()])
  return [...paths].filter((p) => !a.get(p) || !b.get(p) || !a.get(p)!.equals(b.get(p)!)).sort()
}

/** Run a Python snippet with Debian's python3; stdout parsed as JSON. */
export function python<T>(code: string, args: string[] = []): T {
  const r = spawnSync(PYTHON, ['-c', code, ...args], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/** The feed queries' results over documents, 'published' perspective, through the project's local runner. */
export function feedInput(docs: readonly FixtureDoc[] = fixtureDocs()): Promise<FeedInput> {
  const source = createLocalSource(docs as unknown as StoredDocument[])
  return fetchFeedInput((query) => runQuery(source, query, {}, {perspective: 'published'}))
}

/** The fixture's feed model (and problems) with the test base URL. */
export async function fixtureModel(docs?: readonly FixtureDoc[], now?: string) {
  return buildFeedModel(await feedInput(docs), {baseUrl: BASE_URL, now})
}
