/**
 * The publisher (`npm run export -- --watch`): one export, then every change to the embedded
 * dataset published as it lands, whoever wrote it — the local API (Studio), `npm run import`,
 * `npm run migrate`, `npm run dataset -- import`. Other processes write the same SQLite file, so,
 * like the listen hub (scripts/api/listen/hub.ts), this polls the transaction log: one
 * `max(seq)` read per tick, nothing else while idle.
 *
 * Each publish:
 * 1. gate: the gate's verdicts (gate.ts), kept live — the first publish validates everything
 *    through the validation cache, later ones read and judge only the changed documents and
 *    what they affect (validate/live.ts);
 * 2. plan (publisherPlan.ts): only failing documents are held back, at their last published
 *    version; only the changed, held-back and re-judged documents are decided;
 * 3. the published view: a dataset file beside the export cache
 *    (`export-cache/<hash of the output>.published.sqlite`) that holds exactly the published
 *    versions. The plan is written to it as one transaction, and the export reads it, so every
 *    publish is incremental, held-back documents or not, and a restart (even after kill -9)
 *    knows what is out there.
 * The loop is the only caller of exportFeeds here, so two exports never overlap; commits that
 * arrive close together (a burst: an import, a migration, a Studio publish of several documents)
 * are published as one.
 */
