/**
 * The embedded dataset: Sanity documents in one SQLite file (node:sqlite), written only through
 * atomic transactions of `/data/mutate`-style mutations, with a transaction log and per-document
 * history. Several processes may open the same file: WAL lets them read while one writes, and
 * the busy timeout makes a second writer wait for the lock instead of failing.
 */
import {dirname, resolve} from 'node:path'
import {DatabaseSync, type StatementSync} from 'node:sqlite'
import {MutationError, RevisionConflictError} from '../lib/errors.ts'
import {DEFAULT_DATA_DIR} from '../lib/paths.ts'
import {privateSqliteFile} from '../lib/private.ts'
import {MutationBatch, sameContent, withoutSystemFields} from './apply.ts'
import {idProblem, randomId, randomRevision} from './ids.ts'
import {MAX_DEPTH, MAX_DOCUMENT_BYTES, nestsDeeperThan} from './limits.ts'
import {prepareDatabase} from './schema.ts'
import {slugsAndTitles, type SlugAndTitle} from './slugsAndTitles.ts'
import type {
  DocumentEffect,
  DocumentInput,
  HistoryEntry,
  LoggedTransaction,
  Mutation,
  StoredDocument,
  TransactionOptions,
  TransactionResult,
} from './types.ts'

export interface DatasetOptions {
  now?: () => Date
  newRevision?: () => string
  /** Ids for `create` mutations without `_id` (default: random UUID). */
  newId?: () => string
  /** How long a writer waits for another process's write lock, in ms (default 30 s). */
  busyTimeoutMs?: number
}

/** Bytes of the file read through a memory map (see Dataset.mapForReads). */
export const RANDOM_READ_MMAP_BYTES = 1 << 30

/** Options of the bulk write path behind NDJSON import. */
export interface BulkImportOptions {
  /** Overwrite documents that exist with different content (otherwise they are conflicts). */
  replace?: boolean
  author?: string
  transactionId?: string
}

export interface BulkImportResult {
  created: number
  updated: number
  unchanged: number
  /** Ids that exist with different content when `replace` is off; nothing was written then. */
  conflicts: string[]
  /** Undefined when nothing was written. */
  transaction?: {transactionId: string; seq: number; timestamp: string}
}

/**
 * What `Dataset.mirror` writes: documents exactly as another dataset stores them (system fields
 * included) and ids it deleted.
 */
export interface MirrorBatch {
  put?: readonly StoredDocument[]
  delete?: readonly string[]
}

export interface MirrorOptions {
  /** The source's transaction id: a transaction already in the log is not applied twice. */
  transactionId?: string
  /** The source's commit time, for the log (default: now). */
  timestamp?: string
  author?: string
  /** Meta entries (a resume position) written in the same SQLite transaction: all or nothing. */
  meta?: Record<string, unknown>
}

export interface MirrorResult {
  written: number
  deleted: number
  unchanged: number
  /** The transaction id was already in the log: nothing was written, meta included. */
  alreadyApplied: boolean
  /** Undefined when no document changed. */
  transaction?: {transactionId: string; seq: number; timestamp: string}
}

/** One document's change inside a commit: what the log, history and documents table need. */
interface Change {
  id: string
  operation: DocumentEffect['operation']
  previousRev: string | undefined
  after: StoredDocument | undefined
  afterJson: string | undefined
}

interface DocRow {
  json: string
}
interface ExistingRow {
  id: string
  rev: string
  created_at: string
  updated_at: string
  json: string
}
interface TxRow {
  seq: number
  id: string
  timestamp: string
  author: string | null
  mutations: string | null
  effects: string
}

export class Dataset {
  readonly path: string
  private readonly db: DatabaseSync
  private readonly now: () => Date
  private readonly newRevision: () => string
  private readonly newId: () => string
  private readonly s: Record<
    | 'get'
    | 'getMany'
    | 'rev'
    | 'count'
    | 'countType'
    | 'all'
    | 'allTypes'
    | 'page'
    | 'pageTypes'
    | 'lastSeq'
    | 'txSince'
    | 'txById'
    | 'txExists'
    | 'insertTx'
    | 'upsertDoc'
    | 'deleteDoc'
    | 'fillRevision'
    | 'insertRevision'
    | 'revision'
    | 'history'
    | 'getMeta'
    | 'setMeta'
    | 'existingRows'
    | 'effectsSince'
    | 'txAtSeq'
    | 'revisionAsOf',
    StatementSync
  >

