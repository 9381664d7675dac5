/** `npm run query -- '<groq>' [--params '<json>'] [--dataset <path>] [--perspective published|drafts|raw]` */
import {parseCli, runCli} from '../lib/cli.ts'
import {disableTelemetry} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {isPerspective, PERSPECTIVES} from './perspective.ts'
import {openQuerySource, runQuery} from './source.ts'

const spec = {
  usage:
    "npm run query -- '<groq>' [--params '<json>'] [--dataset <path>] [--perspective published|drafts|raw]",
  summary:
    'Runs a GROQ query and prints the result as JSON. Queries the Sanity API named by SANITY_PROJECT_ID /\nSANITY_DATASET (SANITY_API_HOST, SANITY_TOKEN) when set, otherwise the embedded dataset.',
  options: {
    params: {type: 'string'},
    dataset: {type: 'string'},
    perspective: {type: 'string'},
    json: {type: 'boolean'},
  },
  help: {
    params: 'Query parameters as a JSON object, e.g. \'{"slug":"collagen"}\'',
    dataset: 'SQLite dataset file (default .data/dataset.sqlite); forces the embedded dataset',
    perspective: `${PERSPECTIVES.join(' | ')} (default published)`,
    json: 'Print {ok, source, ms, result} instead of the bare result',
  },
  positionals: {min: 1, max: 1},
} as const

await runCli(async () => {
  disableTelemetry()
  const {values, positionals} = parseCli(spec)
  const query = positionals[0]!
  const perspective = values.perspective ?? 'published'
  if (!isPerspective(perspective))
    throw new UsageError(`--perspective must be one of ${PERSPECTIVES.join(', ')}`)
  const params = parseParams(values.params)
  const source = openQuerySource(values.dataset === undefined ? {} : {dataset: values.dataset})
  const started = performance.now()
  const result = await runQuery(source, query, params, {perspective})
  const ms = Math.round(performance.now() - started)
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ok: true, source: source.kind, ms, result: result ?? null})}\n`
      : `${JSON.stringify(result ?? null, null, 2)}\n`,
  )
  return 0
})

function parseParams(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`--params is not valid JSON: ${(e as Error).message}`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError('--params must be a JSON object')
  return value as Record<string, unknown>
}
