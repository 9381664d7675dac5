/**
 * The publisher (`npm run export -- --watch`): one export, then every change to the embedded
 * dataset published as it lands, whoever wrote it — the local API (Studio), `npm run import`,
 * `npm run migrate`, `npm run dataset -- import`. Other processes write the same SQLite file, so,
 * like the listen hub (scripts/api/listen/hub.ts), this polls the transaction log: one
 * `max(seq)` read per tick, nothing else while idle.
 *
 * Each publish: gate the documents (gate.ts, warm validation cache), plan what to export
 * (publisherPlan.ts: only failing documents are held back, at their last published version),
 * export, then record the published revisions (publisherState.ts). The loop is the only caller of
 * exportFeeds here, so two exports never overlap; commits that arrive close together (a burst:
 * an import, a migration, a Studio publish of several documents) are published as one.
 *
 * When nothing is held back the export reads the dataset itself and is incremental. While a
 * document is held back it runs from the planned documents in memory: a full export (and the
 * next dataset export after it is a full one too, since the output is no longer the cached one).
 */
import {DatabaseSync} from 'node:sqlite'
import type {Problem} from '../lib/errors.ts'
import {isPublishedId} from '../store/ids.ts'
import {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {validationCachePath} from '../validate/cache.ts'
import {exportFeeds, publishedStatePath, type ExportFeedsOptions} from './export.ts'
import {errorsById, publishGate} from './gate.ts'
import {neededPrevious, planPublish, type HeldBack} from './publisherPlan.ts'
import {loadPublishedState, savePublishedState, type PublishedState} from './publisherState.ts'

export interface PublishReport {
  /** Published ids this publish changed (every exported id on the first one). */
  documents: string[]
  heldBack: Array<{id: string; problems: Problem[]; kept?: string}>
  files: number
  /** The export's own duration (gate and plan included). */
  ms: number
  /** From the oldest commit this publish carries to its files in place; null on the first one. */
  latencyMs: number | null
  mode: 'full' | 'incremental'
  /** The log position published. */
  seq: number
}

export interface PublisherOptions extends Omit<
  ExportFeedsOptions,
  'dataset' | 'documents' | 'source' | 'gate' | 'onProgress'
> {
  dataset: string
  /** How often the log is polled while idle (default 75 ms). */
  pollMs?: number
  /** A burst ends when no commit arrived for this long (default 40 ms)... */
  quietMs?: number
  /** ...or after this long, whatever still arrives (default 500 ms). */
  maxBatchMs?: number
  /** Stop: the export under way finishes, then the promise resolves. */
  signal?: AbortSignal
  onPublish: (report: PublishReport) => void
  /** A publish that failed (e.g. the rendered output failed a check): nothing replaced, retried on the next change. */
  onError: (error: unknown) => void
  onProgress?: (message: string) => void
}

const isSystemId = (id: string) => id.startsWith('_.')
const exportable = (id: string) => isPublishedId(id) && !isSystemId(id)

/**
 * Commit times from the log, read on a connection of its own (read-only): the Dataset class
 * exposes transactions only with their mutations, which a bulk import makes as large as the
 * import. A new small function rather than a store change (scripts/store/ is not the feeds').
 */
function openCommitTimes(path: string) {
  const db = new DatabaseSync(path, {readOnly: true, timeout: 5000})
  const oldest = db.prepare(
    'SELECT min(timestamp) AS t FROM transactions WHERE seq > ? AND seq <= ?',
  )
  return {
    oldest(after: number, upTo: number): string | undefined {
      return ((oldest.get(after, upTo) as {t: string | null} | undefined)?.t ?? undefined) as
        string | undefined
    },
    close: () => db.close(),
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })

/** Run until `signal` aborts. Rejects only when the first export cannot even start (bad options). */
export async function runPublisher(opts: PublisherOptions): Promise<void> {
  const {
    dataset: path,
    pollMs = 75,
    quietMs = 40,
    maxBatchMs = 500,
    signal,
    onPublish,
    onError,
    onProgress = () => {},
    ...exportOptions
  } = opts
  const out = exportOptions.out ?? 'dist'
  const ds = Dataset.open(path)
  const times = openCommitTimes(path)
  const statePath = publishedStatePath(
    path,
    out,
    exportOptions.cacheDir === false ? undefined : exportOptions.cacheDir,
  )
  let state: PublishedState = loadPublishedState(statePath, path, out)
  /** The log position the output reflects; -1 before the first publish. */
  let cursor = -1
  try {
    while (!signal?.aborted) {
      const head = ds.lastSeq()
      if (cursor >= 0 && head === cursor) {
        await sleep(pollMs, signal)
        continue
      }
      if (cursor >= 0) {
        // A burst: wait until the log is quiet for `quietMs`, at most `maxBatchMs`.
        const started = performance.now()
        let last = head
        while (!signal?.aborted && performance.now() - started < maxBatchMs) {
          await sleep(quietMs, signal)
          const now = ds.lastSeq()
          if (now === last) break
          last = now
        }
        if (signal?.aborted) break
      }
      const first = cursor < 0
      try {
        const r = await publishOnce(cursor)
        if (r.report) onPublish(r.report)
        cursor = r.seq
        state = r.state
      } catch (e) {
        // The first export failing is the command failing (the CLI reports it and exits 1).
        if (first) throw e
        onError(e)
        // Not retried in a loop: the next change tries again (from the same published state).
        cursor = ds.lastSeq()
      }
    }
  } finally {
    times.close()
    ds.close()
  }

  async function publishOnce(
    since: number,
  ): Promise<{seq: number; state: PublishedState; report?: PublishReport}> {
    const started = performance.now()
    // Read before the documents: anything committed after this is seen again next time.
    const seq = ds.lastSeq()
    let changed: string[] | undefined
    if (since >= 0) {
      const log = ds.changedIdsSince(since, 1_000_000)
      changed = log.ids.filter(exportable).sort()
      // Drafts and release versions change nothing a reader sees.
      if (changed.length === 0) return {seq, state}
    }
    const commit = since >= 0 ? times.oldest(since, seq) : undefined
    const gate = await publishGate(ds, {cache: validationCachePath(path), onProgress})
    const current = gate.documents.filter((d) => isPublishedId(d._id))
    const errors = errorsById(gate)
    const previous = new Map<string, StoredDocument>()
    for (const {id, rev} of neededPrevious(current, errors, state.revs)) {
      const doc = ds.documentAtRevision(id, rev)
      if (doc) previous.set(id, doc)
    }
    const plan = planPublish({current, errors, lastPublished: state.revs, previous})
    const summary = await exportFeeds({
      ...exportOptions,
      ...(plan.asCurrent ? {dataset: ds} : {documents: plan.documents}),
      onProgress,
    })
    const inPlace = Date.now()
    const next: PublishedState = {revs: plan.published}
    savePublishedState(statePath, path, out, next)
    const held = new Set(plan.heldBack.map((h) => h.id))
    const documents = (
      changed ?? plan.documents.map((d) => d._id).filter((id) => exportable(id))
    ).filter((id) => !held.has(id))
    const heldBack: HeldBack[] = plan.heldBack
    return {
      seq,
      state: next,
      report: {
        documents,
        heldBack,
        files: summary.files,
        ms: Math.round(performance.now() - started),
        latencyMs: commit === undefined ? null : Math.max(0, inPlace - Date.parse(commit)),
        mode: summary.mode,
        seq,
      },
    }
  }
}
