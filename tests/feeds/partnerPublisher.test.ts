/**
 * Partner documents under the publisher (`npm run export -- --watch`), as a real process on a
 * dataset file edited beside it: an edited partner's files change on the next publish, a disabled
 * one's folder goes, an invalid edit is held back (its files stay as last published).
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {Mutation} from '../../scripts/store/types.ts'
import {NODE, testEnv} from '../helpers/run.ts'
import {fixtureDataset, tempDir} from './helpers.ts'

interface PublishLine {
  documents: string[]
  heldBack: Array<{id: string; problems: Array<{documentId: string; path?: string}>}>
}

const DEADLINE_MS = 60_000
let tmp: ReturnType<typeof tempDir>
let dataset: string
let out: string
let child: ChildProcessWithoutNullStreams
let exited: Promise<number | null>
let stderr = ''
const lines: PublishLine[] = []

async function eventually<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS
  for (;;) {
    const v = check()
    if (v !== undefined) return v
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\npublisher stderr:\n${stderr}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const edit = (mutations: Mutation[]) => {
  const ds = Dataset.open(dataset)
  try {
    ds.transaction(mutations, {author: 'editor'})
  } finally {
    ds.close()
  }
}
const file = (path: string) => join(out, 'partners', ...path.split('/'))

beforeAll(async () => {
  tmp = tempDir('partner-publisher-')
  dataset = fixtureDataset(tmp.dir)
  out = join(tmp.dir, 'dist')
  child = spawn(
    NODE,
    [
      join(ROOT, 'scripts', 'feeds', 'cli.ts'),
      '--watch',
      '--dataset',
      dataset,
      '--out',
      out,
      '--json',
    ],
    {cwd: ROOT, env: testEnv()},
  )
  let buffer = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buffer.slice(0, end)) as PublishLine)
      buffer = buffer.slice(end + 1)
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  await eventually('the first export', () => (lines.length ? true : undefined))
}, DEADLINE_MS + 10_000)

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL')
  tmp.cleanup()
})

describe('partner documents under the publisher', () => {
  it('publishes the partners of the first export', () => {
    expect(existsSync(file('clinic-network/rss.xml'))).toBe(true)
    expect(existsSync(file('wellness-app/feed.json'))).toBe(true)
    expect(lines[0]!.heldBack.map((h) => h.id)).not.toContain('partner-clinic-network')
  })

  it(
    "an edited partner's files change on the next publish",
    async () => {
      const from = lines.length
      edit([
        {
          patch: {
            id: 'partner-clinic-network',
            set: {title: 'Clinic network lobby screens', formats: ['rss', 'atom', 'jsonfeed']},
          },
        },
      ])
      await eventually('the new format', () =>
        existsSync(file('clinic-network/feed.json')) ? true : undefined,
      )
      await eventually('the new title', () =>
        readFileSync(file('clinic-network/rss.xml'), 'utf8').includes(
          'Clinic network lobby screens',
        )
          ? true
          : undefined,
      )
      const line = await eventually('its publish line', () =>
        lines.slice(from).find((l) => l.documents.includes('partner-clinic-network')),
      )
      // The fixture's deliberately invalid documents are held back on every publish; not this one.
      expect(line.heldBack.map((h) => h.id)).not.toContain('partner-clinic-network')
    },
    DEADLINE_MS,
  )

  it(
    "a disabled partner's folder goes on the next publish",
    async () => {
      edit([{patch: {id: 'partner-wellness-app', set: {enabled: false}}}])
      await eventually('the folder removed', () =>
        existsSync(join(out, 'partners', 'wellness-app')) ? undefined : true,
      )
      expect(existsSync(file('clinic-network/rss.xml'))).toBe(true)
    },
    DEADLINE_MS,
  )

  it(
    'an invalid edit is held back with its problems; the files stay as last published',
    async () => {
      const from = lines.length
      const rss = readFileSync(file('clinic-network/rss.xml'), 'utf8')
      edit([
        {
          patch: {
            id: 'partner-clinic-network',
            set: {title: 'Broken partner', 'utm.source': 'not valid'},
          },
        },
      ])
      const held = await eventually('the held-back report', () =>
        lines
          .slice(from)
          .flatMap((l) => l.heldBack)
          .find((h) => h.id === 'partner-clinic-network'),
      )
      expect(held.problems).toContainEqual(
        expect.objectContaining({documentId: 'partner-clinic-network', path: 'utm.source'}),
      )
      expect(readFileSync(file('clinic-network/rss.xml'), 'utf8')).toBe(rss)
    },
    DEADLINE_MS,
  )

  it(
    'exits 0 on SIGTERM',
    async () => {
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    },
    DEADLINE_MS,
  )
})
