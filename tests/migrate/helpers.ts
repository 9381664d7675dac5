/** Shared by the migration tests: fixtures into real datasets, migrations loaded as the CLI loads them. */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {at, defineMigration, set, type Migration} from 'sanity/migrate'
import {ROOT} from '../../scripts/lib/paths.ts'
import {discoverMigrations, findMigration} from '../../scripts/migrate/discover.ts'
import {EmbeddedTarget} from '../../scripts/migrate/embedded.ts'
import type {LoadedMigration} from '../../scripts/migrate/types.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {parseNdjson} from '../../scripts/store/ndjson.ts'
import type {DocumentInput, StoredDocument} from '../../scripts/store/types.ts'

export const MIGRATIONS_DIR = join(ROOT, 'migrations')
export const FIXED_NOW = () => new Date('2026-11-24T10:00:00.000Z')

/** A temp directory and its cleanup. */
export function tempDir(prefix: string): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** The documents of `migrations/<id>/fixture.ndjson`. */
export function fixtureDocs(id: string): DocumentInput[] {
  const file = join(MIGRATIONS_DIR, id, 'fixture.ndjson')
  return parseNdjson(readFileSync(file, 'utf8'), file)
}

/** A dataset (in memory unless `path`) holding `docs` exactly as given (system fields kept). */
export function datasetWith(docs: readonly DocumentInput[], path = ':memory:'): Dataset {
  const ds = Dataset.open(path)
  if (docs.length > 0) ds.importDocuments(docs, {author: 'test fixture'})
  return ds
}

export function targetWith(docs: readonly DocumentInput[]): {ds: Dataset; target: EmbeddedTarget} {
  const ds = datasetWith(docs)
  return {ds, target: new EmbeddedTarget(ds)}
}

export async function loadMigration(id: string): Promise<LoadedMigration> {
  return findMigration(await discoverMigrations(MIGRATIONS_DIR), id)
}

/** A migration made in a test, shaped like a loaded folder. */
export function inline(id: string, migration: Migration): LoadedMigration {
  return {id, title: migration.title, file: `${id}/index.ts`, checksum: `sha256:${id}`, migration}
}

/** A migration that sets `seen: true` on every document it is given: shows what was selected. */
export const markSeen = (opts: {documentTypes?: string[]; filter?: string} = {}) =>
  defineMigration({
    title: 'Mark what the handlers see',
    ...opts,
    migrate: {document: () => at('seen', set(true))},
  })

export const byId = (docs: readonly StoredDocument[]) => new Map(docs.map((d) => [d._id, d]))
