/**
 * Find and load migrations: every `<dir>/<id>/index.ts` whose default export is a
 * `defineMigration` object, ordered by folder name (hence the date prefix). The same layout
 * Sanity's CLI reads, so `sanity migration run <id>` finds the same files.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {Migration} from 'sanity/migrate'
import {InputError, UsageError, type Problem} from '../lib/errors.ts'
import {sha256} from '../lib/hash.ts'
import type {LoadedMigration} from './types.ts'

/** Load every migration in `dir`; InputError lists every folder that is not a valid migration. */
export async function discoverMigrations(dir: string): Promise<LoadedMigration[]> {
  if (!existsSync(dir)) throw new UsageError(`migrations directory not found: ${dir}`)
  const problems: Problem[] = []
  const out: LoadedMigration[] = []
  const folders = readdirSync(dir, {withFileTypes: true})
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
  for (const id of folders) {
    const file = join(dir, id, 'index.ts')
    if (!existsSync(file)) continue // a helper folder, not a migration
    let migration: unknown
    try {
      migration = ((await import(pathToFileURL(file).href)) as {default?: unknown}).default
    } catch (e) {
      problems.push({file, level: 'error', message: `cannot load: ${(e as Error).message}`})
      continue
    }
    const problem = migrationProblem(migration)
    if (problem) {
      problems.push({file, level: 'error', message: problem})
      continue
    }
    const m = migration as Migration
    out.push({id, title: m.title, file, checksum: folderChecksum(join(dir, id)), migration: m})
  }
  if (problems.length > 0) throw new InputError(problems)
  return out
}

/** Why `value` is not a migration Sanity's CLI would load, or undefined. */
function migrationProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return 'default export must be defineMigration({...})'
  const m = value as Partial<Migration>
  if (typeof m.title !== 'string' || m.title.trim() === '') return 'migration needs a title'
  if (m.migrate === undefined || (typeof m.migrate !== 'function' && typeof m.migrate !== 'object'))
    return 'migration needs `migrate` (an object of handlers or an async generator)'
  if (
    m.documentTypes !== undefined &&
    (!Array.isArray(m.documentTypes) || m.documentTypes.some((t) => typeof t !== 'string'))
  ) {
    return 'documentTypes must be an array of type names'
  }
  if (m.filter !== undefined && typeof m.filter !== 'string')
    return 'filter must be a GROQ filter string'
  return undefined
}

/** Hash of the folder's source files and JSON inputs (tests and fixtures excluded), in name order. */
function folderChecksum(folder: string): string {
  const files = readdirSync(folder)
    .filter(
      (f) =>
        /\.(ts|js|mjs|json)$/.test(f) &&
        !/\.test\.ts$/.test(f) &&
        statSync(join(folder, f)).isFile(),
    )
    .sort()
  return `sha256:${sha256(files.map((f) => `${f}\u0000${readFileSync(join(folder, f), 'utf8')}`).join('\u0000'))}`
}

/**
 * The migration `name` refers to: its folder name, or the name without the date prefix
 * (`backfill-benefit-summary` for `2026-11-01-backfill-benefit-summary`).
 */
export function findMigration(
  migrations: readonly LoadedMigration[],
  name: string,
): LoadedMigration {
  const exact = migrations.find((m) => m.id === name)
  if (exact) return exact
  const bySuffix = migrations.filter((m) => m.id.replace(/^\d{4}-\d{2}-\d{2}-|^\d+-/, '') === name)
  if (bySuffix.length === 1) return bySuffix[0]!
  const known = migrations.map((m) => m.id).join(', ') || 'none'
  throw new UsageError(
    bySuffix.length > 1
      ? `"${name}" matches several migrations: ${bySuffix.map((m) => m.id).join(', ')}`
      : `no migration "${name}" (known: ${known})`,
  )
}
