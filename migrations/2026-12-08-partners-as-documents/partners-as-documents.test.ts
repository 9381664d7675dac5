/**
 * Profiles → partner documents: the pure mapping, the runner on fixture.ndjson (an editor's partner
 * is never overwritten), and the same export as before: the sample exported with the old profile
 * files and again with the documents this migration creates, byte for byte.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Partner} from '../../sanity.types.ts'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {parsePartnerProfiles, profilesFromDocuments} from '../../scripts/feeds/partners.ts'
import {importSources, sourceFiles} from '../../scripts/import/index.ts'
import {SOURCES_DIR} from '../../scripts/lib/paths.ts'
import {EmbeddedTarget} from '../../scripts/migrate/embedded.ts'
import {runMigrations} from '../../scripts/migrate/runner.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {readTree} from '../../tests/feeds/helpers.ts'
import {
  byId,
  FIXED_NOW,
  fixtureDocs,
  loadMigration,
  targetWith,
  tempDir,
} from '../../tests/migrate/helpers.ts'
import {partnerDocument, PROFILES} from './index.ts'

const ID = '2026-12-08-partners-as-documents'
const HERE = import.meta.dirname
const {dir, cleanup} = tempDir('partners-migration-')
afterAll(cleanup)

/** The profile files as the exporter used to read them. */
const profileFiles = () =>
  readdirSync(HERE)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({file: join(HERE, f), text: readFileSync(join(HERE, f), 'utf8')}))

describe('partnerDocument (pure: profile in, document out)', () => {
  it('keeps the profile fields, makes the name a slug, enables the partner, drops $schema', () => {
    expect(partnerDocument(PROFILES[1]!)).toEqual({
      _id: 'partner-wellness-app',
      _type: 'partner',
      name: {_type: 'slug', current: 'wellness-app'},
      title: 'Wellness app',
      formats: ['jsonfeed', 'json'],
      types: ['article', 'benefit'],
      fields: {exclude: ['body', 'bodyAreas']},
      utm: {source: 'wellness-app', medium: 'app', campaign: 'skincare'},
      attribution: 'Medically reviewed content from Skincare Guide.',
      reviewedOnly: true,
      enabled: true,
    })
  })

  it('covers every profile file in its folder', () => {
    expect(PROFILES.map((p) => `${p.name}.json`)).toEqual(
      profileFiles().map((f) => f.file.split('/').at(-1)),
    )
  })
})

describe('through the runner, on fixture.ndjson', () => {
  it('creates one valid partner per profile, giving the profiles the files gave', async () => {
    const {ds, target} = targetWith(fixtureDocs(ID))
    const report = await runMigrations(target, [await loadMigration(ID)], {now: FIXED_NOW})
    expect(report.ok, JSON.stringify(report.migrations[0]?.error)).toBe(true)
    expect(report.migrations[0]!.changes.map((c) => [c.id, c.operation])).toEqual([
      ['partner-clinic-network', 'create'],
      ['partner-wellness-app', 'create'],
    ])
    const partners = ds.documents({types: ['partner']}) as unknown as Partner[]
    const fromDocuments = profilesFromDocuments(partners)
    expect(fromDocuments.problems).toEqual([])
    const fromFiles = parsePartnerProfiles(profileFiles())
    expect(fromDocuments.profiles).toEqual(fromFiles.profiles.map(({$schema: _, ...p}) => p))

    const validation = await validateDocuments(ds.documents())
    expect(validation.problems.filter((p) => p.documentId?.startsWith('partner-'))).toEqual([])
    ds.close()
  })

  it('never overwrites a partner an editor changed, and runs once', async () => {
    const edited = {
      ...partnerDocument(PROFILES[0]!),
      _rev: 'rev-editor',
      _createdAt: '2026-12-01T00:00:00Z',
      _updatedAt: '2026-12-02T00:00:00Z',
      title: 'Clinic network (renamed by an editor)',
      enabled: false,
    }
    const {ds, target} = targetWith([...fixtureDocs(ID), edited])
    const migration = await loadMigration(ID)
    const report = await runMigrations(target, [migration], {now: FIXED_NOW})
    expect(report.migrations[0]!.changes.map((c) => c.id)).toEqual(['partner-wellness-app'])
    expect(byId(ds.documents()).get('partner-clinic-network')).toEqual(edited)
    const again = await runMigrations(target, [migration], {now: FIXED_NOW})
    expect(again.migrations[0]!.status).toBe('already-applied')
    ds.close()
  })
})

describe('the same output as before', () => {
  it('the sample exported with the profile files and with the migrated documents: byte-identical trees', async () => {
    const path = join(dir, 'sample.sqlite')
    const ds = Dataset.open(path)
    try {
      await importSources(ds, await sourceFiles(SOURCES_DIR))
      const options = {
        dataset: ds,
        cacheDir: join(dir, 'cache'),
        reviewedAsOf: '2026-12-08T00:00:00Z',
      }
      const before = join(dir, 'before', 'dist')
      const {profiles, problems} = parsePartnerProfiles(profileFiles())
      expect(problems).toEqual([])
      await exportFeeds({...options, out: before, partners: profiles})

      // The migration as `npm run migrate` runs it, on the same dataset.
      const migrated = await runMigrations(new EmbeddedTarget(ds), [await loadMigration(ID)])
      expect(migrated.ok).toBe(true)
      const after = join(dir, 'after', 'dist')
      const summary = await exportFeeds({...options, out: after})
      expect(summary.partners.map((p) => p.name)).toEqual(['clinic-network', 'wellness-app'])

      const a = readTree(before)
      const b = readTree(after)
      expect([...b.keys()]).toEqual([...a.keys()])
      expect([...a.keys()].filter((p) => p.startsWith('partners/'))).toHaveLength(4)
      expect([...a.keys()].filter((p) => !a.get(p)!.equals(b.get(p)!))).toEqual([])
    } finally {
      ds.close()
    }
  }, 120_000)
})
