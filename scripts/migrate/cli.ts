/**
 * `npm run migrate -- [--list] [<name>] [--dry-run] [--dataset <path>] [--dir <dir>] [--json]`
 * `npm run migrate -- --export-archive <file.tar.gz> [--dataset <path>]`
 * Runs the `defineMigration` files in migrations/ against the embedded dataset (default) or, when
 * the environment names one (SANITY_PROJECT_ID…, see scripts/lib/env.ts) and no --dataset is
 * given, a Sanity API.
 */
import {renameSync, rmSync, writeFileSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {disableTelemetry, remoteTargetFromEnv} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET, MIGRATIONS_DIR} from '../lib/paths.ts'
import {exportArchive} from './archive.ts'
import {discoverMigrations, findMigration} from './discover.ts'
import {EmbeddedTarget} from './embedded.ts'
import {describeTarget, formatList, formatRun} from './format.ts'
import {RemoteMigrationTarget} from './remote.ts'
import {listMigrations, runMigrations} from './runner.ts'
import type {MigrationTarget} from './target.ts'

const spec = {
  usage:
    'npm run migrate -- [--list] [<name>] [--dry-run] [--dataset <path>] [--json]   |   npm run migrate -- --export-archive <file.tar.gz>',
  summary: [
    'Runs the pending migrations in migrations/<name>/index.ts (defineMigration from sanity/migrate), in name',
    'order, each as one atomic transaction with revision checks, recorded in the dataset (_.migrations.<name>):',
    'a second run does nothing. <name> runs one migration (folder name, with or without its date prefix).',
    '--dry-run prints every change per document and writes nothing. Exit 1 when a migration fails (nothing',
    'of it is written; later ones do not run). Target: the embedded dataset, or the Sanity API named by',
    'SANITY_PROJECT_ID/SANITY_DATASET/SANITY_TOKEN[/SANITY_API_HOST] when --dataset is not given.',
  ].join('\n'),
  options: {
    list: {type: 'boolean'},
    'dry-run': {type: 'boolean'},
    dataset: {type: 'string'},
    dir: {type: 'string'},
    'export-archive': {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    list: 'Show every migration as applied or pending, and stop',
    'dry-run': 'Show what would change, per document and field; write nothing',
    dataset: 'SQLite dataset file (default .data/dataset.sqlite)',
    dir: 'Migrations directory (default migrations/)',
    'export-archive':
      'Write the dataset as a `sanity dataset export` tar.gz (for `sanity migration run --from-export`), and stop',
    json: 'Print one JSON object on stdout',
    quiet: 'No progress on stderr',
  },
  positionals: {min: 0, max: 1},
} as const

await runCli(async () => {
  disableTelemetry()
  const {values, positionals} = parseCli(spec)
  const name = positionals[0]
  const archive = values['export-archive']
  if (archive !== undefined && (values.list || values['dry-run'] || name))
    throw new UsageError(
      '--export-archive cannot be combined with --list, --dry-run or a migration name',
    )
  if (values.list && (values['dry-run'] || name))
    throw new UsageError('--list cannot be combined with --dry-run or a migration name')

  const migrations =
    archive === undefined ? await discoverMigrations(resolve(values.dir ?? MIGRATIONS_DIR)) : []
  const selected = name === undefined ? migrations : [findMigration(migrations, name)]
  const print = (human: string, json: object) =>
    process.stdout.write(`${values.json ? JSON.stringify(json) : human}\n`)

  const target = openTarget(values.dataset)
  try {
    if (archive !== undefined) {
      const docs = await target.documents()
      const label =
        target.description.kind === 'embedded'
          ? basename(target.description.dataset).replace(/\.[^.]+$/, '')
          : target.description.dataset
      writeAtomically(archive, exportArchive(docs, {name: `${label}-export`, now: new Date()}))
      const written = docs.filter((d) => !d._id.startsWith('_.')).length
      print(`wrote ${written} documents from ${describeTarget(target.description)} to ${archive}`, {
        ok: true,
        file: archive,
        documents: written,
        target: target.description,
      })
      return 0
    }
    if (values.list) {
      const list = await listMigrations(target, migrations)
      const ids = (status: string) => list.filter((m) => m.status === status).map((m) => m.id)
      print(formatList(target.description, list), {
        ok: true,
        target: target.description,
        migrations: list,
        applied: ids('applied'),
        pending: ids('pending'),
      })
      return 0
    }
    const report = await runMigrations(target, selected, {
      dryRun: values['dry-run'] ?? false,
      onProgress: progress,
    })
    print(formatRun(report), report)
    return report.ok ? 0 : 1
  } finally {
    target.close()
  }
})

/** The Sanity API the environment names (unless a dataset file is given), else the embedded dataset. */
function openTarget(dataset: string | undefined): MigrationTarget {
  const remote = dataset === undefined ? remoteTargetFromEnv() : undefined
  return remote
    ? new RemoteMigrationTarget(remote)
    : EmbeddedTarget.open(resolve(dataset ?? DEFAULT_DATASET))
}

/** Temp file next to the target, then rename: no half-written archive is ever visible. */
function writeAtomically(file: string, data: Uint8Array): void {
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`)
  try {
    writeFileSync(tmp, data)
    renameSync(tmp, file)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}
