/** The SQLite layout of a dataset file. Bump SCHEMA_VERSION (PRAGMA user_version) on changes. */
import type {DatabaseSync} from 'node:sqlite'

export const SCHEMA_VERSION = 2

const DDL = `
CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  rev TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_type ON documents(type);

CREATE TABLE IF NOT EXISTS transactions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  timestamp TEXT NOT NULL,
  author TEXT,
  -- NULL for bulk imports: their mutations are one createOrReplace per effect, rebuilt from the
  -- revisions table on read, so a 100k-document import is not written twice.
  mutations TEXT,
  effects TEXT NOT NULL
);

-- One row per document version a transaction wrote. To keep bulk imports cheap, the current
-- version's json is NULL (it lives in documents.json); it is filled in when the document next
-- changes. deleted = 1 marks the transaction that deleted the document. (A rowid table: rows hold
-- whole documents, which WITHOUT ROWID handles ~1.6× slower.)
CREATE TABLE IF NOT EXISTS revisions (
  doc_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  rev TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  json TEXT,
  PRIMARY KEY (doc_id, seq)
);
CREATE INDEX IF NOT EXISTS revisions_rev ON revisions(doc_id, rev);

CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
`

/** Pragmas every connection needs, then the tables (idempotent). */
export function prepareDatabase(db: DatabaseSync, inMemory: boolean): void {
  // WAL lets readers in other processes proceed while one writer commits; NORMAL sync is
  // durable across process crashes, which is the failure that matters for a local tool.
  if (!inMemory) db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  const version = (db.prepare('PRAGMA user_version').get() as {user_version: number}).user_version
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `dataset schema version ${version} is newer than this code (${SCHEMA_VERSION}); update the project`,
    )
  }
  if (version < SCHEMA_VERSION) {
    db.exec('BEGIN IMMEDIATE')
    try {
      // Re-read under the write lock: another process may have just done this.
      const current = (db.prepare('PRAGMA user_version').get() as {user_version: number})
        .user_version
      if (current === 1) db.exec(MIGRATE_1_TO_2)
      db.exec(DDL)
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
      db.exec('COMMIT')
    } catch (e) {
      db.exec('ROLLBACK')
      throw e
    }
  }
}

/** v1 had revisions WITHOUT ROWID and (briefly) transactions.mutations NOT NULL: rebuild both. */
const MIGRATE_1_TO_2 = `
ALTER TABLE revisions RENAME TO revisions_v1;
DROP INDEX IF EXISTS revisions_rev;
ALTER TABLE transactions RENAME TO transactions_v1;
${DDL}
INSERT INTO revisions (doc_id, seq, rev, deleted, json) SELECT doc_id, seq, rev, deleted, json FROM revisions_v1;
INSERT INTO transactions (seq, id, timestamp, author, mutations, effects) SELECT seq, id, timestamp, author, mutations, effects FROM transactions_v1;
DROP TABLE revisions_v1;
DROP TABLE transactions_v1;
`
