/**
 * The export cache: what the last export of one output folder knew, so the next one can redo only
 * what changed. One SQLite file per output folder, next to the dataset (never in the output, never
 * in git): which options and code produced it, which dataset transaction it reflects, every
 * page's ordering keys, dates and warnings, who references whom, and the layout of the two big
 * list files (app bundle, manifest).
 */
import {DatabaseSync, type StatementSync} from 'node:sqlite'
import type {Problem} from '../../lib/errors.ts'
import {privateSqliteFile} from '../../lib/private.ts'
import type {PageType} from '../types.ts'
import type {ListLayout} from './splice.ts'

/** Bytes of the cache file read through a memory map. */
const CACHE_MMAP_BYTES = 1 << 30

/** Bump when the cache's meaning changes: older caches are then ignored (full export). */
export const CACHE_VERSION = 4

/** One page as the cache keeps it (everything aggregate files and ordering need). */
export interface PageRow {
  id: string
  type: PageType
  /** Place of the type in PAGE_TYPES. */
  typeRank: number
  /** Position in the first article listing it; null for none. */
  position: number | null
  slug: string
  /** The document's slug.current as the query ordered it (warnings are listed in that order). */
  rawSlug: string
  file: string
  datePublished: string
  dateModified: string
  /** Newest of the page's own dates before any fallback to the export date; '' when none. */
  newest: string
  /** No date of its own: dated with the export date, so it changes when that does. */
  undated: boolean
  /** Reviewed and current on the export's review date (what `reviewedOnly` partners get). */
  reviewed: boolean
  /** The review's date when it has a reviewer: whether it is current depends on the review date. */
  reviewedOn: string | null
  reviewer: string | null
  problems: Problem[]
}

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  type_rank INTEGER NOT NULL,
  position INTEGER,
  slug TEXT NOT NULL,
  raw_slug TEXT NOT NULL,
  file TEXT NOT NULL,
  date_published TEXT NOT NULL,
  date_modified TEXT NOT NULL,
  newest TEXT NOT NULL,
  undated INTEGER NOT NULL,
  reviewed INTEGER NOT NULL,
  reviewed_on TEXT,
  reviewer TEXT,
  problems TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pages_published ON pages(date_published);
