/**
 * Adding a field is the three edits scripts/feeds/README.md ("A new field") lists, and nothing
 * else: made here in a copy of the project, a benefit's `videoUrl` reaches web pages, their
 * JSON-LD, the app bundle, partner content and the published schemas, and a `javascript:` value
 * stops the export with the document's file and field, though no safety list names the field.
 */
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {NODE, testEnv} from '../helpers/run.ts'
import {fixtureDocs, tempDir} from './helpers.ts'

let tmp: ReturnType<typeof tempDir>
let project: string

/** Replace `from` (which must occur once) in a file of the copy. */
function edit(file: string, from: string, to: string): void {
  const path = join(project, file)
  const text = readFileSync(path, 'utf8')
  expect(text.split(from).length, `${file} holds ${from} once`).toBe(2)
  writeFileSync(path, text.replace(from, to))
}

const run = (script: string, args: string[]) =>
  spawnSync(NODE, [join(project, script), ...args], {
    cwd: project,
    encoding: 'utf8',
    env: testEnv(),
  })

/** Import `docs` into a new dataset of the copy and export it with a partner that takes JSON. */
function exportWith(docs: object[], name: string) {
  const dir = join(tmp.dir, name)
  mkdirSync(dir, {recursive: true})
  const partner = {
    _id: 'partner-p',
    _type: 'partner',
    name: {_type: 'slug', current: 'p'},
    title: 'P',
    formats: ['json', 'jsonld'],
    types: ['benefit'],
    attribution: 'x',
  }
  writeFileSync(
    join(dir, 'docs.ndjson'),
    [...docs, partner].map((d) => JSON.stringify(d)).join('\n'),
  )
  const dataset = join(dir, 'ds.sqlite')
  const imported = run('scripts/store/cli.ts', [
    'import',
    join(dir, 'docs.ndjson'),
    '--dataset',
    dataset,
  ])
  expect(imported.status, imported.stderr).toBe(0)
  // The library, not the CLI: the feeds fixture holds deliberate data errors, which the CLI's
  // validation gate refuses before the exporter's own checks (the subject here) would run.
  const runner = join(dir, 'export.mjs')
  const module = (file: string) => JSON.stringify(pathToFileURL(join(project, file)).href)
  writeFileSync(
    runner,
    `const {exportFeeds} = await import(${module('scripts/feeds/export.ts')})
const {formatProblem} = await import(${module('scripts/lib/errors.ts')})
try {
  await exportFeeds({dataset: process.argv[2], out: process.argv[3], now: '2026-01-01T00:00:00.000Z'})
} catch (e) {
  for (const p of e.problems ?? []) process.stderr.write(formatProblem(p) + '\\n')
  process.stderr.write(String(e.message) + '\\n')
  process.exit(1)
}
`,
  )
  const exported = spawnSync(NODE, [runner, dataset, join(dir, 'dist')], {
    cwd: project,
    encoding: 'utf8',
    env: testEnv(),
  })
  return {...exported, dist: join(dir, 'dist')}
}

beforeAll(() => {
  tmp = tempDir('new-field-')
  project = join(tmp.dir, 'project')
  for (const entry of ['package.json', 'tsconfig.json', 'scripts', 'schemas', 'content'])
    cpSync(join(ROOT, entry), join(project, entry), {recursive: true})
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'))
  // 1. The Sanity field.
  edit(
    'schemas/documents/benefit.ts',
    "    defineField({...seoField(), group: 'meta'}),",
    "    defineField({name: 'videoUrl', title: 'Video', type: 'url'}),\n    defineField({...seoField(), group: 'meta'}),",
  )
  // 2. The feed query selects it.
  edit(
    'scripts/query/queries.ts',
    '  bodyAreas,\n  "concerns"',
    '  bodyAreas,\n  videoUrl,\n  "concerns"',
  )
  // 3. The page declares it: a URL, published in JSON-LD as schema.org `video`.
  edit(
    'scripts/feeds/outputs/page.ts',
    'export const PAGE_EXTRAS = {} as const',
    "export const PAGE_EXTRAS = {\n  videoUrl: jsonLd('video', {type: 'string', format: 'uri'} as const),\n} as const",
  )
})
afterAll(() => tmp.cleanup())

const benefit = () =>
  fixtureDocs().find((d) => d._type === 'benefit' && !d._id.startsWith('drafts.'))!

describe('a new benefit field', () => {
  it('reaches web pages, JSON-LD, the app bundle, partner content and the schemas', () => {
    const withVideo = {...benefit(), videoUrl: ' https://videos.example/peel.mp4 '}
    const docs = fixtureDocs().map((d) => (d._id === withVideo._id ? withVideo : d))
    const result = exportWith(docs, 'valid')
    expect(result.status, result.stderr).toBe(0)
    const page = JSON.parse(
      readFileSync(
        join(
          result.dist,
          'web',
          'benefits',
          `${(benefit().slug as {current: string}).current}.json`,
        ),
        'utf8',
      ),
    )
    expect(page.videoUrl).toBe('https://videos.example/peel.mp4')
    expect(page.jsonLd.video).toBe('https://videos.example/peel.mp4')
    expect(page.jsonLdScript).toContain('"video":"https://videos.example/peel.mp4"')
    const bundle = JSON.parse(readFileSync(join(result.dist, 'app', 'bundle.json'), 'utf8'))
    expect(bundle.benefits.find((e: {id: string}) => e.id === withVideo._id).videoUrl).toBe(
      'https://videos.example/peel.mp4',
    )
    const content = JSON.parse(
      readFileSync(join(result.dist, 'partners', 'p', 'content.json'), 'utf8'),
    )
    expect(content.items.find((i: {id: string}) => i.id === withVideo._id).videoUrl).toBe(
      'https://videos.example/peel.mp4',
    )
    const graph = JSON.parse(
      readFileSync(join(result.dist, 'partners', 'p', 'jsonld.json'), 'utf8'),
    )
    expect(graph['@graph'].map((n: {video?: string}) => n.video).filter(Boolean)).toEqual([
      'https://videos.example/peel.mp4',
    ])
    const schema = JSON.parse(
      readFileSync(join(result.dist, 'schemas', 'web-page.v2.schema.json'), 'utf8'),
    )
    expect(schema.properties.videoUrl).toEqual({type: 'string', format: 'uri'})
    const profile = JSON.parse(
      readFileSync(join(result.dist, 'schemas', 'partner-profile.v1.schema.json'), 'utf8'),
    )
    expect(profile.$defs.fieldList.items.enum).toContain('videoUrl')
  })

  it('is checked as a URL: a javascript: value stops the export, naming the file and field', () => {
    const hostile = {...benefit(), videoUrl: 'javascript:alert(1)'}
    const result = exportWith(
      fixtureDocs().map((d) => (d._id === hostile._id ? hostile : d)),
      'hostile',
    )
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(
      /web\/benefits\/[^ ]+\.json \/videoUrl: URL "javascript:alert\(1\)" is not an http, https or mailto URL/,
    )
  })
})
