/**
 * Partner documents under the publisher (`npm run export -- --watch`), as a real process on a
 * dataset file edited beside it: an edited partner's files change on the next publish, a disabled
 * one's folder goes, an invalid edit is held back (its files stay as last published).
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {Mutation} from '../../scripts/store/types.ts'
import {fixtureDataset, tempDir} from './helpers.ts'
import {DEADLINE_MS, startPublisher, type PublisherProcess} from './publisherProcess.ts'

interface PublishLine {
  documents: string[]
  heldBack: Array<{id: string; problems: Array<{documentId: string; path?: string}>}>
}

let tmp: ReturnType<typeof tempDir>
let dataset: string
let out: string
let publisher: PublisherProcess<PublishLine>

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
  publisher = startPublisher<PublishLine>(dataset, out)
  await publisher.eventually('the first export', () => (publisher.lines.length ? true : undefined))
}, DEADLINE_MS + 10_000)

afterAll(() => {
  if (publisher.child.exitCode === null) publisher.child.kill('SIGKILL')
  tmp.cleanup()
})

describe('partner documents under the publisher', () => {
  it('publishes the partners of the first export', () => {
    expect(existsSync(file('clinic-network/rss.xml'))).toBe(true)
    expect(existsSync(file('wellness-app/feed.json'))).toBe(true)
    expect(publisher.lines[0]!.heldBack.map((h) => h.id)).not.toContain('partner-clinic-network')
  })

  it(
    "an edited partner's files change on the next publish",
    async () => {
      const from = publisher.lines.length
      edit([
        {
          patch: {
            id: 'partner-clinic-network',
            set: {title: 'Clinic network lobby screens', formats: ['rss', 'atom', 'jsonfeed']},
          },
        },
      ])
      await publisher.eventually('the new format', () =>
        existsSync(file('clinic-network/feed.json')) ? true : undefined,
      )
      await publisher.eventually('the new title', () =>
        readFileSync(file('clinic-network/rss.xml'), 'utf8').includes(
          'Clinic network lobby screens',
        )
          ? true
          : undefined,
      )
      const line = await publisher.eventually('its publish line', () =>
        publisher.lines.slice(from).find((l) => l.documents.includes('partner-clinic-network')),
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
      await publisher.eventually('the folder removed', () =>
        existsSync(join(out, 'partners', 'wellness-app')) ? undefined : true,
      )
      expect(existsSync(file('clinic-network/rss.xml'))).toBe(true)
    },
    DEADLINE_MS,
  )

  it(
    'an invalid edit is held back with its problems; the files stay as last published',
    async () => {
      const from = publisher.lines.length
      const rss = readFileSync(file('clinic-network/rss.xml'), 'utf8')
      edit([
        {
          patch: {
            id: 'partner-clinic-network',
            set: {title: 'Broken partner', 'utm.source': 'not valid'},
          },
        },
      ])
      const held = await publisher.eventually('the held-back report', () =>
        publisher.lines
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
      publisher.child.kill('SIGTERM')
      expect(await publisher.exited).toBe(0)
    },
    DEADLINE_MS,
  )
})
