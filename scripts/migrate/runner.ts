/**
 * The migration runner: for each pending migration, in order — read the documents it covers,
 * select (documentTypes, filter, no system documents; drafts included), collect the handlers'
 * mutations, add revision checks, work out the per-document changes in memory, then commit the
 * mutations and the ledger record as ONE transaction. A handler that throws, a mutation that
 * cannot apply or a document changed meanwhile (revision conflict) fails the migration with
 * nothing of it written; later migrations then do not run.
 *
 * A dry run does all of this against an in-memory copy of the target, so a later migration sees
 * what an earlier one would have done, and the target is never written.
 *
 * @example
 *   const target = EmbeddedTarget.open('.data/dataset.sqlite')
 *   const report = await runMigrations(target, await discoverMigrations('migrations'), {dryRun: true})
 */
import type {StoredDocument} from '../store/types.ts'
import {collectMutations, mutationTarget} from './collect.ts'
import {EmbeddedTarget} from './embedded.ts'
import {errorCode} from './errors.ts'
import {guardRevisions} from './guard.ts'
import {ledgerRecord} from './ledger.ts'
import {previewChanges} from './preview.ts'
import {selectDocuments} from './select.ts'
import type {MigrationTarget} from './target.ts'
import type {ListedMigration, LoadedMigration, MigrationOutcome, RunReport} from './types.ts'

export interface RunOptions {
  /** Work out and report every change; write nothing. */
  dryRun?: boolean
  /** The clock for `appliedAt` (injected for tests). */
  now?: () => Date
  /** Progress lines (the CLI sends them to stderr). */
  onProgress?: (message: string) => void
}

/** Run every migration in `migrations` that the target's ledger does not list yet, in order. */
export async function runMigrations(
  target: MigrationTarget,
  migrations: readonly LoadedMigration[],
  opts: RunOptions = {},
): Promise<RunReport> {
  const dryRun = opts.dryRun ?? false
  const applied = new Map((await target.ledger()).map((r) => [r.migration, r]))
  const pending = migrations.filter((m) => !applied.has(m.id))
  // Only copy the target when there is something to try out.
  const work =
    dryRun && pending.length > 0
      ? EmbeddedTarget.inMemory(await target.documents(), target.description)
      : target
  const outcomes: MigrationOutcome[] = []
  let failed = false
  try {
    for (const m of migrations) {
      const base: MigrationOutcome = {
        id: m.id,
        title: m.title,
        status: 'not-run',
        selected: 0,
        mutations: 0,
        changes: [],
        transactionIds: [],
      }
      const record = applied.get(m.id)
      if (record) {
        outcomes.push({
          ...base,
          status: 'already-applied',
          appliedAt: record.appliedAt,
          transactionIds: record._rev ? [record._rev] : [],
        })
        continue
      }
      if (failed) {
        outcomes.push(base)
        continue
      }
      opts.onProgress?.(`${dryRun ? 'dry run' : 'running'}: ${m.id}`)
      try {
        outcomes.push(await runOne(work, m, {dryRun, now: opts.now ?? (() => new Date())}))
      } catch (e) {
        failed = true
        outcomes.push({
          ...base,
          status: 'failed',
          error: {code: errorCode(e), message: (e as Error)?.message ?? String(e)},
        })
      }
    }
  } finally {
    if (work !== target) work.close()
  }
  return {ok: !failed, dryRun, target: target.description, migrations: outcomes}
}

async function runOne(
  target: MigrationTarget,
  m: LoadedMigration,
  opts: {dryRun: boolean; now: () => Date},
): Promise<MigrationOutcome> {
  const types = m.migration.documentTypes?.length ? m.migration.documentTypes : undefined
  const docs = await target.documents(types)
  const selected = await selectDocuments(m.migration, docs, m.id)
  const mutations = await collectMutations(m.migration, selected, {
    client: target.contextClient(),
    dryRun: opts.dryRun,
    migrationId: m.id,
  })

  // Documents the mutations write outside what was read (a created person, a related document).
  const known = new Map<string, StoredDocument>(docs.map((d) => [d._id, d]))
  const outside = [...new Set(mutations.map(mutationTarget))].filter(
    (id): id is string => id !== undefined && !known.has(id),
  )
  for (const d of outside.length > 0 ? await target.getDocuments(outside) : []) known.set(d._id, d)

  const guarded = guardRevisions(
    mutations,
    new Map([...known.values()].map((d) => [d._id, d._rev])),
  )
  const changes = previewChanges([...known.values()], guarded)
  const appliedAt = opts.now().toISOString()
  const record = ledgerRecord(m, {
    appliedAt,
    documents: changes.length,
    mutations: mutations.length,
  })
  const transactionIds = await target.commit([...guarded, {create: record}], {
    author: `migration:${m.id}`,
  })

  const outcome: MigrationOutcome = {
    id: m.id,
    title: m.title,
    status: opts.dryRun ? 'dry-run' : 'applied',
    selected: selected.length,
    mutations: mutations.length,
    changes,
    transactionIds: opts.dryRun ? [] : transactionIds,
  }
  if (!opts.dryRun) outcome.appliedAt = appliedAt
  return outcome
}

/** Every migration with its status on the target, plus ledger entries whose folder is gone. */
export async function listMigrations(
  target: MigrationTarget,
  migrations: readonly LoadedMigration[],
): Promise<ListedMigration[]> {
  const ledger = new Map((await target.ledger()).map((r) => [r.migration, r]))
  const out: ListedMigration[] = migrations.map((m) => {
    const entry: ListedMigration = {id: m.id, title: m.title, status: 'pending'}
    if (m.migration.documentTypes) entry.documentTypes = [...m.migration.documentTypes]
    if (m.migration.filter) entry.filter = m.migration.filter
    const record = ledger.get(m.id)
    if (record) {
      entry.status = 'applied'
      entry.appliedAt = record.appliedAt
      if (record._rev) entry.transactionId = record._rev
      if (record.checksum !== m.checksum) entry.modified = true
    }
    return entry
  })
  for (const record of ledger.values()) {
    if (migrations.some((m) => m.id === record.migration)) continue
    const entry: ListedMigration = {
      id: record.migration,
      title: record.title,
      status: 'applied',
      appliedAt: record.appliedAt,
      missing: true,
    }
    if (record._rev) entry.transactionId = record._rev
    out.push(entry)
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
