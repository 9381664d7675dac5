/** The runner's pure parts: revision guards, field diffs, request batches, selection, tar archives. */
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {exportArchive} from '../../scripts/migrate/archive.ts'
import {batchMutations} from '../../scripts/migrate/batches.ts'
import {diffDocuments} from '../../scripts/migrate/diff.ts'
import {guardRevisions} from '../../scripts/migrate/guard.ts'
import {selectDocuments} from '../../scripts/migrate/select.ts'
import type {Mutation} from '../../scripts/store/types.ts'
import {markSeen, tempDir} from './helpers.ts'

describe('guardRevisions', () => {
  const revs = new Map([
    ['a', 'r1'],
    ['b', 'r2'],
    ['c', 'r3'],
  ])
  it('checks the revision on the first mutation of each existing document only', () => {
    const out = guardRevisions(
      [
        {patch: {id: 'a', set: {x: 1}}},
        {patch: {id: 'a', set: {y: 1}}},
        {createOrReplace: {_id: 'b', _type: 't'}},
        {delete: {id: 'c'}},
        {createIfNotExists: {_id: 'new', _type: 't'}},
        {patch: {id: 'new', set: {z: 1}}},
      ],
      revs,
    )
    expect(out).toEqual([
      {patch: {id: 'a', set: {x: 1}, ifRevisionID: 'r1'}},
      {patch: {id: 'a', set: {y: 1}}},
      {patch: {id: 'b', ifRevisionID: 'r2'}},
      {createOrReplace: {_id: 'b', _type: 't'}},
      {patch: {id: 'c', ifRevisionID: 'r3'}},
      {delete: {id: 'c'}},
      {createIfNotExists: {_id: 'new', _type: 't'}},
      {patch: {id: 'new', set: {z: 1}}},
    ])
  })

  it('keeps a revision check the migration set itself', () => {
    expect(guardRevisions([{patch: {id: 'a', ifRevisionID: 'mine', unset: ['x']}}], revs)).toEqual([
      {patch: {id: 'a', ifRevisionID: 'mine', unset: ['x']}},
    ])
  })
})

describe('diffDocuments', () => {
  it('lists changed leaves by path, keyed arrays by _key, ignoring system fields', () => {
    const before = {
      _id: 'x',
      _type: 't',
      _rev: 'a',
      title: 'T',
      review: {reviewer: 'Ada'},
      body: [
        {_key: 'b1', text: 'old'},
        {_key: 'b2', text: 'same'},
      ],
    }
    const after = {
      _id: 'x',
      _type: 't',
      _rev: 'b',
      title: 'T',
      review: {reviewedBy: {_ref: 'p'}},
      body: [
        {_key: 'b1', text: 'new'},
        {_key: 'b2', text: 'same'},
      ],
      summary: 'S',
    }
    expect(diffDocuments(before, after)).toEqual([
      {path: 'review.reviewer', before: 'Ada'},
      {path: 'review.reviewedBy', after: {_ref: 'p'}},
      {path: 'body[_key=="b1"].text', before: 'old', after: 'new'},
      {path: 'summary', after: 'S'},
    ])
  })

  it('reports moved keyed items and resized plain arrays as whole values, and a created document field by field', () => {
    expect(
      diffDocuments(
        {_id: 'x', list: [{_key: 'a'}, {_key: 'b'}]},
        {_id: 'x', list: [{_key: 'b'}, {_key: 'a'}]},
      ),
    ).toEqual([
      {path: 'list', before: [{_key: 'a'}, {_key: 'b'}], after: [{_key: 'b'}, {_key: 'a'}]},
    ])
    expect(diffDocuments({_id: 'x', tags: ['a']}, {_id: 'x', tags: ['a', 'b']})).toEqual([
      {path: 'tags', before: ['a'], after: ['a', 'b']},
    ])
    expect(diffDocuments(undefined, {_id: 'p', _type: 'person', name: 'N'})).toEqual([
      {path: '_type', after: 'person'},
      {path: 'name', after: 'N'},
    ])
    expect(diffDocuments({_id: 'x', a: {b: 1, c: 2}}, {_id: 'x', a: {c: 2, b: 1}})).toEqual([])
  })
})

