/**
 * NDJSON into a Sanity API (the hosted Content Lake or the local API): the remote twin of
 * `importNdjson`, built to be interrupted and re-run.
 * - Every line is checked first (parseNdjsonLines): a bad file sends nothing.
 * - The target is read first: documents already there with the same content are skipped. So a
 *   re-run after a crash, a kill or a failed request sends only what is missing. The target itself
 *   is the checkpoint — it cannot go stale or get lost the way a progress file beside the input can.
 * - Documents that exist with other content are conflicts unless `replace` (all reported at once,
 *   nothing sent), like `sanity dataset import` without `--replace`.
 * - The rest goes in batches, one transaction each, retried on 429s, 5xx answers and dropped
 *   connections (scripts/lib/retry.ts). After an ambiguous failure (the batch may have been applied)
 *   its documents are read back and only those not written yet are sent again: nothing twice.
 * A large import is not atomic on a remote (one request has a size limit); each batch is.
 */
import type {SanityClient} from '@sanity/client'
import {InputError, PipelineError} from '../lib/errors.ts'
import {classifyFailure, withRetry, type RetryPolicy} from '../lib/retry.ts'
import {sameContent} from './apply.ts'
import {randomRevision} from './ids.ts'
import {parseNdjsonLines} from './ndjson.ts'
import type {DocumentInput, Mutation, StoredDocument} from './types.ts'

export interface RemoteImportOptions {
  /** Shown in problems (file:line). */
  file: string
  /** Overwrite documents whose content differs (createOrReplace); otherwise they are conflicts. */
  replace?: boolean
  /** Documents per transaction (default 200). */
  batchSize?: number
  /** Largest request body per transaction in bytes (default 2 MB; one larger document goes alone). */
  maxBatchBytes?: number
  retry?: RetryPolicy
  onProgress?: (message: string) => void
}

export interface RemoteImportResult {
  created: number
  updated: number
  unchanged: number
  /** Transactions this run committed. */
  transactions: string[]
  /** Requests repeated after a rate limit, a server error or a dropped connection. */
  retries: number
}

/** The API failed a request for good (after retries); what was committed before stays. */
export class RemoteImportError extends PipelineError {
  override readonly code = 'REMOTE'
  readonly statusCode: number | undefined
  constructor(message: string, statusCode?: number, options?: {cause?: unknown}) {
    super(message, options)
    this.statusCode = statusCode
  }
}

/** Ids per read of existing documents (sent as a POSTed query, so no URL limit applies). */
const READ_CHUNK = 500

/**
 * Import NDJSON `text` through `client`. Throws InputError (bad lines, or conflicts without
 * `replace`; nothing sent) or RemoteImportError (the API kept failing; re-run to continue).
 */
