/** The adjunct kind backfill: the pure rule, then the runner on fixture.ndjson. */
import type {MigrationContext, NodeMigration} from 'sanity/migrate'
import {describe, expect, it} from 'vitest'
import {runMigrations} from '../../scripts/migrate/runner.ts'
import {
  byId,
  FIXED_NOW,
  fixtureDocs,
  loadMigration,
  targetWith,
} from '../../tests/migrate/helpers.ts'
import migration, {kindOf} from './index.ts'

const ID = '2026-11-03-serum-kind-backfill'

describe('kindOf / the handler', () => {
  it('calls PRP a procedure, by title or synonym, and everything else a serum', () => {
    expect(kindOf({title: 'PRP'})).toBe('procedure')
    expect(kindOf({title: 'Growth factors', synonyms: ['Platelet-rich plasma']})).toBe('procedure')
    expect(kindOf({title: 'Hyaluronic acid', synonyms: ['HA']})).toBe('serum')
    expect(kindOf({title: 'Approach'})).toBe('serum')
  })

  it('only fills a missing kind', () => {
    const document = (migration.migrate as NodeMigration).document!
    const doc = {_id: 's', _type: 'serum', _rev: 'r', _createdAt: '', _updatedAt: '', title: 'PRP'}
    expect(document(doc, {} as MigrationContext)).toEqual({
      path: ['kind'],
      op: {type: 'setIfMissing', value: 'procedure'},
    })
    expect(document({...doc, kind: 'serum'}, {} as MigrationContext)).toBeUndefined()
  })
})

describe('through the runner, on fixture.ndjson', () => {
  it('sets kind on published and draft adjuncts that lack it, and nothing else', async () => {
    const {ds, target} = targetWith(fixtureDocs(ID))
    const before = byId(ds.documents())
    const report = await runMigrations(target, [await loadMigration('serum-kind-backfill')], {
      now: FIXED_NOW,
    })
    expect(report.migrations[0]).toMatchObject({status: 'applied', selected: 4, mutations: 4})
    const after = byId(ds.documents())
    expect(
      Object.fromEntries(
        [...after.values()].filter((d) => d._type === 'serum').map((d) => [d._id, d.kind]),
      ),
    ).toEqual({
      'drafts.serum-prp': 'procedure',
      'serum-hyaluronic-acid': 'serum',
      'serum-prp': 'procedure',
      'serum-retinol': 'serum',
      'serum-vitamin-c': 'serum',
    })
    expect(after.get('serum-retinol')).toEqual(before.get('serum-retinol'))
    expect(after.get('treatment-microneedling')).toEqual(before.get('treatment-microneedling'))
    ds.close()
  })
})
