import {DatabaseSync} from 'node:sqlite'
import {afterEach, describe, expect, it} from 'vitest'
import {SCHEMA_VERSION} from '../../scripts/store/schema.ts'
import {fixedOptions, testStore, type TestStore} from './setup.ts'

let store: TestStore | undefined
afterEach(() => store?.cleanup())

// The first layout (user_version 1), as early dataset files have it.
const V1 = `
CREATE TABLE documents (id TEXT PRIMARY KEY, type TEXT NOT NULL, rev TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX documents_type ON documents(type);
CREATE TABLE transactions (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, timestamp TEXT NOT NULL, author TEXT, mutations TEXT NOT NULL, effects TEXT NOT NULL);
CREATE TABLE revisions (doc_id TEXT NOT NULL, seq INTEGER NOT NULL, rev TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, json TEXT, PRIMARY KEY (doc_id, seq)) WITHOUT ROWID;
CREATE INDEX revisions_rev ON revisions(doc_id, rev);
CREATE TABLE meta (key TEXT PRIMARY KEY, json TEXT NOT NULL);
PRAGMA user_version = 1;
`

describe('dataset file schema', () => {
  it('upgrades a version-1 file in place, keeping documents, log and history', () => {
    store = testStore('schema-test-')
    // Write some history with the current code, then rebuild the file in the v1 layout.
    const ds = store.open(fixedOptions())
    ds.transaction([{create: {_id: 'a', _type: 'x', v: 1}}])
    ds.transaction([{patch: {id: 'a', set: {v: 2}}}])
    ds.close()
    const db = new DatabaseSync(store.path)
    const dump = {
      documents: db.prepare('SELECT * FROM documents').all(),
      transactions: db.prepare('SELECT * FROM transactions').all(),
      revisions: db.prepare('SELECT * FROM revisions').all(),
    }
    db.exec('DROP TABLE documents; DROP TABLE transactions; DROP TABLE revisions; DROP TABLE meta;')
    db.exec(V1)
    for (const [table, rows] of Object.entries(dump)) {
      for (const row of rows) {
        const cols = Object.keys(row)
        db.prepare(
          `INSERT INTO ${table} (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`,
        ).run(...(Object.values(row) as never[]))
      }
    }
    db.close()

    const upgraded = store.open(fixedOptions('2025-02-01T00:00:00.000Z'))
    expect(upgraded.get('a')).toMatchObject({v: 2, _rev: 'rev2'})
    expect(upgraded.documentAtRevision('a', 'rev1')?.v).toBe(1)
    expect(upgraded.transactionsSince(0).map((t) => t.seq)).toEqual([1, 2])
    // Bulk imports log NULL mutations, which v1 did not allow.
    upgraded.importDocuments([{_id: 'b', _type: 'x'}], {transactionId: 'after-upgrade'})
    expect(upgraded.lastSeq()).toBe(3)
    upgraded.close()
    const check = new DatabaseSync(store.path)
    expect(
      (check.prepare('PRAGMA user_version').get() as {user_version: number}).user_version,
    ).toBe(SCHEMA_VERSION)
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%_v1%'").all()).toEqual(
      [],
    )
    check.close()
  })
})
