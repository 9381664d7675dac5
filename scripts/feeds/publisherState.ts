/**
 * What a gated `npm run export` published. It exports only when every published document is
 * valid, so what it published is the dataset as it was at one log position: that position (and
 * its transaction id, so a rewritten log is not mistaken for it) is all there is to remember. A
 * publisher started afterwards reads the versions from the history and keeps a document that has
 * turned invalid at its version then (publisherPlan.ts); it keeps its own published versions in
 * the published view (publisher.ts) and reads this file only when it is newer than the view. A
 * small JSON file beside the output's export cache (`export-cache/<hash of the output
 * path>.published.json`, export.ts publishedStatePath), written atomically (temp file + rename)
 * and 0600.
 */
import {chmodSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {privateDir} from '../lib/private.ts'

const STATE_VERSION = 3

export interface PublishedState {
  /** The log position whose documents were published (-1: none). */
  seq: number
  /** The id of the transaction at `seq`. */
  tx: string
}

/** The state, or an empty one when there is none (or it is for another dataset or output). */
export function loadPublishedState(path: string, datasetPath: string, out: string): PublishedState {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as {
      version?: unknown
      dataset?: unknown
      out?: unknown
      seq?: unknown
      tx?: unknown
    }
    if (
      file.version === STATE_VERSION &&
      file.dataset === resolve(datasetPath) &&
      file.out === resolve(out) &&
      typeof file.seq === 'number' &&
      typeof file.tx === 'string'
    )
      return {seq: file.seq, tx: file.tx}
  } catch {
    // Missing or unreadable: start from nothing (invalid documents are then left out).
  }
  return {seq: -1, tx: ''}
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
        seq: state.seq,
        tx: state.tx,
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
