/** The publisher's planner (scripts/feeds/publisherPlan.ts): pure, documents and verdicts in, plan out. */
import {describe, expect, it} from 'vitest'
import type {Problem} from '../../scripts/lib/errors.ts'
import {planPublish} from '../../scripts/feeds/publisherPlan.ts'
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

/** Plan over maps of documents now and as published last. */
const plan = (
  now: StoredDocument[],
  published: StoredDocument[],
  errors: Map<string, Problem[]>,
  ids: string[] = [...new Set([...now, ...published].map((d) => d._id))],
) => {
  const nowById = new Map(now.map((d) => [d._id, d]))
  const lastById = new Map(published.map((d) => [d._id, d]))
  const p = planPublish({
    ids,
    now: (id) => nowById.get(id),
    published: (id) => lastById.get(id),
    errors,
  })
  return {
    ...p,
    /** The published versions after the plan: [id, rev] sorted, undefined ones left out. */
    out: [...p.chosen]
      .flatMap(([id, d]) => (d ? [[id, d._rev, d.title]] : []))
      .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
  }
}

describe('planPublish', () => {
  it('publishes everything as it is when nothing fails', () => {
    const p = plan([doc('a', 'r2'), doc('b', 'r1')], [doc('a', 'r1')], new Map())
    expect(p.heldBack).toEqual([])
    expect(p.out).toEqual([
      ['a', 'r2', undefined],
      ['b', 'r1', undefined],
    ])
  })

  it('keeps a failing document at its last published version and publishes the rest', () => {
    const errors = new Map([['a', [error('a', 'concern')]]])
    const p = plan(
      [doc('a', 'r2', {title: 'broken'}), doc('b', 'r5')],
      [doc('a', 'r1', {title: 'good'}), doc('b', 'r4')],
      errors,
    )
    expect(p.out).toEqual([
      ['a', 'r1', 'good'],
      ['b', 'r5', undefined],
    ])
    expect(p.heldBack).toEqual([{id: 'a', problems: [error('a', 'concern')], kept: 'r1'}])
  })

  it('leaves out a failing document never published, and one whose old version is lost', () => {
    const errors = new Map([
      ['new', [error('new', 'a')]],
      ['lost', [error('lost', 'b')]],
    ])
    const p = plan([doc('new', 'r1'), doc('lost', 'r3'), doc('ok', 'r1')], [], errors)
    expect(p.out.map((o) => o[0])).toEqual(['ok'])
    expect(p.chosen.has('new') && p.chosen.get('new')).toBe(undefined)
    expect(p.heldBack.map((h) => [h.id, h.kept])).toEqual([
      ['lost', undefined],
      ['new', undefined],
    ])
  })

  it('keeps a deleted document that a kept version still references, and releases it with it', () => {
    // b was deleted; a now fails (its reference to b dangles), so a stays at r1, which needs b.
    const errors = new Map([['a', [error('a', 'concern')]]])
    const last = [doc('a', 'r1', {concern: ref('b')}), doc('b', 'rb'), doc('gone', 'rg')]
    const p = plan([doc('a', 'r2', {concern: ref('b')})], last, errors)
    // b is kept (a's kept version needs it); `gone`, referenced by nothing kept, is deleted.
    expect(p.out.map((o) => o[0])).toEqual(['a', 'b'])
    expect(p.chosen.has('gone')).toBe(true)
    expect(p.chosen.get('gone')).toBe(undefined)
    expect(p.heldBack.map((h) => h.id)).toEqual(['a', 'b'])
    expect(p.heldBack[1]!.problems[0]!.message).toMatch(/held-back a references it/)
    // Fixed: a is published as it is now, and b goes.
    const fixed = plan(
      [doc('a', 'r3')],
      [doc('a', 'r1', {concern: ref('b')}), doc('b', 'rb')],
      new Map(),
    )
    expect(fixed.out).toEqual([['a', 'r3', undefined]])
    expect(fixed.chosen.get('b')).toBe(undefined)
    expect(fixed.heldBack).toEqual([])
  })

  it('decides only the ids it is given', () => {
    const p = plan([doc('a', 'r2'), doc('b', 'r9')], [doc('a', 'r1'), doc('b', 'r1')], new Map(), [
      'a',
    ])
    expect([...p.chosen.keys()]).toEqual(['a'])
  })
})
