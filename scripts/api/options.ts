/** Command-line option parsing shared by `npm run api` and `npm run studio`. */
import {UsageError} from '../lib/errors.ts'

/** A `--port`-style option: undefined when absent, 0–65535 otherwise. */
export function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--${name}: expected a port number 0–65535, got "${value}"`)
  return Number(value)
}