  private constructor(path: string, opts: DatasetOptions) {
    this.path = path
    this.now = opts.now ?? (() => new Date())
    this.newRevision = opts.newRevision ?? randomRevision
    this.newId = opts.newId ?? randomId
    const inMemory = path === ':memory:'
    if (!inMemory) privateSqliteFile(path, {ownedDir: resolve(dirname(path)) === DEFAULT_DATA_DIR})
    this.db = new DatabaseSync(path, {timeout: opts.busyTimeoutMs ?? 30_000})
    try {
      prepareDatabase(this.db, inMemory)
    } catch (e) {
      this.db.close()
      throw e
    }
    const p = (sql: string) => this.db.prepare(sql)
    const idsJson = 'SELECT value FROM json_each(?)'
    this.s = {
      get: p('SELECT json FROM documents WHERE id = ?'),
      getMany: p(`SELECT json FROM documents WHERE id IN (${idsJson})`),
      rev: p('SELECT rev FROM documents WHERE id = ?'),
      count: p('SELECT count(*) AS n FROM documents'),
      countType: p('SELECT count(*) AS n FROM documents WHERE type = ?'),
      all: p('SELECT json FROM documents ORDER BY id'),
      allTypes: p(`SELECT json FROM documents WHERE type IN (${idsJson}) ORDER BY id`),
      page: p('SELECT id, json FROM documents WHERE id > ? ORDER BY id LIMIT ?'),
      pageTypes: p(
        `SELECT id, json FROM documents WHERE id > ? AND type IN (${idsJson}) ORDER BY id LIMIT ?`,
      ),
      lastSeq: p('SELECT coalesce(max(seq), 0) AS seq FROM transactions'),
      txSince: p('SELECT * FROM transactions WHERE seq > ? ORDER BY seq LIMIT ?'),
      txById: p('SELECT * FROM transactions WHERE id = ?'),
      txExists: p('SELECT 1 AS x FROM transactions WHERE id = ?'),
      insertTx: p(
        'INSERT INTO transactions (id, timestamp, author, mutations, effects) VALUES (?, ?, ?, ?, ?)',
      ),
      upsertDoc: p(
        'INSERT OR REPLACE INTO documents (id, type, rev, created_at, updated_at, json) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      deleteDoc: p('DELETE FROM documents WHERE id = ?'),
      // Before a document changes, its current version's json moves into its history row.
      fillRevision: p(
        'UPDATE revisions SET json = (SELECT json FROM documents WHERE id = ?1) WHERE doc_id = ?1 AND json IS NULL AND deleted = 0',
      ),
      insertRevision: p(
        'INSERT INTO revisions (doc_id, seq, rev, deleted, json) VALUES (?, ?, ?, ?, NULL)',
      ),
      revision: p(
        'SELECT json, deleted FROM revisions WHERE doc_id = ? AND rev = ? ORDER BY seq DESC LIMIT 1',
      ),
      history: p(
        `SELECT r.rev, r.deleted, t.id AS transactionId, t.timestamp, t.author
         FROM revisions r JOIN transactions t ON t.seq = r.seq WHERE r.doc_id = ? ORDER BY r.seq`,
      ),
      getMeta: p('SELECT json FROM meta WHERE key = ?'),
      setMeta: p('INSERT OR REPLACE INTO meta (key, json) VALUES (?, ?)'),
      existingRows: p(
        `SELECT id, rev, created_at, updated_at, json FROM documents WHERE id IN (${idsJson})`,
      ),
      effectsSince: p('SELECT seq, effects FROM transactions WHERE seq > ? ORDER BY seq LIMIT ?'),
      txAtSeq: p('SELECT id FROM transactions WHERE seq = ?'),
      revisionAsOf: p(
        'SELECT json, deleted FROM revisions WHERE doc_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
      ),
    }
    // Whole-dataset reads: arrays instead of row objects save ~30% of the fetch at 100k rows.
    this.s.all.setReturnArrays(true)
    this.s.allTypes.setReturnArrays(true)
  }

  /**
   * Random reads through a memory map (`PRAGMA mmap_size`) instead of a read() per page: looking
   * up a few thousand documents one by one (an incremental export) is several times faster on
   * VMs where system calls are dear. Off by default: a whole-dataset read through the map would
   * count the file into the process's resident memory. 0 turns it off again.
   */
  mapForReads(bytes: number = RANDOM_READ_MMAP_BYTES): void {
    if (this.path !== ':memory:')
      this.db.exec(`PRAGMA mmap_size = ${Math.max(0, Math.floor(bytes))}`)
  }

  /** Open (creating the file, its parent directories and the tables if missing). `':memory:'` works too. */
  static open(path: string, opts: DatasetOptions = {}): Dataset {
    return new Dataset(path, opts)
  }

  get(id: string): StoredDocument | undefined {
    const row = this.s.get.get(id) as DocRow | undefined
    return row ? (JSON.parse(row.json) as StoredDocument) : undefined
  }

  getMany(ids: readonly string[]): Array<StoredDocument | undefined> {
    const byId = new Map<string, StoredDocument>()
    for (const row of this.s.getMany.all(JSON.stringify(ids)) as unknown as DocRow[]) {
      const doc = JSON.parse(row.json) as StoredDocument
      byId.set(doc._id, doc)
    }
    return ids.map((id) => byId.get(id))
  }

  count(opts: {type?: string} = {}): number {
    const row = (
      opts.type === undefined ? this.s.count.get() : this.s.countType.get(opts.type)
    ) as {n: number}
    return row.n
  }

  /**
   * Every document (published, drafts.*, versions.*), sorted by _id. Rows are parsed as SQLite
   * steps through them: holding every row's JSON text until the end kept ~150 MB more at 100k.
   */
  documents(opts: {types?: readonly string[]} = {}): StoredDocument[] {
    const rows = (opts.types
      ? this.s.allTypes.iterate(JSON.stringify(opts.types))
      : this.s.all.iterate()) as unknown as Iterable<[string]>
    const out: StoredDocument[] = []
    for (const row of rows) out.push(JSON.parse(row[0]) as StoredDocument)
    return out
  }

  /** Document counts per `_type`, and how many are drafts / release versions (one SQL pass). */
  stats(): {documents: number; drafts: number; versions: number; types: Record<string, number>} {
    const rows = this.db
      .prepare(
        `SELECT type, count(*) AS n,
           sum(substr(id, 1, 7) = 'drafts.') AS drafts, sum(substr(id, 1, 9) = 'versions.') AS versions
         FROM documents GROUP BY type ORDER BY type`,
      )
      .all() as unknown as Array<{type: string; n: number; drafts: number; versions: number}>
    const out = {documents: 0, drafts: 0, versions: 0, types: {} as Record<string, number>}
    for (const r of rows) {
      out.types[r.type] = r.n
      out.documents += r.n
      out.drafts += r.drafts
      out.versions += r.versions
    }
    return out
  }

  /**
   * `_type`, `slug.current` and `title` of the published documents of these types, without
   * parsing the documents (SQLite reads the fields out of the stored JSON): enough to know which
   * pages an export will have before it reads anything else.
   */
  slugsAndTitles(types: readonly string[]): SlugAndTitle[] {
    return slugsAndTitles(this.db, types)
  }

  /** Every document as its stored JSON text (exactly `JSON.stringify(doc)`), sorted by _id. */
  /**
   * Up to `limit` documents with ids after `after`, in id order, as stored (JSON text): a reader
   * that pages through the dataset between other work (a streamed export) never holds it whole.
   */
  documentPage(
    after: string,
    limit: number,
    opts: {types?: readonly string[]} = {},
  ): Array<{id: string; json: string}> {
    const rows = opts.types
      ? this.s.pageTypes.all(after, JSON.stringify(opts.types), limit)
      : this.s.page.all(after, limit)
    return rows as unknown as Array<{id: string; json: string}>
  }

  documentLines(): string[] {
    return (this.s.all.all() as unknown as Array<[string]>).map((r) => r[0])
  }

  /** Atomic: all mutations apply or none (throws RevisionConflictError / MutationError). */
  transaction(mutations: Mutation[], opts: TransactionOptions = {}): TransactionResult {
    if (!Array.isArray(mutations)) throw new MutationError('mutations: must be an array')
    // Before the copy below: JSON.stringify itself overflows the stack on hostile nesting.
    const deep = mutations.findIndex((m) => nestsDeeperThan(m, MAX_DEPTH + 2))
    if (deep !== -1)
      throw new MutationError(`mutations[${deep}]: nested more than ${MAX_DEPTH} levels deep`)
    // A private JSON copy: the mutator and `create` id assignment write into it, and nothing the
    // caller holds ends up shared with stored documents or effects.
    const copy = JSON.parse(JSON.stringify(mutations)) as Mutation[]
    const transactionId = this.transactionIdFor(opts.transactionId)
    const timestamp = this.now().toISOString()
    const author = opts.author
    return this.write(() => {
      if (this.s.txExists.get(transactionId))
        throw new MutationError(`transaction id "${transactionId}" was already used`, 409)
      for (const [id, rev] of Object.entries(opts.ifRevisionIDs ?? {})) {
        const current = (this.s.rev.get(id) as {rev: string} | undefined)?.rev
        if (current !== rev) throw new RevisionConflictError(id, rev, current)
      }
      const batch = new MutationBatch({
        load: (id) => this.get(id),
        loadAll: () => this.documents(),
        newId: this.newId,
        ...(opts.patchBudgetMs === undefined ? {} : {patchBudgetMs: opts.patchBudgetMs}),
      })
      copy.forEach((m, i) => batch.apply(m, i))

      const effects: DocumentEffect[] = []
      const changes: Change[] = []
      for (const [id, {before, current}] of batch.touched) {
        if (!before && !current) continue
        if (before && current && sameContent(before, current)) continue
        let after: StoredDocument | undefined
        if (current) {
          const {_id, _type, ...fields} = withoutSystemFields(current)
          after = {
            _id,
            _type,
            _rev: transactionId,
            _createdAt: before?._createdAt ?? timestamp,
            _updatedAt: timestamp,
            ...fields,
          }
        }
        const operation = !before ? 'create' : !after ? 'delete' : 'update'
        const effect: DocumentEffect = {id, operation}
        if (before) effect.previousRev = before._rev
        if (after) effect.resultRev = transactionId
        if (before) effect.before = before
        if (after) effect.after = after
        effects.push(effect)
        changes.push({
          id,
          operation,
          previousRev: before?._rev,
          after,
          afterJson: after && JSON.stringify(after),
        })
      }
      const result: TransactionResult = {
        transactionId,
        timestamp,
        seq: this.lastSeq(),
        effects,
        mutations: copy,
      }
      if (author !== undefined) result.author = author
      // Nothing changed (identical content): a valid no-op that writes nothing, not even a log entry.
      if (changes.length === 0) return result
      result.seq = this.commit(transactionId, timestamp, author, JSON.stringify(copy), changes)
      return result
    })
  }

  /**
   * The bulk path behind NDJSON import: one transaction, no per-document re-parse, and system
   * fields (`_rev`, `_createdAt`, `_updatedAt`) kept from the input when present — a
   * `sanity dataset export` file round-trips unchanged. Documents with identical content are left
   * alone; when nothing changes nothing is written.
   */
  importDocuments(docs: readonly DocumentInput[], opts: BulkImportOptions = {}): BulkImportResult {
    const transactionId = this.transactionIdFor(opts.transactionId)
    const timestamp = this.now().toISOString()
    for (const [i, doc] of docs.entries()) {
      const problem = idProblem(doc?._id)
      if (problem) throw new MutationError(`documents[${i}]._id: ${problem}`)
      if (typeof doc._type !== 'string' || doc._type === '')
        throw new MutationError(`documents[${i}]._type: required`, 400, doc._id)
    }
    return this.write(() => {
      if (this.s.txExists.get(transactionId))
        throw new MutationError(`transaction id "${transactionId}" was already used`, 409)
      const existing = new Map<string, ExistingRow>()
      const rows = this.s.existingRows.all(
        JSON.stringify(docs.map((d) => d._id)),
      ) as unknown as ExistingRow[]
      for (const row of rows) existing.set(row.id, row)

      const result: BulkImportResult = {created: 0, updated: 0, unchanged: 0, conflicts: []}
      const changes: Change[] = []
      const seen = new Set<string>()
      for (const doc of docs) {
        if (seen.has(doc._id))
          throw new MutationError(`documents: duplicate _id "${doc._id}"`, 400, doc._id)
        seen.add(doc._id)
        const old = existing.get(doc._id)
        if (old) {
          // Cheap check first: the stored text, if this input had been written with the stored
          // system fields. Only when that differs is the stored copy parsed and compared.
          const asStored = storedFromInput(doc, {
            rev: old.rev,
            createdAt: old.created_at,
            updatedAt: old.updated_at,
          })
          if (
            JSON.stringify(asStored) === old.json ||
            sameContent(JSON.parse(old.json) as StoredDocument, doc)
          ) {
            result.unchanged++
            continue
          }
          if (!opts.replace) {
            result.conflicts.push(doc._id)
            continue
          }
        }
        const after = storedFromInput(doc, {
          rev: transactionId,
          createdAt: old?.created_at ?? timestamp,
          updatedAt: timestamp,
        })
        const afterJson = JSON.stringify(after)
        // Every way in (NDJSON files, migrations' previews, the start.ts rehearsal) meets the
        // same limit as a mutation (the input was parsed from text: its JSON is that size).
        if (Buffer.byteLength(afterJson) > MAX_DOCUMENT_BYTES)
          throw new MutationError(
            `documents: "${doc._id}" is larger than ${MAX_DOCUMENT_BYTES / 1e6} MB, the maximum document size`,
            400,
            doc._id,
          )
        if (old) result.updated++
        else result.created++
        changes.push({
          id: doc._id,
          operation: old ? 'update' : 'create',
          previousRev: old?.rev,
          after,
          afterJson,
        })
      }
      if (result.conflicts.length > 0 || changes.length === 0) {
        if (result.conflicts.length > 0) result.created = result.updated = 0
        return result
      }
      const seq = this.commit(transactionId, timestamp, opts.author, null, changes)
      result.transaction = {transactionId, seq, timestamp}
      return result
    })
  }

  /**
   * The write path of a mirror (scripts/sync): documents replace what is stored byte for byte,
   * system fields kept from the source (so `_rev`, `_createdAt` and `_updatedAt` match it and an
   * export of the mirror equals one of the source), deletions included, and `meta` committed with
   * them so a resume position never runs ahead of, or behind, the documents it describes.
   * Documents stored exactly so are left alone: re-applying a batch writes nothing but the meta.
   */
  mirror(batch: MirrorBatch, opts: MirrorOptions = {}): MirrorResult {
    const puts = batch.put ?? []
    const deletes = batch.delete ?? []
    const transactionId = this.transactionIdFor(opts.transactionId)
    const timestamp = opts.timestamp ?? this.now().toISOString()
    const ids = new Set<string>()
    for (const [i, doc] of puts.entries()) {
      const problem = idProblem(doc?._id)
      if (problem) throw new MutationError(`put[${i}]._id: ${problem}`)
      if (typeof doc._type !== 'string' || doc._type === '')
        throw new MutationError(`put[${i}]._type: required`, 400, doc._id)
      if (!hasSystemFields(doc as DocumentInput))
        throw new MutationError(
          `put[${i}]: _rev, _createdAt and _updatedAt are required`,
          400,
          doc._id,
        )
      if (ids.has(doc._id)) throw new MutationError(`put: duplicate _id "${doc._id}"`, 400, doc._id)
      ids.add(doc._id)
    }
    for (const id of deletes) {
      const problem = idProblem(id)
      if (problem) throw new MutationError(`delete: ${problem}`)
      if (ids.has(id)) throw new MutationError(`delete: "${id}" is also put`, 400, id)
      ids.add(id)
    }
    return this.write(() => {
      const result: MirrorResult = {written: 0, deleted: 0, unchanged: 0, alreadyApplied: false}
      if (opts.transactionId !== undefined && this.s.txExists.get(transactionId)) {
        result.alreadyApplied = true
        return result
      }
      const rows = this.s.existingRows.all(JSON.stringify([...ids])) as unknown as ExistingRow[]
      const existing = new Map(rows.map((row) => [row.id, row]))
      const changes: Change[] = []
      for (const doc of puts) {
        const old = existing.get(doc._id)
        const afterJson = JSON.stringify(doc)
        if (old?.json === afterJson) {
          result.unchanged++
          continue
        }
        if (Buffer.byteLength(afterJson) > MAX_DOCUMENT_BYTES)
          throw new MutationError(
            `put: "${doc._id}" is larger than ${MAX_DOCUMENT_BYTES / 1e6} MB, the maximum document size`,
            400,
            doc._id,
          )
        result.written++
        changes.push({
          id: doc._id,
          operation: old ? 'update' : 'create',
          previousRev: old?.rev,
          after: doc,
          afterJson,
        })
      }
      for (const id of deletes) {
        const old = existing.get(id)
        if (!old) continue
        result.deleted++
        changes.push({
          id,
          operation: 'delete',
          previousRev: old.rev,
          after: undefined,
          afterJson: undefined,
        })
      }
      for (const [key, value] of Object.entries(opts.meta ?? {})) this.setMeta(key, value)
      if (changes.length === 0) return result
      // Without deletions the log's mutations are rebuilt from the stored revisions (as for a bulk
      // import), so the documents are not stored twice; deletions cannot be, so they are written.
      const mutationsJson =
        result.deleted === 0
          ? null
          : JSON.stringify(
              changes.map((c): Mutation =>
                c.after ? {createOrReplace: c.after} : {delete: {id: c.id}},
              ),
            )
      const seq = this.commit(transactionId, timestamp, opts.author, mutationsJson, changes)
      result.transaction = {transactionId, seq, timestamp}
      return result
    })
  }

  /** Transaction log, for listeners in other processes (poll) and history. */
  lastSeq(): number {
    return (this.s.lastSeq.get() as {seq: number}).seq
  }

  /** Logged transactions with seq > `seq`, oldest first (all of them unless `limit`). */
  transactionsSince(seq: number, limit?: number): LoggedTransaction[] {
    return (this.s.txSince.all(seq, limit ?? -1) as unknown as TxRow[]).map((row) =>
      this.logged(row),
    )
  }

  transactionById(id: string): LoggedTransaction | undefined {
    const row = this.s.txById.get(id) as TxRow | undefined
    return row && this.logged(row)
  }

  /** The document as revision `rev` left it; undefined if unknown (or `rev` deleted it). */
  documentAtRevision(id: string, rev: string): StoredDocument | undefined {
    const row = this.s.revision.get(id, rev) as {json: string | null; deleted: number} | undefined
    if (!row || row.deleted) return undefined
    if (row.json !== null) return JSON.parse(row.json) as StoredDocument
    // NULL json = this is the current version, stored in documents.
    const current = this.get(id)
    return current?._rev === rev ? current : undefined
  }

  /**
   * Ids of the documents written by transactions after `seq` (without reading their mutations or
   * documents: what incremental consumers need to know what to look at). `limit` bounds how many
   * transactions are read; `complete` is false when there were more.
   */
  changedIdsSince(
    seq: number,
    limit = 10_000,
  ): {ids: string[]; lastSeq: number; complete: boolean} {
    const rows = this.s.effectsSince.all(seq, limit + 1) as unknown as Array<{
      seq: number
      effects: string
    }>
    const complete = rows.length <= limit
    const ids = new Set<string>()
    let last = seq
    for (const row of rows.slice(0, limit)) {
      for (const e of JSON.parse(row.effects) as Array<{id: string}>) ids.add(e.id)
      last = row.seq
    }
    return {ids: [...ids], lastSeq: complete ? Math.max(last, seq) : last, complete}
  }

  /** The id of the transaction with this sequence number (to check that a log is the one remembered). */
  transactionIdAt(seq: number): string | undefined {
    return (this.s.txAtSeq.get(seq) as {id: string} | undefined)?.id
  }

  /** The document as it was after transaction `seq` (undefined: it did not exist then). */
  documentAsOf(id: string, seq: number): StoredDocument | undefined {
    const row = this.s.revisionAsOf.get(id, seq) as
      {json: string | null; deleted: number} | undefined
    if (!row || row.deleted) return undefined
    // NULL json: that version is still the current one (history rows are filled when it changes).
    return row.json !== null ? (JSON.parse(row.json) as StoredDocument) : this.get(id)
  }

  /** Every transaction that wrote `id`, oldest first; a deletion has `deleted: true`. */
  history(id: string): HistoryEntry[] {
    const rows = this.s.history.all(id) as unknown as Array<{
      rev: string
      deleted: number
      transactionId: string
      timestamp: string
      author: string | null
    }>
    return rows.map((r) => {
      const entry: HistoryEntry = {
        rev: r.rev,
        transactionId: r.transactionId,
        timestamp: r.timestamp,
      }
      if (r.author !== null) entry.author = r.author
      if (r.deleted) entry.deleted = true
      return entry
    })
  }

  getMeta<T>(key: string): T | undefined {
    const row = this.s.getMeta.get(key) as {json: string} | undefined
    return row ? (JSON.parse(row.json) as T) : undefined
  }

  setMeta(key: string, value: unknown): void {
    this.s.setMeta.run(key, JSON.stringify(value ?? null))
  }

  close(): void {
    if (this.db.isOpen) this.db.close()
  }

  [Symbol.dispose](): void {
    this.close()
  }

  private logged(row: TxRow): LoggedTransaction {
    const effects = JSON.parse(row.effects) as DocumentEffect[]
    const mutations =
      row.mutations !== null
        ? (JSON.parse(row.mutations) as Mutation[])
        : // A bulk import: one createOrReplace per written document, as that revision stored it.
          effects.flatMap((e): Mutation[] => {
            const doc =
              e.resultRev === undefined ? undefined : this.documentAtRevision(e.id, e.resultRev)
            return doc ? [{createOrReplace: doc}] : []
          })
    const t: LoggedTransaction = {
      transactionId: row.id,
      timestamp: row.timestamp,
      seq: row.seq,
      effects,
      mutations,
    }
    if (row.author !== null) t.author = row.author
    return t
  }

  private transactionIdFor(given: string | undefined): string {
    const id = given ?? this.newRevision()
    const problem = idProblem(id)
    if (problem) throw new MutationError(`transactionId: ${problem}`)
    return id
  }

  /** Run `fn` inside BEGIN IMMEDIATE … COMMIT; any error rolls everything back. */
  private write<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE')
    let result: T
    try {
      result = fn()
    } catch (e) {
      this.db.exec('ROLLBACK')
      throw e
    }
    this.db.exec('COMMIT')
    return result
  }

