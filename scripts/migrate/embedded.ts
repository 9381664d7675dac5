/** The embedded SQLite dataset as a migration target: one store transaction per commit. */
import {existsSync} from 'node:fs'
import type {RestrictedClient} from 'sanity/migrate'
import {UsageError} from '../lib/errors.ts'
import {Dataset} from '../store/dataset.ts'
import type {Mutation, StoredDocument} from '../store/types.ts'
import {isLedgerRecord, LEDGER_TYPE} from './ledger.ts'
import {localContextClient} from './localClient.ts'
import type {MigrationTarget} from './target.ts'
import type {LedgerRecord, TargetDescription} from './types.ts'

export class EmbeddedTarget implements MigrationTarget {
  readonly description: TargetDescription
  readonly dataset: Dataset

  constructor(dataset: Dataset, description?: TargetDescription) {
    this.dataset = dataset
    this.description = description ?? {kind: 'embedded', dataset: dataset.path}
  }

  /** Open an existing dataset file; a missing one is a usage error, never silently created. */
  static open(path: string): EmbeddedTarget {
    if (!existsSync(path))
      throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
    return new EmbeddedTarget(Dataset.open(path))
  }

  /** A throwaway in-memory copy of `docs` (system fields kept): where dry runs write. */
  static inMemory(docs: readonly StoredDocument[], description: TargetDescription): EmbeddedTarget {
    const ds = Dataset.open(':memory:')
    if (docs.length > 0) ds.importDocuments(docs, {author: 'dry-run copy'})
    return new EmbeddedTarget(ds, description)
  }

  async documents(types?: readonly string[]): Promise<StoredDocument[]> {
    return this.dataset.documents(types ? {types} : {})
  }

  async getDocuments(ids: readonly string[]): Promise<StoredDocument[]> {
    return this.dataset.getMany([...ids].sort()).filter((d): d is StoredDocument => d !== undefined)
  }

  async ledger(): Promise<LedgerRecord[]> {
    return this.dataset
      .documents({types: [LEDGER_TYPE]})
      .flatMap((d) => (isLedgerRecord(d) ? [d] : []))
  }

  async commit(mutations: Mutation[], opts: {author: string}): Promise<string[]> {
    return [this.dataset.transaction(mutations, {author: opts.author}).transactionId]
  }

  contextClient(): RestrictedClient {
    return localContextClient(() => this.dataset.documents(), {dataset: this.description.dataset})
  }

  close(): void {
    this.dataset.close()
  }
}
