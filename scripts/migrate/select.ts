/**
 * Which documents a migration's handlers see — what @sanity/migrate's run()/dryRun() do in an
 * unexported helper, which `collectMigrationMutations` does not: skip `_.` system documents
 * (our ledger among them), keep `documentTypes`, keep what the GROQ `filter` matches. Drafts and
 * release versions are documents like any other and are selected too, as Sanity's runner does.
 */
import {evaluate, evaluateSync, parse, toJS, type ExprNode} from 'groq-js'
import type {Migration} from 'sanity/migrate'
import {UsageError} from '../lib/errors.ts'
import {isSystemId} from '../store/ids.ts'

/** Parse `filter` the way Sanity does (`*[<filter>]`), with a message naming the migration. */
export function parseFilter(filter: string, migrationId: string): ExprNode {
  try {
    return parse(`*[${filter}]`)
  } catch (e) {
    throw new UsageError(`${migrationId}: bad GROQ filter "${filter}": ${(e as Error).message}`)
  }
}

/**
 * The documents `migration` applies to, in input order. Like Sanity's runner the filter sees one
 * document at a time (no joins), so results match `sanity migration run` exactly.
 */
export async function selectDocuments<D extends {_id: string; _type: string}>(
  migration: Migration,
  docs: readonly D[],
  migrationId = 'migration',
): Promise<D[]> {
  const types = migration.documentTypes?.length ? new Set(migration.documentTypes) : undefined
  const filter = migration.filter ? parseFilter(migration.filter, migrationId) : undefined
  const out: D[] = []
  for (const doc of docs) {
    if (isSystemId(doc._id)) continue
    if (types && !types.has(doc._type)) continue
    if (filter && !(await matches(filter, doc))) continue
    out.push(doc)
  }
  return out
}

async function matches(filter: ExprNode, doc: unknown): Promise<boolean> {
  try {
    // The sync evaluator is much faster; a few functions exist only in the async one.
    return (toJS(evaluateSync(filter, {dataset: [doc]})) as unknown[]).length === 1
  } catch {
    return ((await (await evaluate(filter, {dataset: [doc]})).get()) as unknown[]).length === 1
  }
}
