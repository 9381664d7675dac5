/** `npm run import -- [file] [options]`: import a listicle source into the embedded dataset. */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {parseCli, progress, runCli} from '../lib/cli.ts'
import {DEFAULT_DATASET, SOURCES_DIR, TAXONOMY_DIR} from '../lib/paths.ts'
import {Dataset} from '../store/dataset.ts'
import {importChecked, readSources} from './importer.ts'
import {formatReport} from './report.ts'

export const DEFAULT_SOURCE = join(SOURCES_DIR, 'microneedling-benefits.txt')

const spec = {
  usage:
    'npm run import -- [file] [--dataset <path>] [--title <t>] [--taxonomy <dir>] [--dry-run] [--json]',
  summary:
    'Imports a numbered listicle (.txt or .md; default: the microneedling sample) as an article, its benefits and the taxonomy they link to, in one transaction. Re-importing the same text writes nothing. The same text under another file name updates the article it made before (found by checksum) instead of adding a second article and its benefits; a text already in several articles is refused (exit 1). Bad input is reported with file and line and nothing is written.',
  options: {
    dataset: {type: 'string'},
    title: {type: 'string'},
    taxonomy: {type: 'string'},
    'dry-run': {type: 'boolean'},
    json: {type: 'boolean'},
    quiet: {type: 'boolean'},
  },
  help: {
    dataset: `Dataset file (default ${DEFAULT_DATASET})`,
    title:
      'Article title (default: a `# Title`, or a short first line that reads as a title; else one made from the file name, which the Studio flags until an editor changes or confirms it)',
    taxonomy: `Taxonomy directory (default ${TAXONOMY_DIR})`,
    'dry-run': 'Report what would change; write nothing',
    json: 'Print one JSON object (the report) on stdout',
    quiet: 'No progress lines on stderr',
  },
  positionals: {min: 0, max: 1},
} as const

await runCli(async () => {
  const {values, positionals} = parseCli(spec)
  const file = positionals[0] ?? DEFAULT_SOURCE
  const datasetPath = values.dataset ?? DEFAULT_DATASET
  progress(`importing ${file} into ${datasetPath}${values['dry-run'] ? ' (dry run)' : ''}`)
  const opts = {
    ...(values.taxonomy ? {taxonomyDir: values.taxonomy} : {}),
    ...(values.title !== undefined ? {title: values.title} : {}),
    dryRun: Boolean(values['dry-run']),
  }
  // Check the source before opening the dataset: bad input must leave no trace, not even a new file.
  const checked = await readSources([file], opts)
  // A dry run against a dataset that does not exist yet plans against an empty one, creating no file.
  const ds = Dataset.open(values['dry-run'] && !existsSync(datasetPath) ? ':memory:' : datasetPath)
  try {
    const [report] = importChecked(ds, checked, opts)
    if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`)
    else process.stdout.write(`${formatReport(report!)}\n`)
  } finally {
    ds.close()
  }
  return 0
})
