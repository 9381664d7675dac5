/**
 * The publisher's shells, `npm run export -- --watch` and `npm run serve`: what they print (one
 * line per publish and per failed publish, as JSON on stdout with `--json` or as text on stderr)
 * and how they stop.
 */
import {progress} from '../lib/cli.ts'
import {formatProblem, InputError, type PipelineError} from '../lib/errors.ts'
import type {PublishReport} from './publisher.ts'

/** The JSON form of a publish (held-back documents with their problems, not their kept versions). */
export const publishJson = (r: PublishReport) => ({
  documents: r.documents,
  heldBack: r.heldBack.map(({id, problems}) => ({id, problems})),
  files: r.files,
  ms: r.ms,
  latencyMs: r.latencyMs,
  mode: r.mode,
  seq: r.seq,
})

/** Print one publish: a JSON line on stdout, or a text line (and its held-back documents) on stderr. */
export function printPublish(r: PublishReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(publishJson(r))}\n`)
    return
  }
  const what =
    r.latencyMs === null
      ? `exported ${r.documents.length} documents`
      : `published ${r.documents.length ? r.documents.join(', ') : 'no document'}`
  const after = r.latencyMs === null ? '' : `, ${r.latencyMs} ms after the commit`
  progress(`${what}: ${r.files} files (${r.mode}) in ${r.ms} ms${after}`)
  for (const h of r.heldBack) {
    progress(`held back ${h.id} (${h.kept ? `still published at ${h.kept}` : 'not published'}):`)
    for (const p of h.problems) progress(`  ${formatProblem(p)}`)
  }
}

/** Print a failed publish (nothing was replaced): a JSON line with `json`, always a line on stderr. */
export function printPublishError(e: unknown, json: boolean): void {
  const problems = e instanceof InputError ? e.problems : []
  if (json)
    process.stdout.write(
      `${JSON.stringify({ok: false, error: {code: (e as PipelineError).code ?? 'INTERNAL', message: (e as Error).message, problems}})}\n`,
    )
  process.stderr.write(`publish failed, nothing replaced: ${(e as Error).message}\n`)
}

/**
 * An AbortSignal for a publisher's shell: the first SIGINT/SIGTERM lets the export under way
 * finish (exports are atomic either way; a mirror drops the batch it was reading, its writes are
 * synchronous); a second one exits at once, and the next export clears what the abandoned one
 * left (leftovers.ts).
 */
export function stopOnSignals(): AbortSignal {
  const stop = new AbortController()
  let signals = 0
  const onSignal = (name: string) => {
    if (++signals > 1) process.exit(0)
    progress(`${name}: stopping after the export under way`)
    stop.abort()
  }
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  return stop.signal
}
