/**
 * Run a migration's handlers over its selected documents and turn what they return into the
 * `/data/mutate` JSON every target understands — the same encoding @sanity/migrate's run() sends
 * to Content Lake (SanityEncoder from @sanity/mutate).
 */
import {SanityEncoder} from '@sanity/mutate'
import {
  collectMigrationMutations,
  type Migration,
  type MigrationContext,
  type RestrictedClient,
  type SanityDocument,
} from 'sanity/migrate'
import type {Mutation} from '../store/types.ts'
import {MigrationFailedError} from './errors.ts'

export interface CollectOptions {
  /** `context.client` for handlers that query (read-only). */
  client: RestrictedClient
  /** `context.dryRun` as handlers see it. */
  dryRun: boolean
  /** Named in errors. */
  migrationId: string
}

type Collected = {type: string; mutations?: unknown[]}

/**
 * The mutations `migration` makes for `docs`, in the order its handlers returned them.
 * Handlers get private copies: nothing they do to a document object leaks back.
 * Transactions a migration yields are flattened: the runner commits one transaction per migration.
 */
export async function collectMutations(
  migration: Migration,
  docs: readonly SanityDocument[],
  opts: CollectOptions,
): Promise<Mutation[]> {
  const byId = new Map(docs.map((d) => [d._id, d]))
  const copy = <T>(doc: T): T => structuredClone(doc)
  const context: MigrationContext = {
    client: opts.client,
    dryRun: opts.dryRun,
    filtered: {
      getDocument: (async (id: string) =>
        byId.has(id)
          ? copy(byId.get(id))
          : undefined) as MigrationContext['filtered']['getDocument'],
      getDocuments: (async (ids: string[]) =>
        ids.flatMap((id) =>
          byId.has(id) ? [copy(byId.get(id))] : [],
        )) as MigrationContext['filtered']['getDocuments'],
    },
  }
  async function* generate(): AsyncGenerator<SanityDocument> {
    for (const doc of docs) yield copy(doc)
  }
  // sanity/migrate and @sanity/types each bring their own (identical) SanityDocument type.
  const documents = generate as unknown as Parameters<typeof collectMigrationMutations>[1]

  const out: Mutation[] = []
  try {
    for await (const batch of collectMigrationMutations(migration, documents, context)) {
      for (const m of [batch].flat() as Collected[]) {
        const internal = m.type === 'transaction' ? (m.mutations ?? []) : [m]
        out.push(...(SanityEncoder.encodeAll(internal as never[]) as unknown as Mutation[]))
      }
    }
  } catch (e) {
    throw new MigrationFailedError(
      opts.migrationId,
      `a handler failed, nothing was written: ${(e as Error)?.message ?? String(e)}`,
      {cause: e},
    )
  }
  const unaddressed = out.findIndex((m) => mutationTarget(m) === undefined)
  if (unaddressed !== -1) {
    throw new MigrationFailedError(
      opts.migrationId,
      `mutation ${unaddressed} does not name its document by id (${JSON.stringify(out[unaddressed])}); migrations must, so every change can be revision-checked`,
    )
  }
  return out
}

/** The document id a mutation writes, when it names one. */
export function mutationTarget(m: Mutation): string | undefined {
  if ('patch' in m) return m.patch.id
  if ('delete' in m) return m.delete.id
  if ('create' in m)
    return typeof m.create._id === 'string' && !m.create._id.endsWith('.')
      ? m.create._id
      : undefined
  if ('createOrReplace' in m) return m.createOrReplace._id
  if ('createIfNotExists' in m) return m.createIfNotExists._id
  return undefined
}
