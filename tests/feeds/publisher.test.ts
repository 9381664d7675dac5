/**
 * The publisher (`npm run export -- --watch`), as real processes: the local API on a temp dataset
 * in this process, the publisher in a child process on the same file, edits through
 * @sanity/client. Deadlines are timeouts only: nothing here asserts how fast anything was.
 */
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import {startTestApi, type TestApi} from '../api/helpers.ts'
import {readTree, workFolders} from './helpers.ts'
import {DEADLINE_MS, startPublisher, type PublisherProcess} from './publisherProcess.ts'

interface PublishLine {
  documents: string[]
  heldBack: Array<{id: string; problems: Array<{documentId: string; path?: string}>}>
  files: number
  ms: number
  latencyMs: number | null
  mode: 'full' | 'incremental'
}

const DANGLING = 'concerns[_key=="c1"].target'

let api: TestApi
let out: string
let publisher: PublisherProcess<PublishLine>

const page = (type: string, slug: string) => join(out, 'web', type, `${slug}.json`)
const titleOf = (path: string) =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as {title: string}).title : undefined

beforeAll(async () => {
  api = await startTestApi({pollMs: 50})
  out = join(api.dir, 'dist')
  publisher = startPublisher<PublishLine>(api.datasetPath, out)
  await publisher.eventually('the first export', () => (publisher.lines.length ? true : undefined))
}, DEADLINE_MS + 10_000)

afterAll(async () => {
  if (publisher.child.exitCode === null) publisher.child.kill('SIGKILL')
  await api?.close()
})

describe('npm run export -- --watch', () => {
  it('starts with one export of everything', () => {
    expect(publisher.lines[0]!.heldBack).toEqual([])
    expect(publisher.lines[0]!.documents).toContain('benefit-fades-acne-scars')
    expect(publisher.lines[0]!.latencyMs).toBeNull()
    expect(titleOf(page('benefits', 'fades-acne-scars'))).toBe('Fades Acne Scars')
  })

  it(
    'publishes an edit made through the local API on its own',
    async () => {
      const client = api.client()
      await client
        .patch('benefit-fades-acne-scars')
        .set({title: 'Fades Acne Scars Gently'})
        .commit()
      await publisher.eventually('the edited page', () =>
        titleOf(page('benefits', 'fades-acne-scars')) === 'Fades Acne Scars Gently'
          ? true
          : undefined,
      )
      const line = await publisher.eventually('its publish line', () =>
        publisher.lines.find(
          (l) => l.documents.includes('benefit-fades-acne-scars') && l.latencyMs !== null,
        ),
      )
      expect(line.heldBack).toEqual([])
      expect(line.latencyMs).toBeGreaterThanOrEqual(0)
      expect(line.files).toBeGreaterThan(0)
    },
    DEADLINE_MS,
  )

  it(
    'holds back an invalid edit, reports it, and publishes a valid edit to another document',
    async () => {
      const client = api.client()
      const from = publisher.lines.length
      await client
        .patch('benefit-minimizes-pores')
        .set({title: 'Minimizes Pores Broken', [`${DANGLING}._ref`]: 'concern-gone'})
        .commit()
      await client.patch('concern-acne-scars').set({title: 'Atrophic acne scars'}).commit()
      await publisher.eventually('the valid edit', () =>
        titleOf(page('concerns', 'acne-scars')) === 'Atrophic acne scars' ? true : undefined,
      )
      const held = await publisher.eventually('the held-back report', () =>
        publisher.lines
          .slice(from)
          .flatMap((l) => l.heldBack)
          .find((h) => h.id === 'benefit-minimizes-pores'),
      )
      expect(held.problems).toContainEqual(
        expect.objectContaining({documentId: 'benefit-minimizes-pores', path: DANGLING}),
      )
      // Its page stays at the last valid version.
      expect(titleOf(page('benefits', 'minimizes-pores'))).toBe('Minimizes Pores')
      expect(
        publisher.lines.slice(from).some((l) => l.documents.includes('benefit-minimizes-pores')),
      ).toBe(false)
      // Holding a document back costs no full export: the published view changes incrementally.
      expect(publisher.lines.slice(from).map((l) => l.mode)).not.toContain('full')
    },
    DEADLINE_MS,
  )

  it(
    'publishes a held-back document once it is fixed',
    async () => {
      const client = api.client()
      const from = publisher.lines.length
      await client
        .patch('benefit-minimizes-pores')
        .set({[`${DANGLING}._ref`]: 'concern-enlarged-pores'})
        .commit()
      await publisher.eventually('the fixed page', () =>
        titleOf(page('benefits', 'minimizes-pores')) === 'Minimizes Pores Broken'
          ? true
          : undefined,
      )
      const line = await publisher.eventually('its publish line', () =>
        publisher.lines.slice(from).find((l) => l.documents.includes('benefit-minimizes-pores')),
      )
      expect(line.heldBack).toEqual([])
      expect(line.mode).toBe('incremental')
    },
    DEADLINE_MS,
  )

  it(
    'exits 0 on SIGTERM and leaves a complete export',
    async () => {
      publisher.child.kill('SIGTERM')
      expect(await publisher.exited).toBe(0)
      const tree = readTree(out)
      const manifest = JSON.parse(tree.get('manifest.json')!.toString('utf8')) as {
        files: Array<{path: string; size: number; sha256: string}>
      }
      expect(manifest.files.map((f) => f.path).sort()).toEqual(
        [...tree.keys()].filter((p) => p !== 'manifest.json').sort(),
      )
      for (const f of manifest.files)
        expect(createHash('sha256').update(tree.get(f.path)!).digest('hex'), f.path).toBe(f.sha256)
      expect(workFolders(out)).toEqual([])
      // The published view: beside the export cache, private, holding what dist/ shows.
      const state = join(api.dir, 'export-cache')
      const published = readdirSync(state).find((n) => n.endsWith('.published.sqlite'))
      expect(published).toBeDefined()
      expect(statSync(join(state, published!)).mode & 0o777).toBe(0o600)
      const view = Dataset.open(join(state, published!))
      try {
        const pages = manifest.files.filter((f) => f.path.startsWith('web/benefits/')).length
        expect(view.count({type: 'benefit'})).toBe(pages)
      } finally {
        view.close()
      }
    },
    DEADLINE_MS,
  )
})
