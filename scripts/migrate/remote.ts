/**
 * A Sanity API as a migration target — hosted Content Lake, or the project's local API — through
 * @sanity/client, with the calls Sanity's own runner makes: `GET /data/export` to read,
 * `POST /data/mutate` to write (ifRevisionID checks, `visibility: sync`), `/data/query` for the
 * ledger and for handlers' `context.client`. The only module of the runner that touches the network.
 */
import {createClient, type ClientConfig, type SanityClient} from '@sanity/client'
import {ALLOWED_PROPERTIES, type RestrictedClient} from 'sanity/migrate'
import type {RemoteTarget} from '../lib/env.ts'
import {HttpStatusError, withRetry, type RetryPolicy} from '../lib/retry.ts'
import {remoteClientConfig} from '../query/remote.ts'
import {randomRevision} from '../store/ids.ts'
import type {Mutation, StoredDocument} from '../store/types.ts'
import {batchMutations} from './batches.ts'
import {mutationTarget} from './collect.ts'
import {RemoteConflictError, RemoteMigrationError} from './errors.ts'
import {isLedgerRecord, LEDGER_QUERY} from './ledger.ts'
import type {MigrationTarget} from './target.ts'
import type {LedgerRecord, TargetDescription} from './types.ts'

export interface RemoteTargetOptions {
  /** Largest mutate request body; bigger migrations are split into several transactions (default 2 MB). */
  maxTransactionBytes?: number
  /** Overrides for the client config (tests). */
  client?: Partial<ClientConfig>
  /** How 429s, 5xx answers and dropped connections are retried (scripts/lib/retry.ts). */
  retry?: RetryPolicy
}

const byId = (a: {_id: string}, b: {_id: string}) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)
/** Ids per GET /data/doc request, to keep URLs short. */
const DOC_CHUNK = 100

export class RemoteMigrationTarget implements MigrationTarget {
  readonly description: TargetDescription
  readonly client: SanityClient
  private readonly target: RemoteTarget
  private readonly maxBytes: number
  private readonly retry: RetryPolicy

  constructor(target: RemoteTarget, opts: RemoteTargetOptions = {}) {
    this.target = target
    // Migrations read and write every perspective's documents as stored.
    // maxRetries 0: the client's own retries ignore Retry-After and never cover writes; ours do both.
    this.client = createClient({
      ...remoteClientConfig(target),
      perspective: 'raw',
      maxRetries: 0,
      ...opts.client,
    })
    this.maxBytes = opts.maxTransactionBytes ?? 2_000_000
    this.retry = opts.retry ?? {}
    this.description = {kind: 'remote', dataset: target.dataset, projectId: target.projectId}
    if (target.apiHost) this.description.apiHost = target.apiHost
  }

  async documents(types?: readonly string[]): Promise<StoredDocument[]> {
    const exported = await this.export(types)
    if (exported) return exported.sort(byId)
    // An API without /data/export: one query (fine for datasets that fit a response).
    const query = types ? '*[_type in $types]' : '*'
    return (
      await this.request(() =>
        this.client.fetch<StoredDocument[]>(query, types ? {types: [...types]} : {}),
      )
    ).sort(byId)
  }

  async getDocuments(ids: readonly string[]): Promise<StoredDocument[]> {
    const out: StoredDocument[] = []
    for (let i = 0; i < ids.length; i += DOC_CHUNK) {
      const chunk = ids.slice(i, i + DOC_CHUNK)
      const docs = await this.request(() =>
        this.client.getDocuments<StoredDocument>(chunk, {tag: 'migration'}),
      )
      for (const d of docs) if (d) out.push(d as StoredDocument)
    }
    return out.sort(byId)
  }

  async ledger(): Promise<LedgerRecord[]> {
    const docs = await this.request(() =>
      this.client.fetch<unknown[]>(LEDGER_QUERY, {}, {tag: 'migration'}),
    )
    return docs.filter(isLedgerRecord)
  }

