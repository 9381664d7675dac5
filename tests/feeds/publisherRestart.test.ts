/**
 * What the publisher knows when it starts: a gated `npm run export` run before it published the
 * dataset as it was (publisherState.ts), so a document broken since stays at that version; and
 * after a restart its own published view says what is out there.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {runPublisher, type PublishReport} from '../../scripts/feeds/publisher.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE as API_SEED} from '../api/helpers.ts'
import {tempDir} from './helpers.ts'

const {dir, cleanup} = tempDir('publisher-restart-')
afterAll(cleanup)

const ID = 'benefit-minimizes-pores'
const pageTitle = (out: string) =>
  (
    JSON.parse(readFileSync(join(out, 'web', 'benefits', 'minimizes-pores.json'), 'utf8')) as {
      title: string
    }
  ).title

/** Start the publisher, take its first publish, stop it. */
async function firstPublish(dataset: string, out: string): Promise<PublishReport> {
  const stop = new AbortController()
  let report: PublishReport | undefined
  const running = runPublisher({
    dataset,
    out,
    signal: stop.signal,
    onPublish: (r) => {
      report ??= r
      stop.abort()
    },
    onError: (e) => {
      throw e
    },
  })
  await running
  return report!
}

describe('the publisher after a restart', () => {
  it('keeps a document broken since the last `npm run export` at its exported version', async () => {
    const dataset = join(dir, 'ds.sqlite')
    const out = join(dir, 'dist')
    const ds = Dataset.open(dataset)
    importNdjson(ds, readFileSync(API_SEED, 'utf8'), {file: API_SEED})
    const exportedRev = ds.get(ID)!._rev
    await exportFeeds({dataset: ds, out, gate: true})
    ds.transaction([{patch: {id: ID, set: {title: 'Renamed'}}}])
    ds.transaction([{patch: {id: ID, unset: ['title']}}])
    ds.close()

    const first = await firstPublish(dataset, out)
    expect(first.heldBack).toEqual([expect.objectContaining({id: ID, kept: exportedRev})])
    expect(pageTitle(out)).toBe('Minimizes Pores')

    // Restarted: the published view, not the older export, says what is out there.
    const again = await firstPublish(dataset, out)
    expect(again.heldBack).toEqual([expect.objectContaining({id: ID, kept: exportedRev})])
    expect(again.mode).toBe('incremental')
    expect(pageTitle(out)).toBe('Minimizes Pores')
  }, 60_000)
})
