/** Shared by the reliability tests: temp dirs, real dataset files, dataset digests, the seed. */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT} from '../../scripts/lib/paths.ts'
import {inspectDataset} from '../../scripts/reliability/datasetState.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'

/** The fixed seed of every fuzz test; CI runs exactly these cases. Override locally with FUZZ_SEED. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026)

/** The feeds fixture: published documents, drafts, references — valid for a full export. */
export const FEEDS_FIXTURE = join(ROOT, 'tests', 'fixtures', 'feeds', 'dataset.ndjson')

export function tempDir(prefix = 'reliability-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** A real, closed dataset file holding the feeds fixture. */
export function seededDataset(path: string, ndjsonFile = FEEDS_FIXTURE): string {
  const ds = Dataset.open(path)
  try {
    importNdjson(ds, readFileSync(ndjsonFile, 'utf8'), {file: ndjsonFile})
  } finally {
    ds.close()
  }
  return path
}

/** Content digest + consistency of a dataset file (see scripts/reliability/datasetState.ts). */
export function digestOf(path: string): string {
  const state = inspectDataset(path)
  if (state.problems.length > 0)
    throw new Error(`${path} is inconsistent: ${state.problems.join('; ')}`)
  return state.digest
}

export const NODE = join(ROOT, 'node_modules', '.bin', 'node')

/** The environment for the project's CLIs: telemetry off, no remote target inherited. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'}
  for (const k of Object.keys(env))
    if (k.startsWith('SANITY_') && k !== 'SANITY_TELEMETRY_DISABLED') delete env[k]
  return {...env, ...extra}
}

/** A running child process whose stdout lines can be awaited. */
export interface Child {
  proc: ChildProcess
  /** Resolves with the first stdout line that parses as JSON and passes `test`. */
  line<T = Record<string, unknown>>(test?: (value: T) => boolean): Promise<T>
  stdout(): string
  stderr(): string
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>
}

export function start(
  args: readonly string[],
  opts: {env?: NodeJS.ProcessEnv; cwd?: string} = {},
): Child {
  const proc = spawn(NODE, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const waiters: Array<() => void> = []
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString()
    for (const w of waiters.splice(0)) w()
  })
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)))
  void exited.then(() => {
    for (const w of waiters.splice(0)) w()
  })
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    line<T>(test: (value: T) => boolean = () => true): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          for (const l of out.split('\n')) {
            try {
              const v = JSON.parse(l) as T
              if (test(v)) return resolve(v)
            } catch {
              // not a JSON line
            }
          }
          if (proc.exitCode !== null)
            return reject(
              new Error(
                `process exited (${proc.exitCode}) without the expected line\n${out}\n${err}`,
              ),
            )
          waiters.push(check)
        }
        check()
      })
    },
  }
}

export interface ApiProcess extends Child {
  info: {url: string; httpUrl: string; token: string; projectId: string; dataset: string}
  /** fetch() against the plain-HTTP API, version prefix added. */
  http(path: string, init?: RequestInit & {auth?: boolean}): Promise<Response>
  stop(): Promise<void>
}

/** `npm run api` as its own process on free ports, certificates in `tlsDir`. */
export async function startApiProcess(
  dataset: string,
  tlsDir: string,
  extra: string[] = [],
): Promise<ApiProcess> {
  const child = start([
    join(ROOT, 'scripts', 'api', 'cli.ts'),
    '--dataset',
    dataset,
    '--port',
    '0',
    '--tls-dir',
    tlsDir,
    '--json',
    ...extra,
  ])
  const info = await child.line<ApiProcess['info'] & {ok: boolean}>(
    (v) => v.ok === true && typeof v.httpUrl === 'string',
  )
  return {
    ...child,
    info,
    http(path, init = {}) {
      const {auth, ...rest} = init
      const headers = new Headers(rest.headers)
      if (auth) headers.set('authorization', `Bearer ${info.token}`)
      return fetch(`${info.httpUrl}/v2025-02-19${path}`, {...rest, headers})
    },
    async stop() {
      child.proc.kill('SIGTERM')
      await child.exited
    },
  }
}
