/**
 * `_type`, `slug.current` and `title` of a dataset's published documents, read by SQLite out of
 * the stored JSON (no document is parsed): enough to know which pages an export will have before
 * it reads anything else. A module of its own so that the export's writer thread can list them
 * from a dataset file (feeds/treeWriterWorker.ts) without loading the store (dataset.ts brings
 * the mutation and GROQ code: 130–300 ms of start-up for a thread that only writes files).
 */
import type {DatabaseSync} from 'node:sqlite'

export type SlugAndTitle = [type: string, slug: unknown, title: unknown, id: string]

/** The published documents of these types, over an open connection (Dataset.slugsAndTitles). */
export function slugsAndTitles(db: DatabaseSync, types: readonly string[]): SlugAndTitle[] {
  const stmt = db.prepare(
    `SELECT type, json_extract(json, '$.slug.current'), json_extract(json, '$.title'), id FROM documents
     WHERE type IN (SELECT value FROM json_each(?)) AND substr(id, 1, 7) != 'drafts.' AND substr(id, 1, 9) != 'versions.'`,
  )
  stmt.setReturnArrays(true)
  return stmt.all(JSON.stringify(types)) as unknown as SlugAndTitle[]
}

/**
 * The same from a dataset file, on a read-only connection of its own, closed before this returns.
 * The file must exist and have its tables (a process that opened it as a Dataset made them).
 */
export function slugsAndTitlesOfFile(path: string, types: readonly string[]): SlugAndTitle[] {
  // node:sqlite is taken here, not imported: the writer thread loads it only when asked to list
  // a dataset file's pages (an export from the API or from memory sends the paths instead).
  const {DatabaseSync} = process.getBuiltinModule('node:sqlite')
  // The busy timeout of Dataset.open: a reader waits out another connection's WAL recovery.
  const db = new DatabaseSync(path, {readOnly: true, timeout: 30_000})
  try {
    return slugsAndTitles(db, types)
  } finally {
    db.close()
  }
}
