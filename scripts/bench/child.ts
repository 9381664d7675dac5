/** Running one stage (stage.ts) as a child process, with its progress passed on. */
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {ROOT} from '../lib/paths.ts'
import type {StageResult} from './stages.ts'

export interface StageRun extends StageResult {
  rssMb: number
  /** Wall time of the child, start-up included. */
  wallMs: number
}

/** Run `stage` with `args` in a fresh Node process; rejects with the child's error. */
export function runStage(
  stage: string,
  args: Record<string, unknown>,
  onProgress: (line: string) => void = () => {},
): Promise<StageRun> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'scripts', 'bench', 'stage.ts'), stage, JSON.stringify(args)],
      {
        cwd: ROOT,
        env: {...process.env, DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'},
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString()
      const lines = err.split('\n')
      err = lines.pop() ?? ''
      for (const l of lines) if (l.trim()) onProgress(l)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? ''
      let parsed: ({ok: boolean; error?: string} & StageRun) | undefined
      try {
        parsed = JSON.parse(line) as typeof parsed
      } catch {
        // fall through to the error below
      }
      if (parsed?.ok) {
        const {ok: _ok, ...result} = parsed
        resolve({...result, wallMs: performance.now() - started})
      } else
        reject(
          new Error(
            `bench stage "${stage}" failed (exit ${code}): ${parsed?.error ?? (err || out).slice(-2000)}`,
          ),
        )
    })
  })
}
