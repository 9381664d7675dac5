/**
 * GROQ over a Sanity API — the hosted Content Lake or the project's local API — with
 * @sanity/client, behind the same `runQuery` signature as the local runner. The only module of
 * the query path that touches the network.
 */
import {
  ClientError,
  createClient,
  isQueryParseError,
  ServerError,
  type ClientConfig,
  type SanityClient,
} from '@sanity/client'
import type {RemoteTarget} from '../lib/env.ts'
import {withRetry, type RetryPolicy} from '../lib/retry.ts'
import {GroqQueryError, RemoteQueryError} from './errors.ts'
import type {QueryOptions} from './local.ts'

export interface RemoteSource {
  readonly kind: 'remote'
  readonly target: RemoteTarget
  readonly client: SanityClient
  /** How 429s, 5xx answers and dropped connections are retried (scripts/lib/retry.ts). */
  readonly retry?: RetryPolicy
}

const DEFAULT_API_HOST = 'https://api.sanity.io'

/** The @sanity/client config for a target (pure; exported for tests and diagnostics). */
export function remoteClientConfig(target: RemoteTarget): ClientConfig {
  const config: ClientConfig = {
    projectId: target.projectId,
    dataset: target.dataset,
    apiVersion: target.apiVersion,
    // Pipeline reads must see the latest writes; the CDN may lag.
    useCdn: false,
    perspective: 'published',
  }
  if (target.token) config.token = target.token
  if (target.apiHost && target.apiHost.replace(/\/+$/, '') !== DEFAULT_API_HOST) {
    // A custom host (the local API) is addressed directly, not as <projectId>.<host>.
    config.apiHost = target.apiHost.replace(/\/+$/, '')
    config.useProjectHostname = false
  }
  return config
}

export function createRemoteSource(
  target: RemoteTarget,
  overrides: Partial<ClientConfig> = {},
  retry: RetryPolicy = {},
): RemoteSource {
  // The client's own retries ignore Retry-After and stack with ours: runQuery retries instead.
  return {
    kind: 'remote',
    target,
    client: createClient({...remoteClientConfig(target), maxRetries: 0, ...overrides}),
    retry,
  }
}

/** Run a GROQ query against the API; same signature as the local `runQuery`. */
export async function runQuery<R = unknown>(
  source: RemoteSource,
  query: string,
  params: Record<string, unknown> = {},
  opts: QueryOptions = {},
): Promise<R> {
  try {
    // A query is a read: safe to repeat after a rate limit, a server error or a dropped connection.
    return await withRetry(
      () => source.client.fetch<R>(query, params, {perspective: opts.perspective ?? 'published'}),
      source.retry,
    )
  } catch (e) {
    throw remoteError(e, query)
  }
}

/** Map @sanity/client failures to the pipeline's named errors. */
function remoteError(e: unknown, query: string): Error {
  if (e instanceof ClientError || e instanceof ServerError) {
    const details = (e as {details?: unknown}).details
    if (details && typeof details === 'object' && isQueryParseError(details)) {
      const {start, description} = details as {start: number; description: string}
      const before = query.slice(0, start)
      const line = before.split('\n').length
      const column = start - before.lastIndexOf('\n')
      return new GroqQueryError(`${description} (line ${line}, column ${column})`, query, {
        position: start,
        line,
        column,
      })
    }
    return new RemoteQueryError(e.message, e.statusCode, {cause: e})
  }
  return new RemoteQueryError(
    `Sanity API request failed: ${(e as Error)?.message ?? String(e)}`,
    undefined,
    {cause: e},
  )
}