describe('batchMutations', () => {
  it('keeps everything in one request when it fits', () => {
    const ms: Mutation[] = [
      {patch: {id: 'a', set: {x: 1}}},
      {create: {_id: '_.migrations.m', _type: 'migration.record'}},
    ]
    expect(batchMutations(ms, 1_000_000)).toEqual([ms])
  })

  it('splits by size, never between a revision check and the mutation it guards, ledger last', () => {
    const ms: Mutation[] = [
      {patch: {id: 'a', set: {x: 'x'.repeat(50)}, ifRevisionID: 'r'}},
      {patch: {id: 'b', ifRevisionID: 'r'}},
      {createOrReplace: {_id: 'b', _type: 't', body: 'y'.repeat(50)}},
      {create: {_id: '_.migrations.m', _type: 'migration.record'}},
    ]
    const batches = batchMutations(ms, 120)
    expect(batches.flat()).toEqual(ms)
    expect(batches.length).toBeGreaterThan(1)
    const withGuard = batches.find((b) => b.some((m) => 'patch' in m && m.patch.id === 'b'))!
    expect(withGuard.some((m) => 'createOrReplace' in m)).toBe(true)
    expect(batches.at(-1)!.at(-1)).toEqual(ms[3])
  })
})

describe('selectDocuments', () => {
  const docs = [
    {_id: '_.system', _type: 'benefit', title: 'system'},
    {_id: 'benefit-a', _type: 'benefit', title: 'A'},
    {_id: 'benefit-untitled', _type: 'benefit'},
    {_id: 'concern-c', _type: 'concern', title: 'C'},
    {_id: 'drafts.benefit-a', _type: 'benefit', title: 'A draft'},
    {_id: 'versions.r1.benefit-a', _type: 'benefit', title: 'A release'},
  ]
  it('keeps documentTypes AND filter, drafts and versions included, system documents never', async () => {
    const ids = async (opts: Parameters<typeof markSeen>[0]) =>
      (await selectDocuments(markSeen(opts), docs)).map((d) => d._id)
    expect(await ids({documentTypes: ['benefit'], filter: 'defined(title)'})).toEqual([
      'benefit-a',
      'drafts.benefit-a',
      'versions.r1.benefit-a',
    ])
    expect(await ids({})).toEqual(docs.slice(1).map((d) => d._id))
    expect(await ids({filter: 'title match "A*"'})).toEqual([
      'benefit-a',
      'drafts.benefit-a',
      'versions.r1.benefit-a',
    ])
  })

  it('refuses a filter that is not GROQ', async () => {
    await expect(selectDocuments(markSeen({filter: 'title =='}), docs, 'm1')).rejects.toThrow(
      /m1: bad GROQ filter/,
    )
  })
})

describe('exportArchive', () => {
  it('writes the `sanity dataset export` layout without system documents, readable by tar', () => {
    const {dir, cleanup} = tempDir('migrate-archive-')
    try {
      const file = join(dir, 'export.tar.gz')
      const docs = [
        {_id: '_.migrations.x', _type: 'migration.record'},
        {_id: 'a', _type: 't', text: 'é'.repeat(600)},
        {_id: 'drafts.a', _type: 't'},
      ]
      writeFileSync(
        file,
        exportArchive(docs, {name: 'production-export', now: new Date('2026-01-01T00:00:00Z')}),
      )
      expect(
        spawnSync('tar', ['tzf', file], {encoding: 'utf8'}).stdout.split('\n').filter(Boolean),
      ).toEqual(['production-export/data.ndjson', 'production-export/assets.json'])
      const data = spawnSync('tar', ['xzOf', file, 'production-export/data.ndjson'], {
        encoding: 'utf8',
      }).stdout
      expect(data).toBe(`${JSON.stringify(docs[1])}\n${JSON.stringify(docs[2])}\n`)
    } finally {
      cleanup()
    }
  })
})
