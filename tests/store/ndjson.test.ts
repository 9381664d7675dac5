import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {InputError} from '../../scripts/lib/errors.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportNdjson, importNdjson, parseNdjson} from '../../scripts/store/ndjson.ts'
import {fixedOptions, testStore, type TestStore} from './setup.ts'

let store: TestStore
let ds: Dataset

beforeEach(() => {
  store = testStore('ndjson-test-')
  ds = store.open(fixedOptions())
})
afterEach(() => store.cleanup())

function thrownInputError(fn: () => unknown): InputError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    return e as InputError
  }
  throw new Error('expected an InputError')
}

/** What `sanity dataset export` writes: system fields on every line, sorted by _id. */
const EXPORT_FILE = [
  {
    _createdAt: '2024-05-01T10:00:00Z',
    _id: 'benefit-1',
    _rev: 'r1',
    _type: 'benefit',
    _updatedAt: '2024-05-02T10:00:00Z',
    title: 'Collagen',
    concerns: [{_key: 'k', _ref: 'concern-1', _type: 'reference'}],
  },
  {
    _createdAt: '2024-05-01T10:00:00Z',
    _id: 'concern-1',
    _rev: 'r2',
    _type: 'concern',
    _updatedAt: '2024-05-01T10:00:00Z',
    title: 'Wrinkles ✨ "quoted"',
  },
  {
    _createdAt: '2024-05-03T10:00:00Z',
    _id: 'drafts.benefit-1',
    _rev: 'r3',
    _type: 'benefit',
    _updatedAt: '2024-05-03T10:00:00Z',
    title: 'Collagen (draft)',
  },
]
  .map((d) => JSON.stringify(d))
  .join('\n')
  .concat('\n')

