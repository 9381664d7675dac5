/** Shapes shared by the migration runner's modules. */
import type {Migration} from 'sanity/migrate'

/** A migration folder, loaded: `migrations/<id>/index.ts` with a `defineMigration` default export. */
export interface LoadedMigration {
  /** The folder name, e.g. `2026-11-01-backfill-benefit-summary`; runs are ordered by it. */
  id: string
  title: string
  /** Absolute path of index.ts. */
  file: string
  /** `sha256:` of the folder's source files, to notice a migration edited after it ran. */
  checksum: string
  migration: Migration
}

/** The ledger document a run writes in the same transaction as the migration's changes. */
export type LedgerRecord = {
  _id: string
  _type: 'migration.record'
  /** Its `_rev` is the id of the transaction that applied the migration. */
  _rev?: string
  migration: string
  title: string
  appliedAt: string
  checksum: string
  /** Documents the migration changed (created, updated or deleted). */
  documents: number
  mutations: number
}

/** One field that differs: `before`/`after` are absent when the field is missing on that side. */
export interface FieldChange {
  path: string
  before?: unknown
  after?: unknown
}

export interface DocumentChange {
  id: string
  type: string
  operation: 'create' | 'update' | 'delete'
  fields: FieldChange[]
}

/**
 * applied / dry-run: ran (a dry run wrote nothing); already-applied: in the ledger, skipped;
 * failed: nothing of it was written; not-run: after an earlier failure (it may build on that one).
 */
export type MigrationStatus = 'applied' | 'dry-run' | 'already-applied' | 'failed' | 'not-run'

export interface MigrationOutcome {
  id: string
  title: string
  status: MigrationStatus
  /** Documents the handlers were given (after documentTypes, filter and system-document skipping). */
  selected: number
  mutations: number
  changes: DocumentChange[]
  /** Transactions written (empty in a dry run). */
  transactionIds: string[]
  appliedAt?: string
  error?: {code: string; message: string}
}

export interface TargetDescription {
  kind: 'embedded' | 'remote'
  /** Dataset file (embedded) or dataset name (remote). */
  dataset: string
  projectId?: string
  apiHost?: string
}

export interface RunReport {
  ok: boolean
  dryRun: boolean
  target: TargetDescription
  migrations: MigrationOutcome[]
}

export interface ListedMigration {
  id: string
  title: string
  status: 'applied' | 'pending'
  documentTypes?: string[]
  filter?: string
  appliedAt?: string
  transactionId?: string
  /** Applied, but the migration's files changed since. */
  modified?: boolean
  /** In the ledger, but no longer in the migrations folder. */
  missing?: boolean
}