  /** Write the log entry, history rows and documents of one transaction; returns its seq. */
  private commit(
    transactionId: string,
    timestamp: string,
    author: string | undefined,
    mutationsJson: string | null,
    changes: Change[],
  ): number {
    const effects = changes.map(({id, operation, previousRev, after}) => {
      const e: DocumentEffect = {id, operation}
      if (previousRev !== undefined) e.previousRev = previousRev
      if (after) e.resultRev = after._rev
      return e
    })
    const {lastInsertRowid} = this.s.insertTx.run(
      transactionId,
      timestamp,
      author ?? null,
      mutationsJson,
      JSON.stringify(effects),
    )
    const seq = Number(lastInsertRowid)
    for (const c of changes) {
      if (c.operation !== 'create') this.s.fillRevision.run(c.id)
      if (c.after) {
        const d = c.after
        this.s.upsertDoc.run(c.id, d._type, d._rev, d._createdAt, d._updatedAt, c.afterJson!)
        this.s.insertRevision.run(c.id, seq, d._rev, 0)
      } else {
        this.s.deleteDoc.run(c.id)
        this.s.insertRevision.run(c.id, seq, transactionId, 1)
      }
    }
    return seq
  }
}

/**
 * A stored document from an import line: system fields from the input win (export files carry
 * them), `defaults` fill the rest. When the input has all three, it is kept as it is (key order
 * included) so an export file round-trips byte for byte.
 */
function storedFromInput(
  doc: DocumentInput,
  defaults: {rev: string; createdAt: string; updatedAt: string},
): StoredDocument {
  if (hasSystemFields(doc)) return doc
  const {_id, _type, ...fields} = withoutSystemFields(doc)
  return {
    _id,
    _type,
    _rev: nonEmpty(doc._rev) ?? defaults.rev,
    _createdAt: nonEmpty(doc._createdAt) ?? defaults.createdAt,
    _updatedAt: nonEmpty(doc._updatedAt) ?? defaults.updatedAt,
    ...fields,
  }
}

const nonEmpty = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined

function hasSystemFields(doc: DocumentInput): doc is StoredDocument {
  return (
    nonEmpty(doc._rev) !== undefined &&
    nonEmpty(doc._createdAt) !== undefined &&
    nonEmpty(doc._updatedAt) !== undefined
  )
}
