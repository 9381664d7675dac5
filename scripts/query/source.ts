/**
 * One entry point over both runners: the embedded dataset by default, a Sanity API when the
 * environment names one (SANITY_PROJECT_ID, see scripts/lib/env.ts).
 */
import {existsSync} from 'node:fs'
import {remoteTargetFromEnv} from '../lib/env.ts'
import {UsageError} from '../lib/errors.ts'
import {DEFAULT_DATASET} from '../lib/paths.ts'
import {Dataset} from '../store/dataset.ts'
import {
  createLocalSource,
  runQuery as runLocal,
  type LocalSource,
  type QueryOptions,
} from './local.ts'
import {createRemoteSource, runQuery as runRemote, type RemoteSource} from './remote.ts'

export type QuerySource = LocalSource | RemoteSource

export interface OpenSourceOptions {
  /** An embedded dataset file; given explicitly, it wins over a remote target in the environment. */
  dataset?: string
  env?: NodeJS.ProcessEnv
}

/** The remote API when the environment names one (and no dataset file was given), else the embedded dataset. */
export function openQuerySource(opts: OpenSourceOptions = {}): QuerySource {
  const target = opts.dataset === undefined ? remoteTargetFromEnv(opts.env) : undefined
  if (target) return createRemoteSource(target)
  const path = opts.dataset ?? DEFAULT_DATASET
  if (!existsSync(path))
    throw new UsageError(`dataset not found: ${path} (run \`npm run import\` first)`)
  const ds = Dataset.open(path)
  try {
    return createLocalSource(ds)
  } finally {
    ds.close()
  }
}

/** Run a query on either kind of source. */
export function runQuery<R = unknown>(
  source: QuerySource,
  query: string,
  params: Record<string, unknown> = {},
  opts: QueryOptions = {},
): Promise<R> {
  return source.kind === 'local'
    ? runLocal<R>(source, query, params, opts)
    : runRemote<R>(source, query, params, opts)
}
