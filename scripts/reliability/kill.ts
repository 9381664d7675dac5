/**
 * Run a real command and SIGKILL it: after a delay, or when a file event shows it reached the
 * part worth interrupting (its first write to the dataset's WAL, its export folder appearing).
 * kill -9 gives the process no chance to clean up — exactly a crash, an OOM kill or a power cut
 * of the container (minus the page cache, which a process crash does not lose).
 */
import {spawn} from 'node:child_process'
import {type FSWatcher, statSync, watch} from 'node:fs'
import {join} from 'node:path'

export interface KillPlan {
  /** Kill this many ms after the start (when no trigger), or after the trigger fired; Infinity: only watch. */
  delayMs: number
  /** Wait for a file event in `dir` (and below, with `recursive`) whose name `match`es before starting the delay. */
  trigger?: {dir: string; match: (name: string) => boolean; recursive?: boolean}
}

export interface RunOutcome {
  /** True when SIGKILL ended the process (false: it finished first). */
  killed: boolean
  /** The trigger fired before the process ended. */
  triggered: boolean
  /** When it fired, in ms after the start. */
  triggeredAtMs?: number
  code: number | null
  elapsedMs: number
  stderr: string
  stdout: string
}

export interface RunOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** Give up (and kill) after this long; a hung process is a failure, not a pass (default 120 s). */
  timeoutMs?: number
}

/** Run to completion (no kill). */
export function runToEnd(
  cmd: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<RunOutcome> {
  return runAndKill(cmd, args, undefined, opts)
}

export function runAndKill(
  cmd: string,
  args: readonly string[],
  plan: KillPlan | undefined,
  opts: RunOptions,
): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    let killed = false
    let triggered = false
    let triggeredAtMs: number | undefined
    let timer: NodeJS.Timeout | undefined
    let watcher: FSWatcher | undefined
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) {
        killed = child.kill('SIGKILL')
      }
    }
    const arm = () => {
      if (plan!.delayMs === Number.POSITIVE_INFINITY) return
      if (plan!.delayMs <= 0) kill()
      else timer = setTimeout(kill, plan!.delayMs)
    }
    if (plan?.trigger) {
      const {dir, match, recursive} = plan.trigger
      watcher = watch(dir, {recursive: recursive ?? false}, (_event, name) => {
        if (triggered || name === null || !match(name)) return
        triggered = true
        triggeredAtMs = performance.now() - started
        watcher?.close()
        arm()
      })
    } else if (plan) arm()
    const guard = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`${cmd} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 120_000} ms`),
      )
    }, opts.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(guard)
      if (timer) clearTimeout(timer)
      watcher?.close()
      resolve({
        killed: killed && signal === 'SIGKILL',
        triggered,
        ...(triggeredAtMs === undefined ? {} : {triggeredAtMs}),
        code,
        elapsedMs: performance.now() - started,
        stdout,
        stderr,
      })
    })
  })
}

/** A trigger for the first write to a dataset's WAL (the commit of its first transaction). */
export function walWriteTrigger(datasetPath: string): KillPlan['trigger'] {
  const dir = join(datasetPath, '..')
  const wal = `${datasetPath.split('/').at(-1)}-wal`
  return {
    dir,
    match: (name) => {
      if (name !== wal) return false
      try {
        return statSync(join(dir, name)).size > 0
      } catch {
        return false
      }
    },
  }
}
