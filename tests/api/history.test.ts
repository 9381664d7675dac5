import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {documentGroupEvents} from '../../scripts/api/documentEvents.ts'
import {documentAt, documentTransactions, transactionsTouching} from '../../scripts/api/history.ts'
import {Dataset} from '../../scripts/store/dataset.ts'

let ds: Dataset
let n = 0
beforeEach(() => {
  n = 0
  ds = Dataset.open(':memory:', {now: () => new Date(Date.UTC(2025, 0, 1, 0, n++))})
  // The life of one document group: imported, edited as a draft, published, unpublished, deleted.
  ds.transaction([{create: {_id: 'c1', _type: 'concern', title: 'Imported'}}], {
    transactionId: 'import',
    author: 'importer',
  })
  ds.transaction([{create: {_id: 'drafts.c1', _type: 'concern', title: 'Draft 1'}}], {
    transactionId: 'draft-1',
    author: 'p-local-editor',
  })
  ds.transaction([{patch: {id: 'drafts.c1', set: {title: 'Draft 2'}}}], {
    transactionId: 'draft-2',
    author: 'p-local-editor',
  })
  ds.transaction(
    [
      {createOrReplace: {_id: 'c1', _type: 'concern', title: 'Draft 2'}},
      {delete: {id: 'drafts.c1'}},
    ],
    {transactionId: 'publish', author: 'p-local-editor'},
  )
  ds.transaction([{patch: {id: 'c1', set: {title: 'By a script'}}}], {
    transactionId: 'script',
    author: 'cli',
  })
  ds.transaction(
    [{create: {_id: 'drafts.c1', _type: 'concern', title: 'By a script'}}, {delete: {id: 'c1'}}],
    {transactionId: 'unpublish', author: 'p-local-editor'},
  )
  ds.transaction([{delete: {id: 'drafts.c1'}}], {
    transactionId: 'discard',
    author: 'p-local-editor',
  })
})
afterEach(() => ds.close())

const group = () =>
  transactionsTouching(ds, ['c1', 'drafts.c1']).map((t) => ({
    id: t.transactionId,
    timestamp: t.timestamp,
    effects: t.effects,
    ...(t.author ? {author: t.author} : {}),
  }))

describe('document group events', () => {
  it('turn the log into the Studio’s history events, newest first', () => {
    const events = documentGroupEvents(group(), 'c1')
    expect(events.map((e) => e.type)).toEqual([
      'deleteDocumentVersion',
      'unpublishDocument',
      'updateLiveDocument',
      'publishDocumentVersion',
      'createDocumentVersion',
      'createLiveDocument',
    ])
    expect(events.find((e) => e.type === 'publishDocumentVersion')).toEqual({
      type: 'publishDocumentVersion',
      id: '',
      timestamp: '2025-01-01T00:03:00.000Z',
      author: 'p-local-editor',
      documentId: 'c1',
      revisionId: 'publish',
      versionId: 'drafts.c1',
      versionRevisionId: 'draft-2',
      publishCause: 'document.publish',
    })
    expect(events.find((e) => e.type === 'createDocumentVersion')).toMatchObject({
      versionId: 'drafts.c1',
      versionRevisionId: 'draft-1',
    })
    expect(events.at(-1)).toMatchObject({
      type: 'createLiveDocument',
      revisionId: 'import',
      author: 'importer',
    })
  })

  it('deleting published and draft together is a deleteDocumentGroup', () => {
    ds.transaction(
      [{create: {_id: 'c2', _type: 'concern'}}, {create: {_id: 'drafts.c2', _type: 'concern'}}],
      {transactionId: 'both'},
    )
    ds.transaction([{delete: {id: 'c2'}}, {delete: {id: 'drafts.c2'}}], {transactionId: 'gone'})
    const txs = transactionsTouching(ds, ['c2', 'drafts.c2']).map((t) => ({
      id: t.transactionId,
      timestamp: t.timestamp,
      effects: t.effects,
    }))
    expect(documentGroupEvents(txs, 'c2').map((e) => e.type)).toEqual([
      'deleteDocumentGroup',
      'createDocumentVersion',
    ])
  })
})

describe('history transactions and revisions', () => {
  it('lists transactions in log order with ranges, limits and reverse', () => {
    const ids = (q = {}) => documentTransactions(ds, ['drafts.c1'], q).map((t) => t.id)
    expect(ids()).toEqual(['draft-1', 'draft-2', 'publish', 'unpublish', 'discard'])
    expect(ids({fromTransaction: 'draft-2', toTransaction: 'unpublish'})).toEqual([
      'draft-2',
      'publish',
      'unpublish',
    ])
    expect(ids({reverse: true, limit: 2})).toEqual(['discard', 'unpublish'])
    const [publish] = documentTransactions(ds, ['drafts.c1'], {
      fromTransaction: 'publish',
      limit: 1,
      effectFormat: 'mendoza',
      includeIdentifiedDocumentsOnly: true,
    })
    expect(publish).toMatchObject({
      id: 'publish',
      author: 'p-local-editor',
      documentIDs: ['drafts.c1'],
    })
    expect(publish!.effects!['drafts.c1']).toEqual({
      apply: [0, null],
      revert: [0, expect.objectContaining({title: 'Draft 2'})],
    })
    expect(publish!.mutations).toHaveLength(2)
  })

  it('returns a document as a revision, a point in the log or a time left it', () => {
    expect(documentAt(ds, 'c1', {revision: 'import'})!.title).toBe('Imported')
    expect(documentAt(ds, 'c1', {revision: 'draft-2'})!.title).toBe('Imported')
    expect(documentAt(ds, 'c1', {time: '2025-01-01T00:04:30.000Z'})!.title).toBe('By a script')
    expect(documentAt(ds, 'c1', {revision: 'discard'})).toBeUndefined()
    expect(documentAt(ds, 'c1', {revision: 'no-such-transaction'})).toBeUndefined()
    expect(documentAt(ds, 'c1', {})).toBeUndefined()
  })

  it('a draft that did not exist yet stands for the published document', () => {
    expect(documentAt(ds, 'drafts.c1', {revision: 'import'})).toMatchObject({
      _id: 'c1',
      title: 'Imported',
    })
    expect(documentAt(ds, 'drafts.c1', {revision: 'draft-2'})).toMatchObject({
      _id: 'drafts.c1',
      title: 'Draft 2',
    })
    expect(documentAt(ds, 'drafts.c1', {revision: 'publish'})).toMatchObject({
      _id: 'c1',
      title: 'Draft 2',
    })
  })
})
