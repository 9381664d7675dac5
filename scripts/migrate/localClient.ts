/**
 * `context.client` for migrations on the embedded dataset: the read methods @sanity/migrate allows
 * (`fetch`, `getDocument`, `getDocuments`, `config`, `withConfig`, `clone`), answered by the local
 * GROQ runner. Like the client Sanity's runner hands out (API v2024-01-29), queries default to the
 * raw perspective: drafts included.
 */
import type {RestrictedClient} from 'sanity/migrate'
import {createLocalSource, runQuery, type LocalSource, type Perspective} from '../query/local.ts'
import type {StoredDocument} from '../store/types.ts'

export function localContextClient(
  load: () => readonly StoredDocument[],
  config: {dataset: string},
): RestrictedClient {
  let source: LocalSource | undefined
  const docs = () => (source ??= createLocalSource(load()))
  const byId = () => new Map(docs().documents.map((d) => [d._id, d]))
  const clientConfig = {
    projectId: 'embedded',
    dataset: config.dataset,
    apiVersion: '2024-01-29',
    useCdn: false,
    perspective: 'raw',
  }
  const unsupported = (name: string) => () => {
    throw new Error(`context.client.${name}() is not available on the embedded dataset`)
  }
  const client = {
    fetch: (
      query: string,
      params?: Record<string, unknown>,
      options?: {perspective?: Perspective},
    ) => runQuery(docs(), query, params ?? {}, {perspective: options?.perspective ?? 'raw'}),
    getDocument: async (id: string) => byId().get(id),
    getDocuments: async (ids: string[]) => {
      const map = byId()
      return ids.map((id) => map.get(id) ?? null)
    },
    config: () => ({...clientConfig}),
    withConfig: () => client,
    clone: () => client,
    users: {getById: unsupported('users.getById')},
    projects: {list: unsupported('projects.list'), getById: unsupported('projects.getById')},
  }
  // Anything else (create, patch, transaction…) would write around the migration's transaction.
  return new Proxy(client, {
    get(target, property) {
      if (property in target) return target[property as keyof typeof target]
      if (typeof property === 'string' && property !== 'then') {
        throw new Error(
          `context.client.${property} is not available to migrations (read-only: ${Object.keys(target).join(', ')})`,
        )
      }
      return undefined
    },
  }) as unknown as RestrictedClient
}
