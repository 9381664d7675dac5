/**
 * The built Studio, cached: `sanity build` takes a minute or two, so its output is kept in
 * `studio-dist/` (ignored by git) with a key over everything that goes into the bundle —
 * the config and every module it imports (schemas, desk structure, the feed declarations the
 * schemas read), the Sanity packages' versions and the build-time environment. A matching key means the build is reused; one build serves any port because
 * the apiHost is resolved in the browser (SAME_ORIGIN_API_HOST, see local.ts).
 */
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {PipelineError} from '../lib/errors.ts'
import {sha256} from '../lib/hash.ts'
import {ROOT} from '../lib/paths.ts'
import {SAME_ORIGIN_API_HOST} from './local.ts'
import {scrubBuildOutput} from './offline.ts'

export const DEFAULT_STUDIO_DIR = join(ROOT, 'studio-dist')
const KEY_FILE = '.build-key'

export class StudioBuildError extends PipelineError {
  override readonly code = 'STUDIO_BUILD'
}

/** Relative imports of a module's source (`import … from './x.ts'`, `export … from '../y.ts'`). */
const RELATIVE_IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g

/**
 * What goes into the bundle, relative to `root`, sorted: the Studio and CLI configs and every
 * module they import, followed through relative imports (the schemas, the desk structure, the
 * feed declarations the schemas derive their lists from). Any change means a new build.
 */
export function buildInputs(root = ROOT): string[] {
  const seen = new Set<string>()
  const queue = ['sanity.config.ts', 'sanity.cli.ts'].filter((f) => existsSync(join(root, f)))
  while (queue.length) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    for (const m of readFileSync(join(root, file), 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = relative(root, join(root, dirname(file), m[1]!))
      if (existsSync(join(root, target))) queue.push(target)
    }
  }
  return [...seen].sort()
}

/** Environment the bundle bakes in (SANITY_STUDIO_* are exposed to it). */
export function buildEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('SANITY_STUDIO_') && v !== undefined) out[k] = v
  out.SANITY_STUDIO_LOCAL_API_HOST = SAME_ORIGIN_API_HOST
  return out
}

const withoutStudioVars = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('SANITY_STUDIO_')))

const versionOf = (pkg: string) => {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string
      }
    ).version
  } catch {
    return 'missing'
  }
}

export function studioBuildKey(root = ROOT, env: Record<string, string> = buildEnv()): string {
  const parts = buildInputs(root).map((f) => `${f}\0${sha256(readFileSync(join(root, f)))}`)
  const versions = ['sanity', '@sanity/vision', 'react', 'styled-components'].map(
    (p) => `${p}@${versionOf(p)}`,
  )
  const envLines = Object.keys(env)
    .sort()
    .map((k) => `${k}=${env[k]}`)
  return sha256([...parts, ...versions, ...envLines].join('\n'))
}

export interface StudioBuild {
  dir: string
  key: string
  /** A new build was made on this run. */
  built: boolean
}

function runSanityBuild(
  outDir: string,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<void> {
  const bin = join(ROOT, 'node_modules', '.bin')
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, 'sanity'), ['build', outDir, '--yes'], {
      cwd: ROOT,
      // The sanity bin runs `node` from PATH: put the project's Node 24 first.
      // Exactly the SANITY_STUDIO_* the key was computed from reach the bundle.
      env: {
        ...withoutStudioVars(process.env),
        ...env,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        DO_NOT_TRACK: '1',
        SANITY_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const collect = (chunk: Buffer) => {
      const text = chunk.toString()
      output += text
      for (const line of text.split('\n')) if (line.trim()) log(line)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', (e) =>
      reject(new StudioBuildError(`sanity build could not start: ${e.message}`)),
    )
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new StudioBuildError(`sanity build failed (exit ${code}):\n${output.slice(-4000)}`),
          ),
    )
  })
}

/** Reuse `dir` when its key matches; otherwise build into a temporary directory and swap it in. */
export async function ensureStudioBuild(
  opts: {dir?: string; force?: boolean; log?: (line: string) => void; env?: NodeJS.ProcessEnv} = {},
): Promise<StudioBuild> {
  const dir = opts.dir ?? DEFAULT_STUDIO_DIR
  const log = opts.log ?? (() => {})
  const env = buildEnv(opts.env)
  const key = studioBuildKey(ROOT, env)
  const keyFile = join(dir, KEY_FILE)
  if (
    !opts.force &&
    existsSync(keyFile) &&
    readFileSync(keyFile, 'utf8').trim() === key &&
    existsSync(join(dir, 'index.html'))
  ) {
    return {dir, key, built: false}
  }
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  try {
    await runSanityBuild(tmp, env, log)
    scrubBuildOutput(tmp)
    writeFileSync(join(tmp, KEY_FILE), `${key}\n`)
    rmSync(dir, {recursive: true, force: true})
    renameSync(tmp, dir)
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
  return {dir, key, built: true}
}
