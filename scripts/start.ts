/**
 * `npm start`: the product's main job on the embedded dataset. Create the partners (their
 * migration, once), import the sample sources, validate the result with the Studio's rules, export
 * every feed. Both are rehearsed on an in-memory copy first, so when validation finds errors
 * neither the dataset nor dist/ changes.
 */
import {parseCli, progress, runCli} from './lib/cli.ts'
import {disableTelemetry} from './lib/env.ts'
import {formatProblem} from './lib/errors.ts'
import {DEFAULT_DATASET, DEFAULT_OUT, SOURCES_DIR} from './lib/paths.ts'
import {exportFeeds} from './feeds/export.ts'
import {assertPublishable, publishGate} from './feeds/gate.ts'
import {importSources, sourceFiles, type ImportReport} from './import/index.ts'
import {applyMigrations} from './migrate/apply.ts'
import {Dataset} from './store/dataset.ts'
import {validationCachePath} from './validate/cache.ts'

/**
 * Migrations `npm start` applies (through the migration runner, recorded in the dataset like `npm
 * run migrate`'s): the partner documents come from the profiles the partners migration holds.
 */
const START_MIGRATIONS = ['2026-12-08-partners-as-documents']

const spec = {
  usage:
    'npm start -- [--sources <dir>] [--dataset <path>] [--out <dir>] [--now <iso>] [--base-url <url>] [--json]',
  summary:
    'Create the partner documents (their migration, once), import every .txt/.md in content/sources into the embedded dataset, validate it, and export all feeds.\nExit 1 (and nothing written) when validation finds errors.',
  options: {
    sources: {type: 'string'},
    dataset: {type: 'string'},
    out: {type: 'string'},
    now: {type: 'string'},
    'base-url': {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    sources: 'Folder of source articles (default content/sources)',
    dataset: 'SQLite dataset file (default .data/dataset.sqlite)',
    out: 'Output folder, replaced atomically (default dist/)',
    now: 'ISO date-time for feed dates (default: newest date in the data)',
    'base-url': 'Web frontend the feeds link to',
    json: 'Print one JSON summary on stdout',
    quiet: 'No progress on stderr',
  },
} as const

await runCli(async () => {
  disableTelemetry()
  const {values} = parseCli(spec)
  const started = performance.now()
  const files = await sourceFiles(values.sources ?? SOURCES_DIR)
  const datasetPath = values.dataset ?? DEFAULT_DATASET
  const ds = Dataset.open(datasetPath)
  try {
    // Rehearse: import into an in-memory copy and validate that, before touching anything real.
    progress(`importing ${files.length} source file(s)`)
    const rehearsal = Dataset.open(':memory:')
    rehearsal.importDocuments(ds.documents())
    await applyMigrations(rehearsal, START_MIGRATIONS)
    await importSources(rehearsal, files)
    const docs = rehearsal.documents()
    rehearsal.close()
    progress(`validating ${docs.length} documents`)
    // The publish gate every feed writer shares (feeds/gate.ts), on the rehearsal: errors of
    // published documents stop everything before the dataset or dist/ changes. Cached per
    // document next to the dataset: a re-run validates only what the import changed.
    const validation = await publishGate(docs, {
      onProgress: progress,
      cache: validationCachePath(datasetPath),
    })
    assertPublishable(validation)

    const migrations = await applyMigrations(ds, START_MIGRATIONS, {onProgress: progress})
    const reports: ImportReport[] = await importSources(ds, files)
    progress('exporting feeds')
    // Gated above, on the same content the import just wrote.
    const exported = await exportFeeds({
      dataset: ds,
      out: values.out ?? DEFAULT_OUT,
      now: values.now,
      baseUrl: values['base-url'],
      onProgress: progress,
    })
    const summary = {
      ok: true,
      documents: ds.count(),
      migrations: migrations.map((m) => ({id: m.id, status: m.status, changes: m.changes.length})),
      imported: reports.map((r) => ({
        file: r.file,
        articleId: r.articleId,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        deleted: r.deleted,
      })),
      warnings: validation.warnings.length,
      out: exported.out,
      files: exported.files,
      partners: exported.partners.map((p) => p.name),
      ms: Math.round(performance.now() - started),
    }
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
    else {
      for (const m of summary.migrations.filter((m) => m.status === 'applied'))
        process.stdout.write(`migrated ${m.id}: ${m.changes} documents changed\n`)
      for (const r of summary.imported) {
        process.stdout.write(
          `imported ${r.file}: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.deleted} deleted\n`,
        )
      }
      for (const p of validation.warnings) process.stdout.write(`${formatProblem(p)}\n`)
      process.stdout.write(
        `${summary.documents} documents, ${summary.warnings} warnings, ${summary.files} files written to ${summary.out} ` +
          `(partners: ${summary.partners.join(', ') || 'none'}) in ${(summary.ms / 1000).toFixed(1)} s\n`,
      )
    }
    return 0
  } finally {
    ds.close()
  }
})
