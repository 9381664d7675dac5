/** Whole-graph checks: pure, on small inline datasets. */
import {describe, expect, it} from 'vitest'
import {collectRefs, graphProblems} from '../../scripts/validate/graph.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

const sys = {_rev: 'r1', _createdAt: '2026-01-01T00:00:00Z', _updatedAt: '2026-01-01T00:00:00Z'}
const doc = (d: Partial<StoredDocument> & {_id: string; _type: string}): StoredDocument =>
  ({...sys, ...d}) as StoredDocument
const ref = (id: string, key = id) => ({_type: 'reference', _ref: id, _key: key})
const link = (id: string, key = id) => ({
  _type: 'link',
  _key: key,
  target: {_type: 'reference', _ref: id},
})

describe('collectRefs', () => {
  it('finds references at any depth with keyed paths', () => {
    const refs = collectRefs({
      benefits: [ref('b1', 'k1')],
      review: {reviewedBy: {_ref: 'p1', _type: 'reference'}},
    })
    expect(refs).toEqual([
      {ref: 'b1', weak: false, path: 'benefits[_key=="k1"]'},
      {ref: 'p1', weak: false, path: 'review.reviewedBy'},
    ])
  })
})

describe('graphProblems', () => {
  it('names the document and field of a dangling reference', () => {
    const problems = graphProblems([
      doc({
        _id: 'benefit-a',
        _type: 'benefit',
        slug: {current: 'a'},
        concerns: [link('concern-gone', 'c1')],
      }),
    ])
    expect(problems).toContainEqual(
      expect.objectContaining({
        documentId: 'benefit-a',
        path: 'concerns[_key=="c1"].target',
        level: 'error',
        message: expect.stringContaining('concern-gone'),
      }),
    )
  })

  it("treats a reference to a draft-only document as unpublished, and a draft's own dangling reference as a warning", () => {
    const problems = graphProblems([
      doc({_id: 'drafts.concern-new', _type: 'concern'}),
      doc({_id: 'benefit-a', _type: 'benefit', concerns: [link('concern-new', 'c1')]}),
      doc({_id: 'drafts.benefit-b', _type: 'benefit', concerns: [link('concern-x', 'c2')]}),
    ])
    expect(problems.find((p) => p.documentId === 'benefit-a')?.message).toMatch(
      /only as an unpublished draft/,
    )
    expect(problems.find((p) => p.documentId === 'drafts.benefit-b')?.level).toBe('warning')
  })

  it('reports duplicate slugs per type on every owner, but not across types or against own drafts', () => {
    const problems = graphProblems([
      doc({_id: 'benefit-a', _type: 'benefit', slug: {current: 'same'}}),
      doc({_id: 'benefit-b', _type: 'benefit', slug: {current: 'same'}}),
      doc({_id: 'drafts.benefit-a', _type: 'benefit', slug: {current: 'same'}}),
      doc({_id: 'concern-a', _type: 'concern', slug: {current: 'same'}}),
    ])
    const slugErrors = problems.filter((p) => p.path === 'slug')
    expect(slugErrors.map((p) => p.documentId).sort()).toEqual(['benefit-a', 'benefit-b'])
  })

  it('warns about taxonomy nothing links to and errors on articles without benefits', () => {
    const problems = graphProblems([
      doc({_id: 'concern-lonely', _type: 'concern', title: 'Lonely'}),
      doc({_id: 'article-x', _type: 'article'}),
    ])
    expect(problems).toContainEqual(
      expect.objectContaining({documentId: 'concern-lonely', level: 'warning'}),
    )
    expect(problems).toContainEqual(
      expect.objectContaining({documentId: 'article-x', path: 'benefits', level: 'error'}),
    )
  })
})
