/** The first line a child process prints, for commands that start by printing one JSON line. */
import type {ChildProcessWithoutNullStreams} from 'node:child_process'

/** The first stdout line of `proc`; if it closes before printing one, rejects with `failure(code)`. */
export function firstLine(
  proc: ChildProcessWithoutNullStreams,
  failure: (code: number | null) => string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const nl = out.indexOf('\n')
      if (nl !== -1) resolve(out.slice(0, nl))
    })
    proc.on('close', (code) => reject(new Error(failure(code))))
  })
}