  async commit(mutations: Mutation[], _opts: {author: string}): Promise<string[]> {
    const batches = batchMutations(mutations, this.maxBytes)
    const ids: string[] = []
    for (const [i, batch] of batches.entries()) {
      // Our own transaction id, kept across retries: after an ambiguous failure (no answer, a 5xx)
      // it tells whether the first attempt was applied, so a batch is never written twice.
      const transactionId = randomRevision()
      try {
        const committed = await withRetry(async ({previous}) => {
          if (previous?.ambiguous && (await this.committed(batch, transactionId)))
            return transactionId
          const result = await this.client.mutate(batch as never, {
            transactionId,
            visibility: 'sync',
            autoGenerateArrayKeys: false,
            returnDocuments: false,
            tag: 'migration',
          })
          return result.transactionId
        }, this.retry)
        ids.push(committed)
      } catch (e) {
        const partial =
          i > 0
            ? ` (${i} of ${batches.length} transactions were committed before this one; the ledger record is in the last, so a re-run picks up what is left)`
            : ''
        throw remoteError(e, `commit failed${partial}`)
      }
    }
    return ids
  }

  contextClient(): RestrictedClient {
    return restrict(this.client)
  }

  /**
   * Whether transaction `transactionId` was applied: a transaction is atomic and sets `_rev` to its
   * id on every document it writes, so one such document is proof. (A batch of deletes only leaves
   * none; it is then sent again, and its revision checks refuse it if it was in fact applied.)
   */
  private async committed(batch: readonly Mutation[], transactionId: string): Promise<boolean> {
    const ids = [...new Set(batch.filter((m) => !('delete' in m)).map(mutationTarget))].filter(
      (id): id is string => id !== undefined,
    )
    if (ids.length === 0) return false
    const found = await this.client.fetch<string[]>(
      '*[_id in $ids && _rev == $tx]._id',
      {ids, tx: transactionId},
      {tag: 'migration'},
    )
    return found.length > 0
  }

  close(): void {}

  /** GET /data/export/{dataset}: NDJSON of every document. Undefined when the API has no export endpoint. */
  private async export(types?: readonly string[]): Promise<StoredDocument[] | undefined> {
    const url = new URL(this.client.getUrl(`/data/export/${this.target.dataset}`))
    if (types) url.searchParams.set('types', types.join(','))
    const headers: Record<string, string> = {accept: 'application/x-ndjson'}
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`
    let text: string | undefined
    try {
      // The whole body inside the retry: a connection dropped mid-stream is retried like a refused one.
      text = await withRetry(async () => {
        const response = await fetch(url, {headers})
        if (response.status === 404 || response.status === 405) return undefined
        if (!response.ok)
          throw new HttpStatusError(
            `GET ${url.pathname} failed: HTTP ${response.status} ${await response.text()}`,
            response.status,
            response.headers.get('retry-after'),
          )
        return response.text()
      }, this.retry)
    } catch (e) {
      if (e instanceof HttpStatusError)
        throw new RemoteMigrationError(e.message, e.statusCode, {cause: e})
      throw new RemoteMigrationError(
        `cannot reach ${url.origin}: ${(e as Error).message}`,
        undefined,
        {cause: e},
      )
    }
    if (text === undefined) return undefined
    const out: StoredDocument[] = []
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      const doc = JSON.parse(line) as StoredDocument
      if (typeof doc._id === 'string') out.push(doc) // skip cursor lines
    }
    return out
  }

  /** A read, retried on rate limits, server errors and dropped connections. */
  private async request<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(call, this.retry)
    } catch (e) {
      throw remoteError(e, 'request failed')
    }
  }
}

/**
 * The client handlers get, limited like @sanity/migrate's to reads: a handler that wrote through
 * it would bypass the migration's transaction, revision checks and ledger.
 */
function restrict(client: SanityClient): RestrictedClient {
  const reads = new Set<PropertyKey>(ALLOWED_PROPERTIES)
  return new Proxy(client, {
    get(target, property) {
      if (property === 'withConfig' || property === 'clone') {
        return (...args: unknown[]) =>
          restrict((target[property] as (...a: unknown[]) => SanityClient).apply(target, args))
      }
      if (!reads.has(property))
        throw new Error(
          `context.client.${String(property)} is not available to migrations (read-only: ${[...reads].join(', ')})`,
        )
      const value = target[property as keyof SanityClient]
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as unknown as RestrictedClient
}

function remoteError(e: unknown, what: string): RemoteMigrationError {
  const err = e as {
    statusCode?: number
    message?: string
    response?: {body?: {error?: {description?: string}}}
  }
  const detail = err.response?.body?.error?.description ?? err.message ?? String(e)
  const ErrorClass = err.statusCode === 409 ? RemoteConflictError : RemoteMigrationError
  return new ErrorClass(`${what}: ${detail}`, err.statusCode, {cause: e})
}
