/**
 * The publisher (`npm run export -- --watch --json`) as a child process for the feed tests: its
 * JSON lines as they come, its stderr, how it ended, and a poll that fails with that stderr.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {join} from 'node:path'
import {ROOT} from '../../scripts/lib/paths.ts'
import {NODE, testEnv} from '../helpers/run.ts'

/** How long a wait on the publisher (and a test driving it) may take: a timeout only. */
export const DEADLINE_MS = 60_000

export interface PublisherProcess<Line> {
  readonly child: ChildProcessWithoutNullStreams
  /** Every stdout line so far, parsed. */
  readonly lines: Line[]
  readonly stderr: () => string
  /** Its exit code, once it exits. */
  readonly exited: Promise<number | null>
  /** Poll `check` until it returns a value (not undefined) or DEADLINE_MS passes. */
  eventually<T>(what: string, check: () => T | undefined): Promise<T>
}

/** Start the publisher on the dataset file `dataset`, publishing into `out`. */
export function startPublisher<Line>(dataset: string, out: string): PublisherProcess<Line> {
  const child = spawn(
    NODE,
    [
      join(ROOT, 'scripts', 'feeds', 'cli.ts'),
      '--watch',
      '--dataset',
      dataset,
      '--out',
      out,
      '--json',
    ],
    {cwd: ROOT, env: testEnv()},
  )
  const lines: Line[] = []
  let stderr = ''
  let buffer = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buffer.slice(0, end)) as Line)
      buffer = buffer.slice(end + 1)
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async eventually<T>(what: string, check: () => T | undefined): Promise<T> {
      const deadline = Date.now() + DEADLINE_MS
      for (;;) {
        const v = check()
        if (v !== undefined) return v
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}\npublisher stderr:\n${stderr}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}
