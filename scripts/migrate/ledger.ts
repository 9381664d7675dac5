/**
 * The record of applied migrations: one document per migration, `_.migrations.<id>` of type
 * `migration.record`, created in the same transaction as the migration's own changes — so a
 * migration and its record commit together or not at all, on the embedded store and on any
 * Sanity API alike. `_.` ids are Sanity's system namespace: migration runners (ours and
 * @sanity/migrate's) skip them, `sanity dataset export` leaves them out, and on Content Lake they
 * are not publicly readable. Being a `create`, the record is also a lock: two runs of the same
 * migration cannot both commit.
 */
import type {LedgerRecord, LoadedMigration} from './types.ts'

export const LEDGER_TYPE = 'migration.record'
export const LEDGER_PREFIX = '_.migrations.'

export const ledgerId = (migrationId: string): string => `${LEDGER_PREFIX}${migrationId}`

export function ledgerRecord(
  m: LoadedMigration,
  facts: {appliedAt: string; documents: number; mutations: number},
): LedgerRecord {
  return {
    _id: ledgerId(m.id),
    _type: LEDGER_TYPE,
    migration: m.id,
    title: m.title,
    appliedAt: facts.appliedAt,
    checksum: m.checksum,
    documents: facts.documents,
    mutations: facts.mutations,
  }
}

export function isLedgerRecord(doc: unknown): doc is LedgerRecord {
  const d = doc as Partial<LedgerRecord> | null
  return (
    !!d &&
    d._type === LEDGER_TYPE &&
    typeof d._id === 'string' &&
    d._id.startsWith(LEDGER_PREFIX) &&
    typeof d.migration === 'string'
  )
}

/** GROQ for the ledger on a Sanity API (raw perspective: `_.` ids are neither drafts nor versions). */
export const LEDGER_QUERY = `*[_type == "${LEDGER_TYPE}"]`
