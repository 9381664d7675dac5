/** Free-text reviewers → person references: pure helpers, the per-document handler, then the runner on fixture.ndjson. */
import {describe, expect, it} from 'vitest'
import {runMigrations} from '../../scripts/migrate/runner.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {
  byId,
  FIXED_NOW,
  fixtureDocs,
  loadMigration,
  targetWith,
} from '../../tests/migrate/helpers.ts'
import {migrateReviewer} from './index.ts'
import {nameKey, parseReviewer, People} from './people.ts'

const ID = '2026-11-02-reviewer-name-to-person'

describe('parseReviewer / nameKey', () => {
  it('splits name and credentials', () => {
    expect(parseReviewer('Dr. Ada Lee, MD, board-certified dermatologist')).toEqual({
      name: 'Dr. Ada Lee',
      credentials: 'MD, board-certified dermatologist',
    })
    expect(parseReviewer('Sam Okafor (RN)')).toEqual({name: 'Sam Okafor', credentials: 'RN'})
    expect(parseReviewer('  Jo   Park ')).toEqual({name: 'Jo Park'})
    expect(parseReviewer('   ')).toBeUndefined()
  })

  it('treats case, spacing, accents and a leading title as the same name', () => {
    expect(nameKey('Dr. Ada Lee')).toBe(nameKey('ada  lee'))
    expect(nameKey('Dr Zoë Ruiz')).toBe(nameKey('zoe ruiz'))
    expect(nameKey('Ada Lee')).not.toBe(nameKey('Ada Leeson'))
  })
})

describe('People', () => {
  it('reuses a person by name and picks a free id for a new one', () => {
    const people = new People()
    people.add({_id: 'person-ada-lee', name: 'Dr. Ada Lee'})
    people.add({_id: 'person-jo-park', name: 'Joanna Park'})
    people.add({_id: 'drafts.person-kim-ng', name: 'Kim Ng'})
    expect(people.resolve({name: 'Ada Lee'})).toEqual({id: 'person-ada-lee'})
    expect(people.resolve({name: 'Jo Park'}).id).toBe('person-jo-park-2')
    // A draft-only person reserves the id but cannot be referenced from published content.
    expect(people.resolve({name: 'Kim Ng', credentials: 'PA'})).toEqual({
      id: 'person-kim-ng-2',
      create: {
        _id: 'person-kim-ng-2',
        _type: 'person',
        name: 'Kim Ng',
        slug: {_type: 'slug', current: 'kim-ng-2'},
        credentials: 'PA',
      },
    })
    expect(people.resolve({name: 'kim ng'})).toEqual({id: 'person-kim-ng-2'})
  })
})

describe('migrateReviewer (pure: document in, mutations out)', () => {
  it('creates the person once and points the document at them', () => {
    const people = new People()
    const review = {_type: 'review', reviewer: 'Sam Okafor (RN)', lastReviewed: '2026-01-01'}
    const first = migrateReviewer({_id: 'benefit-a', _type: 'benefit', review}, people)
    expect(first.map((m) => m.type)).toEqual(['createIfNotExists', 'patch'])
    expect(first[1]).toEqual({
      type: 'patch',
      id: 'benefit-a',
      patches: [
        {
          path: ['review', 'reviewedBy'],
          op: {type: 'setIfMissing', value: {_type: 'reference', _ref: 'person-sam-okafor'}},
        },
        {path: ['review', 'reviewer'], op: {type: 'unset'}},
      ],
    })
    const second = migrateReviewer({_id: 'benefit-b', _type: 'benefit', review}, people)
    expect(second.map((m) => m.type)).toEqual(['patch'])
  })

  it('only unsets the text when a reference exists or the text is blank; ignores documents without it', () => {
    const people = new People()
    const kept = migrateReviewer(
      {_id: 'b', _type: 'benefit', review: {reviewer: 'X', reviewedBy: {_ref: 'person-y'}}},
      people,
    )
    expect(kept).toEqual([
      {type: 'patch', id: 'b', patches: [{path: ['review', 'reviewer'], op: {type: 'unset'}}]},
    ])
    expect(
      migrateReviewer({_id: 'c', _type: 'benefit', review: {reviewer: ' '}}, people),
    ).toHaveLength(1)
    expect(migrateReviewer({_id: 'd', _type: 'benefit'}, people)).toEqual([])
  })
})

describe('through the runner, on fixture.ndjson', () => {
  it('links every reviewer to one person, drafts included, and the result validates', async () => {
    const {ds, target} = targetWith(fixtureDocs(ID))
    const report = await runMigrations(target, [await loadMigration(ID)], {now: FIXED_NOW})
    expect(report.ok, JSON.stringify(report.migrations[0]?.error)).toBe(true)
    const docs = byId(ds.documents())
    const reviewOf = (id: string) => docs.get(id)?.review as Record<string, unknown>
    expect(reviewOf('article-microneedling')).toEqual({
      _type: 'review',
      reviewedBy: {_type: 'reference', _ref: 'person-ada-lee'},
      lastReviewed: '2026-09-01',
    })
    expect(reviewOf('benefit-boosts-collagen')).toMatchObject({
      reviewedBy: {_ref: 'person-sam-okafor'},
      notes: 'Checked the healing times.',
    })
    expect(reviewOf('drafts.benefit-boosts-collagen').reviewedBy).toEqual({
      _type: 'reference',
      _ref: 'person-sam-okafor',
    })
    expect(reviewOf('benefit-evens-tone').reviewedBy).toEqual({
      _type: 'reference',
      _ref: 'person-jo-park-2',
    })
    expect(reviewOf('benefit-fades-scars')).toEqual({
      _type: 'review',
      reviewedBy: {_type: 'reference', _ref: 'person-ada-lee'},
      lastReviewed: '2026-09-04',
    })
    expect(reviewOf('benefit-tightens-skin')).toEqual({_type: 'review'})
    expect(docs.get('person-sam-okafor')).toMatchObject({
      name: 'Sam Okafor',
      credentials: 'RN, aesthetic nurse',
      slug: {current: 'sam-okafor'},
    })
    expect(docs.get('person-jo-park')).toMatchObject({name: 'Joanna Park'})
    expect([...docs.values()].filter((d) => d._type === 'person').map((d) => d._id)).toEqual([
      'person-ada-lee',
      'person-jo-park',
      'person-jo-park-2',
      'person-sam-okafor',
    ])
    expect([...docs.values()].some((d) => JSON.stringify(d).includes('"reviewer"'))).toBe(false)

    const validation = await validateDocuments(
      ds.documents().filter((d) => !d._id.startsWith('_.')),
    )
    expect(
      validation.problems.filter((p) => p.level === 'error' || p.path?.startsWith('review')),
    ).toEqual([])
    ds.close()
  })
})