CREATE INDEX IF NOT EXISTS pages_newest ON pages(newest);
CREATE INDEX IF NOT EXISTS pages_slug ON pages(type, slug);
CREATE INDEX IF NOT EXISTS pages_reviewer ON pages(reviewer) WHERE reviewer IS NOT NULL;
CREATE INDEX IF NOT EXISTS pages_reviewed_on ON pages(reviewed_on) WHERE reviewed_on IS NOT NULL;
CREATE TABLE IF NOT EXISTS refs (dst TEXT PRIMARY KEY, srcs TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS layouts (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
`

type PageSqlRow = {
  id: string
  type: string
  type_rank: number
  position: number | null
  slug: string
  raw_slug: string
  file: string
  date_published: string
  date_modified: string
  newest: string
  undated: number
  reviewed: number
  reviewed_on: string | null
  reviewer: string | null
  problems: string | null
}

const fromSql = (r: PageSqlRow): PageRow => ({
  id: r.id,
  type: r.type as PageType,
  typeRank: r.type_rank,
  position: r.position,
  slug: r.slug,
  rawSlug: r.raw_slug,
  file: r.file,
  datePublished: r.date_published,
  dateModified: r.date_modified,
  newest: r.newest,
  undated: r.undated === 1,
  reviewed: r.reviewed === 1,
  reviewedOn: r.reviewed_on,
  reviewer: r.reviewer,
  problems: r.problems ? (JSON.parse(r.problems) as Problem[]) : [],
})

export class ExportCache {
  readonly path: string
  private readonly db: DatabaseSync
  private readonly s: Record<
    | 'getMeta'
    | 'setMeta'
    | 'getPage'
    | 'putPage'
    | 'deletePage'
    | 'getRefs'
    | 'putRefs'
    | 'deleteRefs'
    | 'getLayout'
    | 'putLayout',
    StatementSync
  >

  private constructor(path: string) {
    this.path = path
    privateSqliteFile(path)
    this.db = new DatabaseSync(path, {timeout: 30_000})
    // Reads through a memory map: at 100k pages the layouts are megabytes, read in a few ms this
    // way instead of tens (a read() per overflow page).
    this.db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA mmap_size = ${CACHE_MMAP_BYTES};`,
    )
    // A cache written by another version of this file's tables is started afresh (the export
    // fingerprint already makes its contents unusable; its tables may not even fit).
    const {user_version: version} = this.db.prepare('PRAGMA user_version').get() as {
      user_version: number
    }
    if (version !== CACHE_VERSION)
      this.db.exec(
        `DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS pages; DROP TABLE IF EXISTS refs; DROP TABLE IF EXISTS layouts; PRAGMA user_version = ${CACHE_VERSION};`,
      )
    this.db.exec(DDL)
    const p = (sql: string) => this.db.prepare(sql)
    this.s = {
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      getPage: p('SELECT * FROM pages WHERE id = ?'),
      putPage: p(
        'INSERT OR REPLACE INTO pages (id, type, type_rank, position, slug, raw_slug, file, date_published, date_modified, newest, undated, reviewed, reviewed_on, reviewer, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deletePage: p('DELETE FROM pages WHERE id = ?'),
      getRefs: p('SELECT srcs FROM refs WHERE dst = ?'),
      putRefs: p('INSERT OR REPLACE INTO refs (dst, srcs) VALUES (?, ?)'),
      deleteRefs: p('DELETE FROM refs WHERE dst = ?'),
      getLayout: p('SELECT data FROM layouts WHERE name = ?'),
      putLayout: p('INSERT OR REPLACE INTO layouts (name, data) VALUES (?, ?)'),
    }
  }

  static open(path: string): ExportCache {
    return new ExportCache(path)
  }

  meta(key: string): string | undefined {
    return (this.s.getMeta.get(key) as {value: string} | undefined)?.value
  }

  setMeta(key: string, value: string): void {
    this.s.setMeta.run(key, value)
  }

  page(id: string): PageRow | undefined {
    const row = this.s.getPage.get(id) as PageSqlRow | undefined
    return row && fromSql(row)
  }

  putPage(p: PageRow): void {
    this.s.putPage.run(
      p.id,
      p.type,
      p.typeRank,
      p.position,
      p.slug,
      p.rawSlug,
      p.file,
      p.datePublished,
      p.dateModified,
      p.newest,
      p.undated ? 1 : 0,
      p.reviewed ? 1 : 0,
      p.reviewedOn,
      p.reviewer,
      p.problems.length ? JSON.stringify(p.problems) : null,
    )
  }

  deletePage(id: string): void {
    this.s.deletePage.run(id)
  }

  /**
   * Pages (as rows) matching a WHERE clause over the pages table's columns; `index` (one of the
   * table's indexes, `pages_…`) makes SQLite use that index.
   */
  pagesWhere(
    where: string,
    params: ReadonlyArray<string | number | null> = [],
    opts: {index?: 'pages_published' | 'pages_newest' | 'pages_slug' | 'pages_reviewer'} = {},
  ): PageRow[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM pages${opts.index ? ` INDEXED BY ${opts.index}` : ''} WHERE ${where}`,
        )
        .all(...params) as unknown as PageSqlRow[]
    ).map(fromSql)
  }

  /** The first column of every row of a query (ids, dates…): no row objects, no JSON parsing. */
  column<T>(sql: string, ...params: Array<string | number | null>): T[] {
    const stmt = this.db.prepare(sql)
    stmt.setReturnArrays(true)
    return (stmt.all(...params) as unknown as T[][]).map((r) => r[0]!)
  }

  /** One value per page, for aggregate questions (newest date, counts…). */
  scalar<T>(sql: string, ...params: Array<string | number | null>): T | undefined {
    const row = this.db.prepare(sql).get(...params) as Record<string, T> | undefined
    return row ? Object.values(row)[0] : undefined
  }

  referrers(id: string): string[] {
    const row = this.s.getRefs.get(id) as {srcs: string} | undefined
    return row ? (JSON.parse(row.srcs) as string[]) : []
  }

  putReferrers(id: string, srcs: readonly string[]): void {
    if (srcs.length === 0) this.s.deleteRefs.run(id)
    else this.s.putRefs.run(id, JSON.stringify(srcs))
  }

  /**
   * A list file's layout (splice.ts), kept as two rows: its keys, which change only when entries
   * come or go, and their byte lengths. Empty when none was stored. Both are stored as bytes: the
   * keys' text in UTF-8, the lengths as 32-bit integers in the machine's byte order (a cache never
   * leaves its machine), read in a few ms at 100k entries.
   */
  layout(name: string): ListLayout {
    const row = (part: string) =>
      (this.s.getLayout.get(`${name}:${part}`) as {data: Uint8Array} | undefined)?.data
    const keys = row('keys')
    const lengths = row('lengths')
    return {
      keys: keys ? Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength).toString('utf8') : '',
      // Copied: a 32-bit view needs an aligned buffer.
      lengths: lengths
        ? new Uint32Array(
            lengths.buffer.slice(lengths.byteOffset, lengths.byteOffset + lengths.byteLength),
          )
        : new Uint32Array(0),
    }
  }

  /**
   * Store a layout. With the layout stored before (`old`), a part that is the same is not written
   * again (after a one-document edit at 100k pages, the manifest's 100k paths, ~5 MB, usually are
   * the same).
   */
  putLayout(name: string, layout: ListLayout, old?: ListLayout): void {
    const lengths = Buffer.from(
      layout.lengths.buffer,
      layout.lengths.byteOffset,
      layout.lengths.byteLength,
    )
    if (!old || old.keys !== layout.keys)
      this.s.putLayout.run(`${name}:keys`, Buffer.from(layout.keys))
    if (
      !old ||
      !lengths.equals(
        Buffer.from(old.lengths.buffer, old.lengths.byteOffset, old.lengths.byteLength),
      )
    )
      this.s.putLayout.run(`${name}:lengths`, lengths)
  }

  /** Forget everything (a full export rewrites the cache from scratch). */
  clear(): void {
    this.db.exec('DELETE FROM meta; DELETE FROM pages; DELETE FROM refs; DELETE FROM layouts;')
  }

  /**
   * Replace every page and reference in one go (a full export). Rows go in key order and the
   * secondary indexes are built once at the end: at 100k pages several times faster than
   * inserting into four B-trees row by row.
   */
  replaceAll<P extends {id: string}>(
    pages: readonly P[],
    row: (page: P) => PageRow,
    referrers: Map<string, string[]>,
  ): void {
    this.replaceAllInSteps(pages, row, referrers).finish()
  }

  /**
   * replaceAll a slice at a time: each `step()` writes up to `rows` rows and says whether any
   * were left to write; `finish()` writes the rest and builds the indexes. The full export runs
   * steps whenever the writer thread has all the pages it can take (full.ts).
   */
  replaceAllInSteps<P extends {id: string}>(
    pages: readonly P[],
    row: (page: P) => PageRow,
    referrers: Map<string, string[]>,
    rows = 2000,
  ): {step(): boolean; finish(): void} {
    this.db.exec(
      'DROP INDEX IF EXISTS pages_published; DROP INDEX IF EXISTS pages_newest; DROP INDEX IF EXISTS pages_slug; DROP INDEX IF EXISTS pages_reviewer; DROP INDEX IF EXISTS pages_reviewed_on;',
    )
    this.clear()
    const sorted = [...pages].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const dsts = [...referrers.keys()].sort()
    let page = 0
    let dst = 0
    const step = (): boolean => {
      if (page === sorted.length && dst === dsts.length) return false
      for (let n = 0; n < rows && page < sorted.length; n++) this.putPage(row(sorted[page++]!))
      for (let n = 0; n < rows && page === sorted.length && dst < dsts.length; n++)
        this.putReferrers(dsts[dst]!, referrers.get(dsts[dst++]!)!)
      return true
    }
    return {
      step,
      finish: () => {
        while (step()) {
          // the rest
        }
        this.db.exec(DDL)
      },
    }
  }

  /** Run `fn` in one transaction: the cache changes completely or not at all. */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const result = fn()
      this.db.exec('COMMIT')
      return result
    } catch (e) {
      this.db.exec('ROLLBACK')
      throw e
    }
  }

  /** A transaction the caller ends: `commit()` or `rollback()` (work spread over awaits). */
  begin(): {commit(): void; rollback(): void} {
    this.db.exec('BEGIN IMMEDIATE')
    let open = true
    return {
      commit: () => {
        if (open) this.db.exec('COMMIT')
        open = false
      },
      rollback: () => {
        if (open && this.db.isTransaction) this.db.exec('ROLLBACK')
        open = false
      },
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close()
  }
}
