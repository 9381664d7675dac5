/** The Studio's own rules (schemas/) run headless through Sanity's validateDocument. */
import {describe, expect, it} from 'vitest'
import {validateDocuments} from '../../scripts/validate/run.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

const sys = {_rev: 'r1', _createdAt: '2026-01-01T00:00:00Z', _updatedAt: '2026-01-01T00:00:00Z'}
const doc = (d: Record<string, unknown> & {_id: string; _type: string}) =>
  ({...sys, ...d}) as StoredDocument
const block = (text: string, key = 'b0') => ({
  _type: 'block',
  _key: key,
  style: 'normal',
  markDefs: [],
  children: [{_type: 'span', _key: `${key}s`, text, marks: []}],
})

describe('validateDocuments', () => {
  it('reports Studio rule errors and editorial warnings with document id and field path, all at once', async () => {
    const report = await validateDocuments([
      doc({_id: 'concern-c', _type: 'concern', title: 'C', slug: {_type: 'slug', current: 'c'}}),
      doc({
        _id: 'benefit-ok',
        _type: 'benefit',
        title: 'Erases Stretch Marks',
        slug: {_type: 'slug', current: 'ok'},
        body: [block('Safe for all skin types.')],
        concerns: [{_type: 'link', _key: 'k', target: {_type: 'reference', _ref: 'concern-c'}}],
      }),
      doc({_id: 'benefit-bad', _type: 'benefit', slug: {_type: 'slug', current: 'bad'}, body: []}),
      doc({
        _id: 'article-a',
        _type: 'article',
        title: 'A',
        slug: {_type: 'slug', current: 'a'},
        benefits: [
          {_type: 'reference', _ref: 'benefit-ok', _key: 'k1'},
          {_type: 'reference', _ref: 'benefit-bad', _key: 'k2'},
        ],
      }),
    ])
    const at = (id: string, path: string) =>
      report.problems.filter((p) => p.documentId === id && p.path === path)
    expect(at('benefit-bad', 'title')[0]).toMatchObject({
      level: 'error',
      message: 'Title is required',
    })
    expect(at('benefit-bad', 'body')[0]).toMatchObject({
      level: 'error',
      message: 'Body needs at least one paragraph',
    })
    expect(at('benefit-ok', 'title')[0]).toMatchObject({
      level: 'warning',
      message: expect.stringContaining('Erases'),
    })
    expect(at('benefit-ok', 'body')[0]).toMatchObject({
      level: 'warning',
      message: expect.stringContaining('Safe for all skin types'),
    })
    // Only the benefit without title and body breaks a rule; the rest are editorial warnings.
    expect(
      report.problems.filter((p) => p.level === 'error').map((p) => `${p.documentId} ${p.path}`),
    ).toEqual(['benefit-bad body', 'benefit-bad title'])
    expect(report.errors).toBe(2)
  })

  it('refuses script links in rich text', async () => {
    const body = [
      {
        ...block('click'),
        markDefs: [{_type: 'link', _key: 'l1', href: 'javascript:alert(1)'}],
        children: [{_type: 'span', _key: 's', text: 'click', marks: ['l1']}],
      },
    ]
    const report = await validateDocuments([
      doc({
        _id: 'benefit-x',
        _type: 'benefit',
        title: 'X',
        slug: {_type: 'slug', current: 'x'},
        body,
      }),
    ])
    // Our protocol rule refuses it on the link's href (Sanity's own uri rule may add its own words there).
    const errors = report.problems.filter((p) => p.level === 'error')
    expect(errors.map((p) => `${p.documentId} ${p.path}`)).toEqual(
      errors.map(() => 'benefit-x body[_key=="b0"].markDefs[_key=="l1"].href'),
    )
    expect(errors.map((p) => p.message)).toContain('Link must use http, https or mailto')
  })

  it('answers the built-in slug uniqueness rule offline from the dataset', async () => {
    const report = await validateDocuments([
      doc({_id: 'concern-a', _type: 'concern', title: 'A', slug: {_type: 'slug', current: 'same'}}),
      doc({_id: 'concern-b', _type: 'concern', title: 'B', slug: {_type: 'slug', current: 'same'}}),
    ])
    expect(
      report.problems
        .filter((p) => p.path === 'slug' && p.level === 'error')
        .map((p) => p.documentId)
        .sort(),
    ).toEqual(['concern-a', 'concern-b'])
  })
})

describe('system documents', () => {
  it('leaves `_.` documents (the migration ledger) out of validation', async () => {
    const report = await validateDocuments([
      doc({_id: '_.migrations.x', _type: 'migration.record'}),
    ])
    expect(report).toMatchObject({documents: 0, problems: []})
  })
})
