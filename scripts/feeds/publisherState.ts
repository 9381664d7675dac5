/**
 * What the publisher remembers between publishes and restarts: the revision each document was
 * last published at, so a document that turns invalid keeps its last valid version
 * (publisherPlan.ts). A small JSON file beside the output's export cache
 * (`export-cache/<hash of the output path>.published.json`, export.ts publishedStatePath), written atomically (temp file +
 * rename) and 0600: document ids are as private as the dataset. A successful gated export
 * (`npm run export`) writes it too, so a publisher started afterwards knows what is out there.
 */
import {chmodSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {privateDir} from '../lib/private.ts'

const STATE_VERSION = 1

export interface PublishedState {
  /** Document id → revision last published. */
  revs: Map<string, string>
}

/** The state, or an empty one when there is none (or it is for another dataset or output). */
export function loadPublishedState(path: string, datasetPath: string, out: string): PublishedState {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as {
      version?: unknown
      dataset?: unknown
      out?: unknown
      revs?: Record<string, string>
    }
    if (
      file.version === STATE_VERSION &&
      file.dataset === resolve(datasetPath) &&
      file.out === resolve(out) &&
      file.revs &&
      typeof file.revs === 'object'
    )
      return {revs: new Map(Object.entries(file.revs))}
  } catch {
    // Missing or unreadable: start from nothing (invalid documents are then left out).
  }
  return {revs: new Map()}
}

export function savePublishedState(
  path: string,
  datasetPath: string,
  out: string,
  state: PublishedState,
): void {
  privateDir(dirname(path), false)
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(
      tmp,
      JSON.stringify({
        version: STATE_VERSION,
        dataset: resolve(datasetPath),
        out: resolve(out),
        revs: Object.fromEntries(state.revs),
      }),
      {mode: 0o600},
    )
    // writeFileSync's mode applies only to a new file: a temp left by a killed run keeps its own.
    chmodSync(tmp, 0o600)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, {force: true})
    throw e
  }
}
