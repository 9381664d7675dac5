/**
 * Partner documents as the exporter reads them: never part of a public output, every edit taking
 * effect on the next export (incremental, equal to a full export byte for byte: a changed profile,
 * a disabled or deleted partner, a new one), and an invalid one refused by the publish gate.
 */
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportFeeds, ValidationGateError} from '../../scripts/feeds/export.ts'
import {importSources, sourceFiles} from '../../scripts/import/index.ts'
import {SOURCES_DIR} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {Mutation, StoredDocument} from '../../scripts/store/types.ts'
import {
  exportTo,
  FIXTURE_REVIEW_DATE,
  fixtureDataset,
  fixtureDocs,
  readTree,
  tempDir,
  treeDiff,
} from './helpers.ts'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('partner-documents-')
})
afterAll(() => tmp.cleanup())

const edit = (dataset: string, mutations: Mutation[]) => {
  const ds = Dataset.open(dataset)
  try {
    ds.transaction(mutations, {author: 'test'})
  } finally {
    ds.close()
  }
}
const partnerFiles = (out: string) =>
  existsSync(join(out, 'partners'))
    ? readdirSync(join(out, 'partners'), {recursive: true, withFileTypes: true})
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(out.length + 1))
        .sort()
    : []

describe('partner documents in the exports', () => {
  it('never appear in a public output: pages, feeds, app bundle, manifest, schemas', async () => {
    const out = join(tmp.dir, 'public', 'dist')
    await exportTo(out, fixtureDataset(join(tmp.dir, 'public')))
    const partners = fixtureDocs().filter((d) => d._type === 'partner')
    expect(partners.map((p) => p._id)).toEqual(['partner-clinic-network', 'partner-wellness-app'])
    const files = [...readTree(out)].map(([path, bytes]) => [path, bytes.toString('utf8')] as const)
    for (const partner of partners) {
      const name = (partner.name as {current: string}).current
      const contact = partner.contact as {name: string; email: string}
      // What only the dataset holds: never in any file, the partner's own included.
      for (const [path, text] of files)
        for (const secret of [
          partner._id,
          contact.name,
          contact.email,
          String(partner.notifyUrl),
          'INTERNAL-PARTNER',
        ])
          expect(text.includes(secret), `${path}: ${secret}`).toBe(false)
      // What the partner receives: only in its own folder (the manifest lists that folder's files).
      for (const [path, text] of files) {
        if (path.startsWith(`partners/${name}/`)) continue
        for (const own of [String(partner.title), String(partner.attribution)])
          expect(text.includes(own), `${path}: ${own}`).toBe(false)
        if (path === 'manifest.json')
          expect(
            text.split('\n').filter((l) => l.includes(name)),
            path,
          ).toEqual(expect.arrayContaining([expect.stringMatching(/^\s+"path": "partners\//)]))
        else expect(text.includes(name), `${path}: ${name}`).toBe(false)
      }
    }
    const manifest = files.find(([p]) => p === 'manifest.json')![1]
    for (const line of manifest.split('\n').filter((l) => /clinic-network|wellness-app/.test(l)))
      expect(line).toMatch(/^\s+"path": "partners\/(clinic-network|wellness-app)\/[a-z.]+",$/)
  })

  it('take effect on the next export, incrementally, as a full export would write them', async () => {
    const dir = join(tmp.dir, 'edits')
    const dataset = fixtureDataset(dir)
    const out = join(dir, 'dist')
    const options = {reviewedAsOf: FIXTURE_REVIEW_DATE}
    const first = await exportFeeds({dataset, out, ...options})
    expect(first.partners.map((p) => p.name)).toEqual(['clinic-network', 'wellness-app'])
    const steps: Array<[string, Mutation[], string[]]> = [
      [
        'another format',
        [{patch: {id: 'partner-clinic-network', set: {formats: ['rss', 'atom', 'jsonfeed']}}}],
        [
          'partners/clinic-network/atom.xml',
          'partners/clinic-network/feed.json',
          'partners/clinic-network/rss.xml',
          'partners/wellness-app/content.json',
          'partners/wellness-app/feed.json',
        ],
      ],
      [
        'disabled',
        [{patch: {id: 'partner-wellness-app', set: {enabled: false}}}],
        [
          'partners/clinic-network/atom.xml',
          'partners/clinic-network/feed.json',
          'partners/clinic-network/rss.xml',
        ],
      ],
      [
        'enabled again, renamed',
        [
          {
            patch: {
              id: 'partner-wellness-app',
              set: {enabled: true, name: {_type: 'slug', current: 'wellness'}},
            },
          },
        ],
        [
          'partners/clinic-network/atom.xml',
          'partners/clinic-network/feed.json',
          'partners/clinic-network/rss.xml',
          'partners/wellness/content.json',
          'partners/wellness/feed.json',
        ],
      ],
      [
        'deleted',
        [{delete: {id: 'partner-clinic-network'}}],
        ['partners/wellness/content.json', 'partners/wellness/feed.json'],
      ],
      [
        'a contact change only',
        [{patch: {id: 'partner-wellness-app', set: {contact: {email: 'new@wellness.example'}}}}],
        ['partners/wellness/content.json', 'partners/wellness/feed.json'],
      ],
      [
        'a draft',
        [
          {
            createOrReplace: {
              ...fixtureDocs().find((d) => d._id === 'partner-clinic-network')!,
              _id: 'drafts.partner-new',
              name: {_type: 'slug', current: 'draft-partner'},
            },
          },
        ],
        ['partners/wellness/content.json', 'partners/wellness/feed.json'],
      ],
    ]
    for (const [what, mutations, files] of steps) {
      const before = readTree(out)
      edit(dataset, mutations)
      const next = await exportFeeds({dataset, out, ...options})
      expect(partnerFiles(out), what).toEqual(files)
      const reference = join(dir, `full-${what.replace(/\W+/g, '-')}`)
      await exportFeeds({dataset, out: reference, cacheDir: false, incremental: false, ...options})
      expect(treeDiff(readTree(out), readTree(reference)), what).toEqual([])
      if (what === 'a contact change only' || what === 'a draft') {
        // Nothing a partner receives changed: nothing written, no full export.
        expect(next, what).toMatchObject({mode: 'incremental', changedFiles: 0})
        expect(treeDiff(before, readTree(out)), what).toEqual([])
      }
    }
  }, 120_000)

  it('an invalid partner document blocks a gated export with every problem, naming document and field', async () => {
    // The sample, which passes the gate, and the fixture's partners.
    const dir = join(tmp.dir, 'gate')
    const dataset = join(dir, 'ds.sqlite')
    const ds = Dataset.open(dataset)
    try {
      await importSources(ds, await sourceFiles(SOURCES_DIR))
      ds.importDocuments(fixtureDocs().filter((d) => d._type === 'partner') as StoredDocument[])
    } finally {
      ds.close()
    }
    const out = join(dir, 'dist')
    const passed = await exportFeeds({dataset, out, gate: true})
    expect(passed.partners.map((p) => p.name)).toEqual(['clinic-network', 'wellness-app'])
    const before = readTree(out)
    edit(dataset, [
      {
        patch: {
          id: 'partner-clinic-network',
          set: {
            name: {_type: 'slug', current: 'Clinic Network'},
            'utm.source': 'a b',
            formats: ['rss', 'pdf'],
          },
          unset: ['attribution'],
        },
      },
      {patch: {id: 'partner-wellness-app', set: {name: {_type: 'slug', current: 'x'}}}},
      {
        create: {
          _id: 'partner-twin',
          _type: 'partner',
          title: 'Twin',
          name: {_type: 'slug', current: 'x'},
          formats: ['rss'],
          types: ['benefit'],
          attribution: 'a',
        },
      },
    ])
    const error = await exportFeeds({dataset, out, gate: true}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ValidationGateError)
    const problems = (error as ValidationGateError).problems.filter((p) => p.level === 'error')
    expect(problems.every((p) => p.documentId?.startsWith('partner-'))).toBe(true)
    const where = problems.map((p) => `${p.documentId} ${p.path ?? ''}`)
    for (const at of [
      'partner-clinic-network name',
      'partner-clinic-network utm.source',
      'partner-clinic-network formats[1]',
      'partner-clinic-network attribution',
      'partner-twin name',
      'partner-wellness-app name',
    ])
      expect(where).toContain(at)
    expect(problems.find((p) => p.documentId === 'partner-twin')!.message).toMatch(
      /name "x" is used by 2 partner documents/,
    )
    expect(treeDiff(before, readTree(out))).toEqual([])
  }, 120_000)
})