export async function importNdjsonRemote(
  client: SanityClient,
  text: string,
  opts: RemoteImportOptions,
): Promise<RemoteImportResult> {
  const lines = parseNdjsonLines(text, opts.file)
  const docs = lines.map((l) => l.doc)
  const progress = opts.onProgress ?? (() => {})
  let retries = 0
  const retry: RetryPolicy = {
    ...opts.retry,
    onRetry: (info) => {
      retries++
      progress(
        `retrying in ${info.delayMs} ms (${info.failure.kind}${info.failure.status ? ` ${info.failure.status}` : ''})`,
      )
      opts.retry?.onRetry?.(info)
    },
  }
  const read = (ids: readonly string[]) => readExisting(client, ids, retry)

  const existing = await read(docs.map((d) => d._id))
  const result: RemoteImportResult = {
    created: 0,
    updated: 0,
    unchanged: 0,
    transactions: [],
    retries: 0,
  }
  const pending: DocumentInput[] = []
  const conflicts: string[] = []
  for (const doc of docs) {
    const old = existing.get(doc._id)
    if (old && sameContent(old, doc)) result.unchanged++
    else if (old && !opts.replace) conflicts.push(doc._id)
    else {
      pending.push(doc)
      if (old) result.updated++
      else result.created++
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts, lines, opts.file)

  const batches = batchDocuments(pending, opts.batchSize ?? 200, opts.maxBatchBytes ?? 2_000_000)
  progress(
    `${docs.length} documents: ${result.unchanged} already there, ${pending.length} to write in ${batches.length} transaction(s)`,
  )
  /** What of `batch` is not on the target yet; a document someone else created meanwhile is a conflict. */
  const remaining = async (batch: readonly DocumentInput[]): Promise<DocumentInput[]> => {
    const now = await read(batch.map((d) => d._id))
    const todo = batch.filter((d) => !(now.has(d._id) && sameContent(now.get(d._id)!, d)))
    const taken = opts.replace ? [] : todo.filter((d) => now.has(d._id))
    if (taken.length > 0)
      throw conflictError(
        taken.map((d) => d._id),
        lines,
        opts.file,
      )
    return todo
  }
  for (const [i, batch] of batches.entries()) {
    const transactionId = randomRevision()
    try {
      await withRetry(async ({previous}) => {
        // After a failure that may have been applied, send only what is not there yet.
        let todo = previous?.ambiguous ? await remaining(batch) : batch
        for (let round = 0; todo.length > 0; round++) {
          try {
            await client.mutate(mutationsFor(todo, opts.replace ?? false) as never, {
              transactionId,
              visibility: 'sync',
              autoGenerateArrayKeys: false,
              returnDocuments: false,
              tag: 'import',
            })
            return
          } catch (e) {
            // 409: someone wrote one of these documents meanwhile. Same content is fine; other content is a conflict.
            if (classifyFailure(e).status !== 409 || round > 0) throw e
            todo = await remaining(batch)
          }
        }
      }, retry)
      result.transactions.push(transactionId)
      progress(`transaction ${i + 1}/${batches.length}: ${batch.length} documents`)
    } catch (e) {
      if (e instanceof InputError) throw e
      const failure = classifyFailure(e)
      throw new RemoteImportError(
        `import failed at transaction ${i + 1} of ${batches.length} (${failure.message}); the ${i} before it were committed. Re-run the same command to continue: documents already imported are skipped.`,
        failure.status,
        {cause: e},
      )
    }
  }
  result.retries = retries
  return result
}

/** `create` for new documents (a concurrent creator makes it fail instead of being overwritten), `createOrReplace` with `replace`. */
function mutationsFor(docs: readonly DocumentInput[], replace: boolean): Mutation[] {
  return docs.map((doc) => (replace ? {createOrReplace: doc} : {create: doc}))
}

/** Documents with these ids as stored (drafts and versions included), by id. */
async function readExisting(
  client: SanityClient,
  ids: readonly string[],
  retry: RetryPolicy,
): Promise<Map<string, StoredDocument>> {
  const out = new Map<string, StoredDocument>()
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const chunk = ids.slice(i, i + READ_CHUNK)
    const docs = await withRetry(
      () =>
        client.fetch<StoredDocument[]>(
          '*[_id in $ids]',
          {ids: chunk},
          {perspective: 'raw', tag: 'import'},
        ),
      retry,
    )
    for (const d of docs) out.set(d._id, d)
  }
  return out
}

/** Consecutive groups of at most `size` documents and about `maxBytes` of JSON. */
export function batchDocuments(
  docs: readonly DocumentInput[],
  size: number,
  maxBytes: number,
): DocumentInput[][] {
  const out: DocumentInput[][] = []
  let current: DocumentInput[] = []
  let bytes = 0
  for (const doc of docs) {
    const n = Buffer.byteLength(JSON.stringify(doc)) + 16
    if (current.length > 0 && (current.length >= size || bytes + n > maxBytes)) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(doc)
    bytes += n
  }
  if (current.length > 0) out.push(current)
  return out
}

function conflictError(
  ids: readonly string[],
  lines: ReadonlyArray<{doc: {_id: string}; line: number}>,
  file: string,
): InputError {
  const lineOf = new Map(lines.map((l) => [l.doc._id, l.line]))
  return new InputError(
    ids.map((id) => ({
      file,
      line: lineOf.get(id),
      documentId: id,
      level: 'error' as const,
      message:
        'a document with this _id already exists on the target with different content (use --replace to overwrite)',
    })),
  )
}
