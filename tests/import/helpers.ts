/** Shared setup for the importer tests: real datasets in temp dirs, the real taxonomy, the seed. */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, SOURCES_DIR, TAXONOMY_DIR} from '../../scripts/lib/paths.ts'
import {importSource, type ImportOptions} from '../../scripts/import/importer.ts'
import type {ImportReport} from '../../scripts/import/report.ts'
import type {TaxonomyDoc} from '../../scripts/import/taxonomy.ts'
import {loadTaxonomy} from '../../scripts/import/taxonomyFiles.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'

export const SEED_FILE = join(SOURCES_DIR, 'microneedling-benefits.txt')
export const SEED = readFileSync(SEED_FILE)
export const FIXTURES = join(ROOT, 'tests', 'fixtures', 'import')

export const SEED_TITLES = [
  'Improves Skin Texture',
  'Minimizes Pores',
  'Fades Acne Scars',
  'Softens Fine Lines',
  'Brightens Skin Tone',
  'Boosts Product Absorption',
  'Improves Skin Thickness',
  'Erases Stretch Marks',
  'Non-Invasive Technique',
  'Safe For All Skin Types',
]

let cached: Promise<TaxonomyDoc[]> | undefined
export const taxonomy = (): Promise<TaxonomyDoc[]> => (cached ??= loadTaxonomy(TAXONOMY_DIR))

export interface TempDataset {
  dir: string
  path: string
  ds: Dataset
  /** Close and reopen (a second process would see the same file). */
  reopen(): Dataset
  cleanup(): void
}

/** A dataset file in a fresh temp dir, with a fixed clock and counting revisions (deterministic). */
export function tempDataset(): TempDataset {
  const dir = mkdtempSync(join(tmpdir(), 'import-test-'))
  const path = join(dir, 'dataset.sqlite')
  let n = 0
  const open = () =>
    Dataset.open(path, {
      now: () => new Date('2025-01-01T00:00:00.000Z'),
      newRevision: () => `rev${++n}`,
    })
  const t: TempDataset = {
    dir,
    path,
    ds: open(),
    reopen() {
      t.ds.close()
      t.ds = open()
      return t.ds
    },
    cleanup() {
      t.ds.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  return t
}

export async function importText(
  ds: Dataset,
  file: string,
  text: string | Uint8Array,
  opts: Omit<ImportOptions, 'taxonomy' | 'taxonomyDir'> = {},
): Promise<ImportReport> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  return importSource(ds, {file, bytes}, await taxonomy(), opts)
}

/** Referenced ids of a reference array field, or of a link array field (`{target: {_ref}}`). */
export const refs = (doc: StoredDocument | undefined, field: string): string[] =>
  ((doc?.[field] as Array<{_ref?: string; target?: {_ref: string}}> | undefined) ?? []).map(
    (r) => r._ref ?? r.target!._ref,
  )
