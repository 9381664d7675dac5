/**
 * The thin shell every CLI in scripts/ shares: argument parsing with --help, one error path,
 * exit codes (0 ok, 1 failed, 2 usage), --json output.
 */
import {parseArgs, type ParseArgsConfig} from 'node:util'
import {formatProblem, InputError, PipelineError, UsageError} from './errors.ts'

type Options = NonNullable<ParseArgsConfig['options']>

export interface CliSpec<O extends Options> {
  /** e.g. `npm run import -- <file> [options]` */
  usage: string
  /** One paragraph: what it does. */
  summary: string
  options: O
  /** Help text per option, same keys as `options`. */
  help: {[K in keyof O]: string}
  /** How many positional arguments are allowed. */
  positionals?: {min: number; max: number}
}

export function parseCli<O extends Options>(spec: CliSpec<O>, argv = process.argv.slice(2)) {
  const options = {...spec.options, help: {type: 'boolean', short: 'h'}} as O & {
    help: {type: 'boolean'; short: 'h'}
  }
  let parsed
  try {
    parsed = parseArgs({args: argv, options, allowPositionals: true, strict: true})
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${helpText(spec)}`)
  }
  if ((parsed.values as {help?: boolean}).help) {
    process.stdout.write(`${helpText(spec)}\n`)
    process.exit(0)
  }
  const {min, max} = spec.positionals ?? {min: 0, max: 0}
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw new UsageError(
      `expected ${min === max ? min : `${min}–${max}`} argument(s), got ${parsed.positionals.length}\n\n${helpText(spec)}`,
    )
  }
  return parsed
}

export function helpText<O extends Options>(spec: CliSpec<O>): string {
  const lines = Object.entries(spec.options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' <value>' : ''}`
    return `  ${flag.padEnd(26)} ${(spec.help as Record<string, string>)[name] ?? ''}`
  })
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...lines,
    `  ${'--help'.padEnd(26)} Show this help`,
  ].join('\n')
}

/** Run a CLI's main function: print errors (every problem), set the exit code. */
export async function runCli(
  main: () => Promise<number | void>,
  opts: {json?: boolean} = {},
): Promise<void> {
  try {
    process.exitCode = (await main()) ?? 0
  } catch (e) {
    const json = opts.json ?? process.argv.includes('--json')
    if (json) {
      const err = e as PipelineError & {problems?: unknown}
      process.stdout.write(
        `${JSON.stringify({ok: false, error: {code: err.code ?? 'INTERNAL', message: err.message, problems: err.problems}})}\n`,
      )
    }
    if (e instanceof InputError)
      for (const p of e.problems) process.stderr.write(`${formatProblem(p)}\n`)
    else if (e instanceof PipelineError) process.stderr.write(`error: ${e.message}\n`)
    else process.stderr.write(`internal error: ${(e as Error)?.stack ?? String(e)}\n`)
    process.exitCode = e instanceof PipelineError ? e.exitCode : 1
  }
}

/** Progress lines go to stderr so stdout stays machine-readable. */
export function progress(message: string): void {
  if (!process.argv.includes('--quiet')) process.stderr.write(`${message}\n`)
}
