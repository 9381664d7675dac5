import {readFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {planActions} from '../../scripts/api/actions.ts'
import {MutationError, RevisionConflictError} from '../../scripts/lib/errors.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE} from './helpers.ts'

let ds: Dataset
beforeEach(() => {
  ds = Dataset.open(':memory:')
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
})
afterEach(() => ds.close())

/** Plan and commit, as the actions route does. */
function run(actions: unknown[]) {
  const plan = planActions(actions, (id) => ds.get(id))
  return ds.transaction(plan.mutations, {ifRevisionIDs: plan.ifRevisionIDs})
}

const ids = (pub: string) => ({publishedId: pub, draftId: `drafts.${pub}`})

describe('document actions → store transactions', () => {
  it('edit copies the published document into a new draft, then patches it', () => {
    const pub = ds.get('benefit-fades-acne-scars')!
    const tx = run([
      {
        actionType: 'sanity.action.document.edit',
        ...ids(pub._id),
        patch: {set: {title: 'Fades Scars'}},
      },
    ])
    expect(tx.effects.map((e) => [e.id, e.operation])).toEqual([
      ['drafts.benefit-fades-acne-scars', 'create'],
    ])
    const draft = ds.get('drafts.benefit-fades-acne-scars')!
    expect(draft).toMatchObject({
      title: 'Fades Scars',
      summary: pub.summary,
      concerns: pub.concerns,
      _rev: tx.transactionId,
    })
    expect(ds.get(pub._id)!._rev).toBe(pub._rev)
  })

  it('edit pins the published revision it copied, so a concurrent write is a conflict, not a lost update', () => {
    const plan = planActions(
      [
        {
          actionType: 'sanity.action.document.edit',
          ...ids('benefit-fades-acne-scars'),
          patch: {set: {title: 'x'}},
        },
      ],
      (id) => ds.get(id),
    )
    expect(plan.ifRevisionIDs).toEqual({
      'benefit-fades-acne-scars': ds.get('benefit-fades-acne-scars')!._rev,
    })
    expect([...plan.implied]).toEqual(['benefit-fades-acne-scars'])
    ds.transaction([{patch: {id: 'benefit-fades-acne-scars', set: {summary: 'changed elsewhere'}}}])
    expect(() => ds.transaction(plan.mutations, {ifRevisionIDs: plan.ifRevisionIDs})).toThrow(
      RevisionConflictError,
    )
  })

  it('edit patches an existing draft (diffMatchPatch, as the Studio sends it)', () => {
    run([
      {
        actionType: 'sanity.action.document.edit',
        ...ids('benefit-minimizes-pores'),
        patch: {diffMatchPatch: {title: '@@ -13,9 +13,8 @@\n es (\n-draft\n+edit\n )\n'}},
      },
    ])
    expect(ds.get('drafts.benefit-minimizes-pores')!.title).toBe('Minimizes Pores (edit)')
  })

  it('publish moves the draft content to the published id and deletes the draft, in one transaction', () => {
    const draft = ds.get('drafts.benefit-minimizes-pores')!
    const published = ds.get('benefit-minimizes-pores')!
    const tx = run([
      {
        actionType: 'sanity.action.document.publish',
        ...ids('benefit-minimizes-pores'),
        ifDraftRevisionId: draft._rev,
        ifPublishedRevisionId: published._rev,
      },
    ])
    expect(tx.effects.map((e) => [e.id, e.operation])).toEqual([
      ['benefit-minimizes-pores', 'update'],
      ['drafts.benefit-minimizes-pores', 'delete'],
    ])
    const now = ds.get('benefit-minimizes-pores')!
    expect(now.title).toBe('Minimizes Pores (draft)')
    expect(now).not.toHaveProperty('skinTypes')
    expect(now._createdAt).toBe(published._createdAt)
    expect(ds.get('drafts.benefit-minimizes-pores')).toBeUndefined()
  })

  it('publish with a stale draft revision is a revision conflict', () => {
    expect(() =>
      run([
        {
          actionType: 'sanity.action.document.publish',
          ...ids('benefit-minimizes-pores'),
          ifDraftRevisionId: 'stale',
        },
      ]),
    ).toThrow(RevisionConflictError)
    expect(ds.get('drafts.benefit-minimizes-pores')).toBeDefined()
  })

  it('create + edit + publish in one request see each other', () => {
    run([
      {
        actionType: 'sanity.action.document.create',
        publishedId: 'concern-redness',
        attributes: {_id: 'drafts.concern-redness', _type: 'concern', title: 'Red'},
      },
      {
        actionType: 'sanity.action.document.edit',
        ...ids('concern-redness'),
        patch: {set: {title: 'Redness'}},
      },
      {actionType: 'sanity.action.document.publish', ...ids('concern-redness')},
    ])
    expect(ds.get('concern-redness')).toMatchObject({_type: 'concern', title: 'Redness'})
    expect(ds.get('drafts.concern-redness')).toBeUndefined()
  })

  it('unpublish keeps the content as a draft; discard deletes a draft; delete removes both', () => {
    run([{actionType: 'sanity.action.document.unpublish', ...ids('benefit-fades-acne-scars')}])
    expect(ds.get('benefit-fades-acne-scars')).toBeUndefined()
    expect(ds.get('drafts.benefit-fades-acne-scars')!.title).toBe('Fades Acne Scars')

    run([
      {actionType: 'sanity.action.document.discard', draftId: 'drafts.benefit-unpublished-idea'},
    ])
    expect(ds.get('drafts.benefit-unpublished-idea')).toBeUndefined()

    expect(() =>
      run([{actionType: 'sanity.action.document.delete', publishedId: 'benefit-minimizes-pores'}]),
    ).toThrow(/has a draft/)
    run([
      {
        actionType: 'sanity.action.document.delete',
        publishedId: 'benefit-minimizes-pores',
        includeDrafts: ['drafts.benefit-minimizes-pores'],
      },
    ])
    expect(ds.getMany(['benefit-minimizes-pores', 'drafts.benefit-minimizes-pores'])).toEqual([
      undefined,
      undefined,
    ])
  })

  it('refuses what cannot apply, with the document named', () => {
    const attempt = (a: Record<string, unknown>) => () => planActions([a], (id) => ds.get(id))
    expect(
      attempt({actionType: 'sanity.action.document.publish', ...ids('concern-acne-scars')}),
    ).toThrow(/no draft "drafts.concern-acne-scars"/)
    expect(
      attempt({actionType: 'sanity.action.document.edit', ...ids('nope'), patch: {set: {a: 1}}}),
    ).toThrow(/neither "drafts.nope" nor "nope" exists/)
    expect(
      attempt({
        actionType: 'sanity.action.document.create',
        publishedId: 'concern-acne-scars',
        attributes: {_id: 'drafts.benefit-minimizes-pores', _type: 'benefit'},
      }),
    ).toThrow(/already exists/)
    expect(
      attempt({
        actionType: 'sanity.action.document.create',
        publishedId: 'x',
        attributes: {_id: 'x', _type: 'concern'},
      }),
    ).toThrow(/not "x"/)
    expect(attempt({actionType: 'sanity.action.release.create'})).toThrow(/not supported/)
    expect(() => planActions([], () => undefined)).toThrow(MutationError)
  })

  it('create with ifExists=ignore is a no-op for an existing draft', () => {
    const plan = planActions(
      [
        {
          actionType: 'sanity.action.document.create',
          publishedId: 'benefit-minimizes-pores',
          attributes: {_id: 'drafts.benefit-minimizes-pores', _type: 'benefit'},
          ifExists: 'ignore',
        },
      ],
      (id) => ds.get(id),
    )
    expect(plan.mutations).toEqual([])
  })
})
