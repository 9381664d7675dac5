/**
 * `npm run dataset -- import|export <file.ndjson> | count | stats`: NDJSON in and out of the
 * embedded dataset, in `sanity dataset import/export` shape.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {createClient} from '@sanity/client'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {remoteTargetFromEnv} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {Dataset} from './dataset.ts'
import {exportNdjson, importNdjson} from './ndjson.ts'
import {remoteClientConfig} from '../query/remote.ts'
import {importNdjsonRemote} from './remoteImport.ts'

const spec = {
  usage:
    'npm run dataset -- import <file.ndjson|-> | export <file.ndjson|-> | count | stats [options]',
  summary: [
    'import: load an NDJSON file ("-" = stdin) in one atomic transaction; every bad line is',
    '        reported and nothing is written. Existing documents with other content need --replace.',
    '        Without --dataset and with SANITY_PROJECT_ID/SANITY_DATASET/SANITY_TOKEN set: into that',
    '        Sanity API, in batches, retried on rate limits and errors; a re-run continues where it stopped.',
    'export: write every document, sorted by _id, to a file (atomically) or to stdout with "-".',
    'count:  number of documents (--type to count one type).   stats: documents per type, drafts, log.',
  ].join('\n'),
  options: {
    dataset: {type: 'string'},
    replace: {type: 'boolean'},
    type: {type: 'string'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: 'SQLite dataset file (default .data/dataset.sqlite)',
    replace: 'import: overwrite documents whose content differs',
    type: 'count: only documents of this _type',
    json: 'Print one JSON object on stdout',
    quiet: 'No progress on stderr',
  },
  positionals: {min: 1, max: 2},
} as const

const COMMANDS = ['import', 'export', 'count', 'stats'] as const
type Command = (typeof COMMANDS)[number]

await runCli(async () => {
  const {values, positionals} = parseCli(spec)
  const [command, file] = positionals as [string, string | undefined]
  if (!COMMANDS.includes(command as Command))
    throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.join(', ')})`)
  const needsFile = command === 'import' || command === 'export'
  if (needsFile && !file) throw new UsageError(`${command} needs a file argument`)
  if (!needsFile && file) throw new UsageError(`${command} takes no file argument`)
  const path = values.dataset ?? DEFAULT_DATASET
  if (command !== 'import' && !existsSync(path))
    throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
  const out = (human: string, json: Record<string, unknown>) =>
    process.stdout.write(values.json ? `${JSON.stringify({ok: true, ...json})}\n` : `${human}\n`)

  const remote =
    command === 'import' && values.dataset === undefined ? remoteTargetFromEnv() : undefined
  if (remote) {
    if (file !== '-' && !existsSync(file!)) throw new UsageError(`file not found: ${file}`)
    const text = readFileSync(file === '-' ? 0 : file!, 'utf8')
    const client = createClient({...remoteClientConfig(remote), maxRetries: 0})
    const r = await importNdjsonRemote(client, text, {
      file: file === '-' ? '<stdin>' : file!,
      replace: values.replace ?? false,
      onProgress: progress,
    })
    const counts = {created: r.created, updated: r.updated, unchanged: r.unchanged}
    out(
      `${file}: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged (${r.transactions.length} transactions, ${r.retries} retries) on ${remote.projectId}/${remote.dataset}`,
      {
        target: {
          projectId: remote.projectId,
          dataset: remote.dataset,
          ...(remote.apiHost ? {apiHost: remote.apiHost} : {}),
        },
        file,
        ...counts,
        transactions: r.transactions.length,
        retries: r.retries,
      },
    )
    return 0
  }

  const ds = Dataset.open(path)
  try {
    switch (command as Command) {
      case 'import': {
        if (file !== '-' && !existsSync(file!)) throw new UsageError(`file not found: ${file}`)
        const text = readFileSync(file === '-' ? 0 : file!, 'utf8')
        const started = performance.now()
        const counts = importNdjson(ds, text, {
          file: file === '-' ? '<stdin>' : file!,
          replace: values.replace ?? false,
        })
        const ms = Math.round(performance.now() - started)
        out(
          `${file}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged (${ms} ms)`,
          {
            dataset: path,
            file,
            ...counts,
          },
        )
        return 0
      }
      case 'export': {
        const text = exportNdjson(ds)
        const documents = ds.count()
        if (file === '-') {
          if (values.json)
            throw new UsageError('--json cannot be combined with export to stdout ("-")')
          process.stdout.write(text)
          progress(`exported ${documents} documents`)
          return 0
        }
        writeAtomically(file!, text)
        out(`exported ${documents} documents to ${file}`, {dataset: path, file, documents})
        return 0
      }
      case 'count': {
        const n = ds.count(values.type === undefined ? {} : {type: values.type})
        out(String(n), {
          dataset: path,
          count: n,
          ...(values.type === undefined ? {} : {type: values.type}),
        })
        return 0
      }
      case 'stats': {
        const stats = datasetStats(ds, path)
        const human = [
          `${path}: ${stats.documents} documents (${stats.drafts} drafts, ${stats.versions} versions), ${stats.bytes} bytes`,
          ...Object.entries(stats.types).map(([t, n]) => `  ${t.padEnd(20)} ${n}`),
          `transactions: ${stats.lastSeq}`,
        ].join('\n')
        out(human, {dataset: path, ...stats})
        return 0
      }
    }
  } finally {
    ds.close()
  }
})

/** Temp file next to the target, then rename: readers never see a half-written export. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), {recursive: true})
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`)
  try {
    writeFileSync(tmp, text)
    renameSync(tmp, file)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}

function datasetStats(ds: Dataset, path: string) {
  const bytes = ['', '-wal'].reduce(
    (n, s) => n + (existsSync(path + s) ? statSync(path + s).size : 0),
    0,
  )
  return {...ds.stats(), lastSeq: ds.lastSeq(), bytes}
}