import {dirname} from 'node:path'
import {DatabaseSync} from 'node:sqlite'
import {privateDir} from '../lib/private.ts'
import type {Problem} from '../lib/errors.ts'
import {isPublishedContentId} from '../store/ids.ts'
import {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {validationCachePath} from '../validate/cache.ts'
import {LiveValidation} from '../validate/live.ts'
import {
  exportCacheDir,
  exportFeeds,
  publishedStatePath,
  publishedViewPath,
  type ExportFeedsOptions,
} from './export.ts'
import {errorsById} from './gate.ts'
import {planPublish, type HeldBack} from './publisherPlan.ts'
import {loadPublishedState} from './publisherState.ts'

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

const sameHeld = (a: readonly HeldBack[], b: readonly HeldBack[]) =>
  a.length === b.length && a.every((h, i) => h.id === b[i]!.id && h.kept === b[i]!.kept)

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
  const cacheDir = exportOptions.cacheDir === false ? undefined : exportOptions.cacheDir
  const ds = Dataset.open(path)
  const times = openCommitTimes(path)
  const viewPath = publishedViewPath(path, out, cacheDir)
  privateDir(dirname(viewPath), false)
  const view = Dataset.open(viewPath)
  /** The log position the output reflects; -1 before the first publish. */
  let cursor = -1
  /** The live gate: started on the first publish, then fed every change. */
  let live: LiveValidation | undefined
  /** What the last publish held back, and which documents were invalid then. */
  let held: HeldBack[] = []
  let invalid = new Set<string>()
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
        const report = await publishOnce(cursor)
        if (report) onPublish(report)
      } catch (e) {
        // The first export failing is the command failing (the CLI reports it and exits 1).
        if (first) throw e
        onError(e)
        // Not retried in a loop: the next change tries again, from a full check of the view.
        cursor = ds.lastSeq()
        live = undefined
      }
    }
  } finally {
    // What the live gate validated is kept for the next `npm run validate` or export.
    live?.save()
    times.close()
    view.close()
    ds.close()
  }

  /**
   * The verdicts on the documents as they are now: the first publish (or the first after a failed
   * one, or a new day, when reviews may have expired) validates everything through the cache
   * file; then only the changed ids are read and judged again (validate/live.ts).
   */
  async function gate(changedIds: readonly string[] | undefined) {
    if (!changedIds || !live || live.stale()) {
      live = await LiveValidation.start(ds.documents(), {
        cache: validationCachePath(path),
        onProgress: (done, total) => onProgress(`validated ${done}/${total}`),
      })
      return {verdicts: live.verdicts(), full: true}
    }
    const docs = ds.getMany(changedIds)
    return {
      verdicts: await live.apply(changedIds.map((id, i) => ({id, doc: docs[i]}))),
      full: false,
    }
  }

  /**
   * The last published versions, for a full check: the view's, unless a gated `npm run export`
   * published since (publisherState.ts): then the dataset as it was at that log position.
   */
  function lastPublished() {
    const inView = new Map(view.documents().map((d) => [d._id, d]))
    const state = loadPublishedState(publishedStatePath(path, out, cacheDir), path, out)
    const exported =
      state.seq > (view.getMeta<number>('seq') ?? -1) && ds.transactionIdAt(state.seq) === state.tx
    if (!exported)
      return {inView, ids: [...inView.keys()], published: (id: string) => inView.get(id)}
    // Documents written since are read as they were then; the rest are as they are now.
    const since = new Set(ds.changedIdsSince(state.seq, 1_000_000).ids)
    return {
      inView,
      ids: [...inView.keys(), ...since],
      published: (id: string): StoredDocument | undefined =>
        since.has(id) ? ds.documentAsOf(id, state.seq) : live!.get(id),
    }
  }

  async function publishOnce(since: number): Promise<PublishReport | undefined> {
    const started = performance.now()
    // Read before the documents: anything committed after this is seen again next time.
    const seq = ds.lastSeq()
    const log = since < 0 ? undefined : ds.changedIdsSince(since, 1_000_000)
    const changed = log?.ids.filter(isPublishedContentId).sort()
    const {verdicts, full} = await gate(log?.ids)
    const errors = errorsById(verdicts.errors)
    // Decide the changed documents, those held back last time, and those whose verdict changed
    // (a draft taking a slug, a referenced document deleted); on a full check, every document.
    const ids = new Set<string>(changed)
    const last = full ? lastPublished() : undefined
    const inView = (id: string) => (last ? last.inView.get(id) : view.get(id))
    if (last) {
      for (const id of last.ids) ids.add(id)
      for (const doc of live!.published()) ids.add(doc._id)
    } else {
      for (const h of held) ids.add(h.id)
      for (const id of verdicts.invalidIds) if (!invalid.has(id)) ids.add(id)
      for (const id of invalid) if (!verdicts.invalidIds.has(id)) ids.add(id)
    }
    const plan = planPublish({
      ids: [...ids].filter(isPublishedContentId),
      now: (id) => live!.get(id),
      published: last?.published ?? inView,
      errors,
    })
    cursor = seq
    // The view becomes what this publish publishes; the export follows the view.
    const put: StoredDocument[] = []
    const remove: string[] = []
    for (const [id, doc] of plan.chosen) {
      const was = inView(id)
      if (doc && was?._rev !== doc._rev) put.push(doc)
      else if (!doc && was) remove.push(id)
    }
    const heldChanged = !sameHeld(held, plan.heldBack)
    held = plan.heldBack
    invalid = verdicts.invalidIds
    // Drafts and release versions change nothing a reader sees (unless a verdict changed).
    if (!full && !changed!.length && !put.length && !remove.length && !heldChanged) return undefined
    view.mirror({put, delete: remove}, {meta: {seq}, author: 'publisher'})
    const commit = since >= 0 ? times.oldest(since, seq) : undefined
    const summary = await exportFeeds({
      ...exportOptions,
      dataset: view,
      // One output, one cache folder: the view's export cache sits with the dataset's.
      cacheDir: exportOptions.cacheDir === false ? false : exportCacheDir(path, cacheDir),
      onProgress,
    })
    const inPlace = Date.now()
    const heldIds = new Set(plan.heldBack.map((h) => h.id))
    const documents = (changed ?? [...plan.chosen.keys()].sort()).filter(
      (id) => !heldIds.has(id) && (changed ? true : plan.chosen.get(id) !== undefined),
    )
    return {
      documents,
      heldBack: plan.heldBack,
      files: summary.files,
      ms: Math.round(performance.now() - started),
      latencyMs: commit === undefined ? null : Math.max(0, inPlace - Date.parse(commit)),
      mode: summary.mode,
      seq,
    }
  }
}
