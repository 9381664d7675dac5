/**
 * What a dataset file holds, checked from the outside (plain node:sqlite, not the store's own
 * code): a digest of its content, to compare with the states a run may leave, and every way the
 * file could disagree with itself after a crash — SQLite's own integrity check, documents whose
 * `_rev` no history row or transaction explains, log entries whose effects are missing.
 */
import {existsSync, statSync} from 'node:fs'
import {DatabaseSync} from 'node:sqlite'
import {canonicalJson, sha256} from '../lib/hash.ts'

export interface DatasetState {
  /** sha256 over the documents (sorted by _id) without store-assigned fields; see `contentOf`. */
  digest: string
  documents: number
  transactions: number
  /** Everything inconsistent; empty when the file is sound. */
  problems: string[]
}

/** Fields that differ between two runs doing the same thing: revision ids, timestamps. */
const VOLATILE = new Set(['_rev', '_createdAt', '_updatedAt'])

/** A document's content: system fields dropped, and a migration ledger record's `appliedAt` (a clock reading). */
export function contentOf(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(doc)) if (!VOLATILE.has(k)) out[k] = v
  if (typeof doc._id === 'string' && doc._id.startsWith('_.migrations.')) delete out.appliedAt
  return out
}

export const EMPTY_DIGEST = sha256('')

/** Digest of documents as `contentOf` sees them (any order in, sorted by _id). */
export function contentDigest(docs: ReadonlyArray<Record<string, unknown>>): string {
  const lines = docs
    .map((d) => canonicalJson(contentOf(d)))
    .sort()
    .join('\n')
  return sha256(lines)
}

interface TxRow {
  seq: number
  id: string
  effects: string
}

/**
 * Open the file as the next process would (WAL recovery included) and check it. A missing or
 * empty file is the empty state: a process killed before it created the tables left nothing.
 */
export function inspectDataset(path: string): DatasetState {
  if (!existsSync(path) || statSync(path).size === 0) {
    // An empty main file may still have a WAL with committed frames: only then is it not empty.
    if (!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0)
      return {digest: EMPTY_DIGEST, documents: 0, transactions: 0, problems: []}
  }
  const db = new DatabaseSync(path, {timeout: 30_000})
  try {
    const problems: string[] = []
    const integrity = (
      db.prepare('PRAGMA integrity_check').all() as Array<{integrity_check: string}>
    ).map((r) => r.integrity_check)
    if (integrity.join() !== 'ok') problems.push(`integrity_check: ${integrity.join('; ')}`)
    const tables = new Set(
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
          name: string
        }>
      ).map((r) => r.name),
    )
    if (!tables.has('documents')) {
      // Killed while creating the schema: the transaction that creates it is atomic, so no table at all.
      if (tables.size > 0) problems.push(`partial schema: ${[...tables].join(', ')}`)
      return {digest: EMPTY_DIGEST, documents: 0, transactions: 0, problems}
    }
    for (const t of ['transactions', 'revisions', 'meta'])
      if (!tables.has(t)) problems.push(`table ${t} missing`)
    if (problems.length > 0) return {digest: '', documents: 0, transactions: 0, problems}

    const docs: Array<Record<string, unknown>> = []
    const rows = db
      .prepare('SELECT id, type, rev, created_at, updated_at, json FROM documents')
      .all() as Array<Record<string, string>>
    for (const row of rows) {
      let doc: Record<string, unknown>
      try {
        doc = JSON.parse(row.json!) as Record<string, unknown>
      } catch {
        problems.push(`${row.id}: stored JSON does not parse`)
        continue
      }
      if (doc._id !== row.id || doc._type !== row.type || doc._rev !== row.rev)
        problems.push(`${row.id}: columns disagree with the stored document`)
      if (doc._createdAt !== row.created_at || doc._updatedAt !== row.updated_at)
        problems.push(`${row.id}: timestamps disagree with the stored document`)
      docs.push(doc)
    }

    // Each document's newest history row must be its current version; each row's transaction must be logged.
    const latest = db
      .prepare(
        `SELECT r.doc_id, r.rev, r.deleted, r.json IS NULL AS current, r.seq, t.id AS tx
       FROM revisions r LEFT JOIN transactions t ON t.seq = r.seq
       WHERE r.seq = (SELECT max(seq) FROM revisions WHERE doc_id = r.doc_id)`,
      )
      .all() as Array<{
      doc_id: string
      rev: string
      deleted: number
      current: number
      seq: number
      tx: string | null
    }>
    const latestById = new Map(latest.map((r) => [r.doc_id, r]))
    for (const doc of docs) {
      const r = latestById.get(doc._id as string)
      if (!r) problems.push(`${String(doc._id)}: no history row`)
      else if (r.deleted || r.rev !== doc._rev || !r.current)
        problems.push(
          `${String(doc._id)}: newest history row (seq ${r.seq}) is not the stored version`,
        )
    }
    const present = new Set(docs.map((d) => d._id as string))
    for (const r of latest) {
      if (r.tx === null)
        problems.push(`${r.doc_id}: history row seq ${r.seq} has no logged transaction`)
      if (!r.deleted && !present.has(r.doc_id))
        problems.push(`${r.doc_id}: history says it exists, documents table does not have it`)
      if (r.deleted && present.has(r.doc_id))
        problems.push(`${r.doc_id}: history says it was deleted, documents table still has it`)
    }
    const orphans = (
      db
        .prepare(
          'SELECT count(*) AS n FROM revisions WHERE seq NOT IN (SELECT seq FROM transactions)',
        )
        .get() as {n: number}
    ).n
    if (orphans > 0) problems.push(`${orphans} history row(s) without a logged transaction`)
    const stale = (
      db
        .prepare(
          'SELECT count(*) AS n FROM revisions r WHERE json IS NULL AND deleted = 0 AND seq < (SELECT max(seq) FROM revisions WHERE doc_id = r.doc_id)',
        )
        .get() as {n: number}
    ).n
    if (stale > 0) problems.push(`${stale} older history row(s) lost their document version`)

    // Every logged effect must have written its history row.
    const txs = db.prepare('SELECT seq, id, effects FROM transactions').all() as unknown as TxRow[]
    const revAt = db.prepare('SELECT rev, deleted FROM revisions WHERE doc_id = ? AND seq = ?')
    for (const tx of txs) {
      let effects: Array<{id: string; resultRev?: string}>
      try {
        effects = JSON.parse(tx.effects) as Array<{id: string; resultRev?: string}>
      } catch {
        problems.push(`transaction ${tx.id}: effects do not parse`)
        continue
      }
      for (const e of effects) {
        const r = revAt.get(e.id, tx.seq) as {rev: string; deleted: number} | undefined
        if (!r) problems.push(`transaction ${tx.id}: no history row for ${e.id}`)
        else if (e.resultRev === undefined ? !r.deleted : r.rev !== e.resultRev)
          problems.push(`transaction ${tx.id}: history row for ${e.id} disagrees with the log`)
      }
    }
    return {
      digest: contentDigest(docs),
      documents: docs.length,
      transactions: txs.length,
      problems: problems.slice(0, 20),
    }
  } finally {
    db.close()
  }
}