describe('parseNdjson', () => {
  it('parses one document per line, skipping blank lines and CRLF endings', () => {
    const docs = parseNdjson(
      '{"_id":"a","_type":"x"}\r\n\n  \n{"_id":"b","_type":"y","n":1}',
      'in.ndjson',
    )
    expect(docs).toEqual([
      {_id: 'a', _type: 'x'},
      {_id: 'b', _type: 'y', n: 1},
    ])
    expect(parseNdjson('', 'empty.ndjson')).toEqual([])
  })

  it('reports every bad line at once with file and line numbers', () => {
    const text = [
      '{"_id":"a","_type":"x"}', // 1 ok
      '{"_id":"b","_type":', // 2 malformed
      '{"_type":"x"}', // 3 missing _id
      '{"_id":"c"}', // 4 missing _type
      '{"_id":"a","_type":"x"}', // 5 duplicate of line 1
      '[1,2]', // 6 not an object
      '{"_id":"bad id","_type":"x"}', // 7 invalid id
    ].join('\n')
    const e = thrownInputError(() => parseNdjson(text, 'data/in.ndjson'))
    expect(e.problems.map((p) => [p.line, p.message.split(/[:(]/)[0]!.trim()])).toEqual([
      [2, 'not valid JSON'],
      [3, 'missing _id'],
      [4, 'missing _type'],
      [5, 'duplicate _id "a"'],
      [6, 'expected a JSON object'],
      [7, 'invalid _id "bad id"'],
    ])
    expect(e.problems.every((p) => p.file === 'data/in.ndjson' && p.level === 'error')).toBe(true)
    expect(e.problems[3]?.message).toContain('first on line 1')
    expect(e.message).toContain('line 2')
  })
})

describe('importNdjson / exportNdjson', () => {
  it('round-trips a `sanity dataset export` file byte for byte, keeping system fields', () => {
    expect(importNdjson(ds, EXPORT_FILE, {file: 'export.ndjson'})).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
    })
    expect(ds.get('benefit-1')).toMatchObject({
      _rev: 'r1',
      _createdAt: '2024-05-01T10:00:00Z',
      _updatedAt: '2024-05-02T10:00:00Z',
    })
    expect(exportNdjson(ds)).toBe(EXPORT_FILE)

    // …and again through a second dataset.
    const ds2 = Dataset.open(join(store.dir, 'copy.sqlite'))
    importNdjson(ds2, exportNdjson(ds), {file: 'again.ndjson'})
    expect(exportNdjson(ds2)).toBe(EXPORT_FILE)
    ds2.close()
  })

  it('a re-run writes nothing', () => {
    importNdjson(ds, EXPORT_FILE, {file: 'export.ndjson'})
    const seq = ds.lastSeq()
    expect(importNdjson(ds, EXPORT_FILE, {file: 'export.ndjson'})).toEqual({
      created: 0,
      updated: 0,
      unchanged: 3,
    })
    expect(ds.lastSeq()).toBe(seq)
  })

  it('documents without system fields get them from the import transaction', () => {
    const text = '{"_id":"b","_type":"x","v":1}\n{"_id":"a","_type":"x","v":2}\n'
    expect(importNdjson(ds, text, {file: 'plain.ndjson'})).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
    })
    expect(ds.get('a')).toEqual({
      _id: 'a',
      _type: 'x',
      _rev: 'rev1',
      _createdAt: '2025-01-01T00:00:00.000Z',
      _updatedAt: '2025-01-01T00:00:00.000Z',
      v: 2,
    })
    expect(ds.transactionById('rev1')).toMatchObject({
      author: 'import:plain.ndjson',
      effects: [{id: 'b'}, {id: 'a'}],
    })
    // The log of a bulk import is rebuilt from history: one createOrReplace per written document.
    expect(ds.transactionsSince(0)[0]?.mutations).toEqual([
      {createOrReplace: ds.get('b')},
      {createOrReplace: ds.get('a')},
    ])
    // Same content again: unchanged, nothing written, revisions stay.
    expect(importNdjson(ds, text, {file: 'plain.ndjson'})).toEqual({
      created: 0,
      updated: 0,
      unchanged: 2,
    })
    expect(ds.get('a')?._rev).toBe('rev1')
    expect(
      exportNdjson(ds)
        .split('\n')
        .map((l) => l && JSON.parse(l)._id),
    ).toEqual(['a', 'b', ''])
  })

  it('changed documents are conflicts unless replace is set', () => {
    importNdjson(ds, '{"_id":"a","_type":"x","v":1}\n{"_id":"b","_type":"x","v":1}\n', {
      file: 'one.ndjson',
    })
    const changed =
      '{"_id":"a","_type":"x","v":1}\n{"_id":"new","_type":"x"}\n{"_id":"b","_type":"x","v":2}\n'
    const e = thrownInputError(() => importNdjson(ds, changed, {file: 'two.ndjson'}))
    expect(e.problems).toEqual([
      expect.objectContaining({file: 'two.ndjson', line: 3, documentId: 'b', level: 'error'}),
    ])
    expect(ds.get('new')).toBeUndefined()
    expect(ds.get('b')?.v).toBe(1)

    expect(importNdjson(ds, changed, {file: 'two.ndjson', replace: true})).toEqual({
      created: 1,
      updated: 1,
      unchanged: 1,
    })
    // (The refused import used up rev2.)
    expect(ds.get('b')).toMatchObject({
      v: 2,
      _rev: 'rev3',
      _createdAt: '2025-01-01T00:00:00.000Z',
      _updatedAt: '2025-01-01T00:00:02.000Z',
    })
    expect(ds.history('b').map((h) => h.rev)).toEqual(['rev1', 'rev3'])
    expect(ds.documentAtRevision('b', 'rev1')?.v).toBe(1)
  })

  it('writes nothing when any line is bad', () => {
    const e = thrownInputError(() =>
      importNdjson(ds, '{"_id":"a","_type":"x"}\nnot json\n', {file: 'bad.ndjson'}),
    )
    expect(e.problems).toHaveLength(1)
    expect(e.problems[0]).toMatchObject({file: 'bad.ndjson', line: 2})
    expect(ds.count()).toBe(0)
    expect(ds.lastSeq()).toBe(0)
  })

  it('exports an empty dataset as an empty string', () => {
    expect(exportNdjson(ds)).toBe('')
  })

  it('export is sorted by _id and newline-terminated', () => {
    ds.transaction([
      {create: {_id: 'z', _type: 't'}},
      {create: {_id: 'B', _type: 't'}},
      {create: {_id: 'drafts.a', _type: 't'}},
      {create: {_id: 'a', _type: 't'}},
    ])
    const out = exportNdjson(ds)
    expect(out.endsWith('}\n')).toBe(true)
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)._id),
    ).toEqual(['B', 'a', 'drafts.a', 'z'])
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(ds.documents())
  })
})
