/**
 * The only reader of process.env. Selects the target: the embedded dataset (default) or a
 * Sanity API (hosted Content Lake, or the local API) when SANITY_PROJECT_ID is set.
 */
import {UsageError} from './errors.ts'

export interface RemoteTarget {
  kind: 'remote'
  projectId: string
  dataset: string
  token?: string
  /** e.g. https://api.sanity.io (default) or http://127.0.0.1:3335 for the local API. */
  apiHost?: string
  apiVersion: string
}

export const API_VERSION = '2025-02-19'

export function remoteTargetFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): RemoteTarget | undefined {
  const projectId = env.SANITY_PROJECT_ID
  if (!projectId) return undefined
  const dataset = env.SANITY_DATASET
  if (!dataset)
    throw new UsageError(
      'Missing environment variable: SANITY_DATASET (needed with SANITY_PROJECT_ID)',
    )
  return {
    kind: 'remote',
    projectId,
    dataset,
    token: env.SANITY_TOKEN || env.SANITY_AUTH_TOKEN || undefined,
    apiHost: env.SANITY_API_HOST || undefined,
    apiVersion: API_VERSION,
  }
}

/**
 * The secret Sanity webhook deliveries are signed with (SANITY_WEBHOOK_SECRET: the hook's
 * `secret`), for the publisher's `--webhook-port`; undefined when unset or empty. Never printed.
 */
export function webhookSecretFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SANITY_WEBHOOK_SECRET || undefined
}

/** Keep Sanity's CLI and libraries from phoning home. */
export function disableTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env.DO_NOT_TRACK ??= '1'
  env.SANITY_TELEMETRY_DISABLED ??= '1'
}
