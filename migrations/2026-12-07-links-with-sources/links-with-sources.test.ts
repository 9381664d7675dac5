/** Benefit links become link objects: the pure rule, then the runner on fixture.ndjson. */
import {describe, expect, it} from 'vitest'
import {runMigrations} from '../../scripts/migrate/runner.ts'
import {
  byId,
  FIXED_NOW,
  fixtureDocs,
  loadMigration,
  targetWith,
} from '../../tests/migrate/helpers.ts'
import {asLink} from './index.ts'

const ID = '2026-12-07-links-with-sources'

describe('asLink', () => {
  it('wraps a plain reference, keeping its key and strength; leaves a link as it is', () => {
    expect(asLink({_key: 'k', _type: 'reference', _ref: 'concern-a', _weak: true})).toEqual({
      _key: 'k',
      _type: 'link',
      target: {_type: 'reference', _ref: 'concern-a', _weak: true},
    })
    const link = {_key: 'k', _type: 'link', target: {_type: 'reference', _ref: 'concern-a'}}
    expect(asLink(link)).toBe(link)
  })
})

describe('through the runner, on fixture.ndjson', () => {
  it('turns every plain link of published and draft benefits into a link object, and nothing else', async () => {
    const {ds, target} = targetWith(fixtureDocs(ID))
    const before = byId(ds.documents())
    const report = await runMigrations(target, [await loadMigration('links-with-sources')], {
      now: FIXED_NOW,
    })
    expect(report.migrations[0]).toMatchObject({status: 'applied', selected: 2, mutations: 3})
    const after = byId(ds.documents())
    expect(after.get('benefit-scars')!.concerns).toEqual([
      {_key: 'k1', _type: 'link', target: {_type: 'reference', _ref: 'concern-acne-scars'}},
      {
        _key: 'k2',
        _type: 'link',
        target: {_type: 'reference', _ref: 'concern-texture', _weak: true},
      },
    ])
    expect(after.get('benefit-scars')!.skinTypes).toEqual([
      {_key: 'k3', _type: 'link', target: {_type: 'reference', _ref: 'skinType-oily'}},
    ])
    expect(after.get('drafts.benefit-scars')!.serums).toEqual([
      {_key: 'k4', _type: 'link', target: {_type: 'reference', _ref: 'serum-hyaluronic-acid'}},
    ])
    for (const id of ['benefit-done', 'benefit-bare', 'concern-acne-scars', 'skinType-oily'])
      expect(after.get(id), id).toEqual(before.get(id))

    // Run again: nothing left to do.
    const again = await runMigrations(target, [await loadMigration('links-with-sources')], {
      now: FIXED_NOW,
    })
    expect(again.migrations[0]!.status).not.toBe('applied')
    ds.close()
  })
})
