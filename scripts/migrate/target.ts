/**
 * Where migrations run: the embedded dataset (embedded.ts) or a Sanity API (remote.ts). The
 * runner only talks to this interface, so the same migration files, ledger and revision checks
 * work on both.
 */
import type {RestrictedClient} from 'sanity/migrate'
import type {Mutation, StoredDocument} from '../store/types.ts'
import type {LedgerRecord, TargetDescription} from './types.ts'

export interface MigrationTarget {
  readonly description: TargetDescription
  /** Every document of `types` (all when undefined) — published, drafts, versions, system — sorted by _id. */
  documents(types?: readonly string[]): Promise<StoredDocument[]>
  /** Documents by id, in id order; ids that do not exist are left out. */
  getDocuments(ids: readonly string[]): Promise<StoredDocument[]>
  ledger(): Promise<LedgerRecord[]>
  /**
   * Write `mutations` atomically: all or nothing. Returns the transaction ids (one, unless a
   * remote migration is larger than the API accepts in one request — see remote.ts).
   */
  commit(mutations: Mutation[], opts: {author: string}): Promise<string[]>
  /** The read-only client handlers get as `context.client`. */
  contextClient(): RestrictedClient
  close(): void
}
