/**
 * The embedded dataset's public shapes. Mutations use the exact JSON form of Sanity's
 * `/data/mutate` API, so the same objects go to the embedded store, the local API and the
 * hosted Content Lake.
 */

/** A stored document: system fields are set by the store, never by callers. */
export interface StoredDocument {
  _id: string
  _type: string
  _rev: string
  _createdAt: string
  _updatedAt: string
  [field: string]: unknown
}

/** A document as a caller writes it (system fields other than _id/_type are ignored). */
export interface DocumentInput {
  _id: string
  _type: string
  [field: string]: unknown
}

/** Patch operations of Sanity's mutate API. Paths are JSONMatch strings (`body[_key=="a"].children`). */
export interface PatchSpec {
  id?: string
  query?: string
  params?: Record<string, unknown>
  ifRevisionID?: string
  set?: Record<string, unknown>
  setIfMissing?: Record<string, unknown>
  unset?: string[]
  inc?: Record<string, number>
  dec?: Record<string, number>
  insert?: {before?: string; after?: string; replace?: string; items: unknown[]}
  diffMatchPatch?: Record<string, string>
}

export type Mutation =
  | {create: Partial<DocumentInput> & {_type: string}}
  | {createOrReplace: DocumentInput}
  | {createIfNotExists: DocumentInput}
  | {delete: {id?: string; query?: string; params?: Record<string, unknown>}}
  | {patch: PatchSpec}

export interface TransactionOptions {
  /** Caller-chosen transaction id; becomes the `_rev` of every document it changes. */
  transactionId?: string
  /** Who made the change (user id, `importer`, `migration:<name>`…). */
  author?: string
  /** Only these documents may change: every mutation fails with a revision conflict otherwise. */
  ifRevisionIDs?: Record<string, string>
  /** Longest applying patch operations may take, in ms (servers: apply.ts SERVER_PATCH_BUDGET_MS). */
  patchBudgetMs?: number
}

/** What one mutation did to one document. */
export interface DocumentEffect {
  id: string
  operation: 'create' | 'update' | 'delete'
  previousRev?: string
  resultRev?: string
  before?: StoredDocument
  after?: StoredDocument
}

export interface TransactionResult {
  transactionId: string
  /** ISO time of the commit. */
  timestamp: string
  /** Monotonic sequence number in the transaction log. */
  seq: number
  effects: DocumentEffect[]
  /** Mutations as submitted (for the log and listeners). */
  mutations: Mutation[]
  author?: string
}

export type LoggedTransaction = TransactionResult

/** One entry of a document's history: the transaction that wrote (or deleted) that version. */
export interface HistoryEntry {
  rev: string
  transactionId: string
  timestamp: string
  author?: string
  /** This transaction deleted the document. */
  deleted?: boolean
}
