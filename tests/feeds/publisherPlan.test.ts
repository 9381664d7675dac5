/** The publisher's planner (scripts/feeds/publisherPlan.ts): pure, documents and verdicts in, plan out. */
import {describe, expect, it} from 'vitest'
import type {Problem} from '../../scripts/lib/errors.ts'
import {neededPrevious, planPublish} from '../../scripts/feeds/publisherPlan.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

const doc = (id: string, rev: string, fields: Record<string, unknown> = {}): StoredDocument => ({
  _id: id,
  _type: 'benefit',
  _rev: rev,
  _createdAt: '2024-01-01T00:00:00Z',
  _updatedAt: '2024-01-01T00:00:00Z',
  ...fields,
})
const ref = (id: string) => ({_type: 'reference', _ref: id})
const error = (id: string, path: string): Problem => ({
  documentId: id,
  path,
  level: 'error',
  message: 'references "x", which does not exist',
})

describe('planPublish', () => {
  it('exports everything as it is when nothing fails', () => {
    const current = [doc('a', 'r2'), doc('b', 'r1')]
    const plan = planPublish({
      current,
      errors: new Map(),
      lastPublished: new Map([['a', 'r1']]),
      previous: new Map(),
    })
    expect(plan.asCurrent).toBe(true)
    expect(plan.heldBack).toEqual([])
    expect(plan.documents.map((d) => d._rev)).toEqual(['r2', 'r1'])
    expect([...plan.published]).toEqual([
      ['a', 'r2'],
      ['b', 'r1'],
    ])
  })

  it('keeps a failing document at its last published version and publishes the rest', () => {
    const current = [doc('a', 'r2', {title: 'broken'}), doc('b', 'r5')]
    const errors = new Map([['a', [error('a', 'concern')]]])
    const lastPublished = new Map([
      ['a', 'r1'],
      ['b', 'r4'],
    ])
    expect(neededPrevious(current, errors, lastPublished)).toEqual([{id: 'a', rev: 'r1'}])
    const plan = planPublish({
      current,
      errors,
      lastPublished,
      previous: new Map([['a', doc('a', 'r1', {title: 'good'})]]),
    })
    expect(plan.asCurrent).toBe(false)
    expect(plan.documents.map((d) => [d._id, d._rev, d.title])).toEqual([
      ['a', 'r1', 'good'],
      ['b', 'r5', undefined],
    ])
    expect(plan.heldBack).toEqual([{id: 'a', problems: [error('a', 'concern')], kept: 'r1'}])
    expect(plan.published.get('a')).toBe('r1')
  })

  it('leaves out a failing document never published, and one whose old version is lost', () => {
    const current = [doc('new', 'r1'), doc('lost', 'r3'), doc('ok', 'r1')]
    const errors = new Map([
      ['new', [error('new', 'a')]],
      ['lost', [error('lost', 'b')]],
    ])
    const plan = planPublish({
      current,
      errors,
      lastPublished: new Map([['lost', 'r2']]),
      previous: new Map(),
    })
    expect(plan.documents.map((d) => d._id)).toEqual(['ok'])
    expect(plan.heldBack.map((h) => [h.id, h.kept])).toEqual([
      ['lost', undefined],
      ['new', undefined],
    ])
    expect(plan.published.has('new')).toBe(false)
  })

  it('keeps a deleted document that a kept version still references', () => {
    // b was deleted; a now fails (its reference to b dangles), so a stays at r1, which needs b.
    const current = [doc('a', 'r2', {concern: ref('b')})]
    const errors = new Map([['a', [error('a', 'concern')]]])
    const lastPublished = new Map([
      ['a', 'r1'],
      ['b', 'rb'],
      ['gone', 'rg'],
    ])
    expect(neededPrevious(current, errors, lastPublished).map((n) => n.id)).toEqual([
      'a',
      'b',
      'gone',
    ])
    const plan = planPublish({
      current,
      errors,
      lastPublished,
      previous: new Map([
        ['a', doc('a', 'r1', {concern: ref('b')})],
        ['b', doc('b', 'rb')],
        ['gone', doc('gone', 'rg')],
      ]),
    })
    // b is kept (a's kept version needs it); `gone`, referenced by nothing kept, stays deleted.
    expect(plan.documents.map((d) => d._id)).toEqual(['a', 'b'])
    expect(plan.heldBack.map((h) => h.id)).toEqual(['a', 'b'])
    expect(plan.heldBack[1]!.problems[0]!.message).toMatch(/held-back a references it/)
  })

  it('needs no old versions when every document is valid', () => {
    expect(neededPrevious([doc('a', 'r2')], new Map(), new Map([['gone', 'r1']]))).toEqual([])
  })
})
