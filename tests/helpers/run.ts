/** Run the project's commands the way a user does: Node 24 from node_modules/.bin, telemetry off. */
import {spawnSync, type SpawnSyncReturns} from 'node:child_process'
import {join} from 'node:path'
import {ROOT} from '../../scripts/lib/paths.ts'

export const NODE = join(ROOT, 'node_modules', '.bin', 'node')
export const SANITY = join(ROOT, 'node_modules', '.bin', 'sanity')

export const testEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  DO_NOT_TRACK: '1',
  SANITY_TELEMETRY_DISABLED: '1',
  PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
  ...extra,
})

/** `node <script> ...args` from the project root. */
export function runScript(
  script: string,
  args: string[],
  opts: {env?: Record<string, string>; input?: string} = {},
): SpawnSyncReturns<string> {
  return spawnSync(NODE, [join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: testEnv(opts.env),
    input: opts.input,
    maxBuffer: 256 * 1024 * 1024,
  })
}

export function runSanity(
  args: string[],
  opts: {env?: Record<string, string>} = {},
): SpawnSyncReturns<string> {
  return spawnSync(SANITY, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: testEnv({SANITY_AUTH_TOKEN: 'offline', ...opts.env}),
    maxBuffer: 64 * 1024 * 1024,
  })
}
