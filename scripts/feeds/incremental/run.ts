/**
 * The incremental export: after a few documents changed, rebuild only the pages they affect and
 * the files that aggregate pages, and leave every other file as it is. The result is the same,
 * byte for byte, as a full export of the same dataset (tests/feeds/incremental.test.ts checks it
 * on every kind of edit), because every page is still built by buildFeedModel — from the subset
 * of documents that decides it (deps.ts) — and every aggregate is assembled from the same parts
 * as a full export's.
 *
 * When anything is off (no cache, other options or code, another dataset, an error in the data,
 * too many changes), it returns a reason and the caller runs a full export instead.
 *
 * Atomicity: every changed file is rendered and checked before anything is written; a failure
 * then leaves the previous export untouched. How the files are committed depends on the tree's
 * size (commit.ts): small trees get a hard-link copy swapped in whole (atomic even under kill -9),
 * large ones staged renames (milliseconds; an export killed inside them is followed by a full one).
 */
import {createHash} from 'node:crypto'
import {closeSync, fstatSync, openSync} from 'node:fs'
import {join} from 'node:path'
import type {Problem} from '../../lib/errors.ts'
import {createLocalSource, runQuery} from '../../query/local.ts'
import type {Dataset} from '../../store/dataset.ts'
import {isPublishedId} from '../../store/ids.ts'
import type {StoredDocument} from '../../store/types.ts'
import {
  extraProblems,
  feedLimit,
  partnerFilePaths,
  syndicationFiles,
  webFile,
  type CheckedFile,
} from '../build.ts'
import {errorsOf, type ExportContext, type ExportSummary} from '../context.ts'
import {ExportValidationError} from '../errors.ts'
import {fetchFeedInput} from '../input.ts'
import {MAIN_FEED_TYPES} from '../render/item.ts'
import {buildFeedModel, EPOCH, person} from '../model.ts'
import {comparePages} from '../order.ts'
import {rawJsonProblems} from '../markup.ts'
import {APP_GROUPS, appBundleParts, appEntryText, appGroupOf} from '../outputs/appBundle.ts'
import {APP_BUNDLE_PATH, MANIFEST_PATH} from '../outputs/files.ts'
import {manifestEntryText, manifestParts, type ManifestEntry} from '../outputs/manifest.ts'
import {createWebPageParts} from '../outputs/webPage.ts'
import {createWriter} from '../outputs/write.ts'
import {compareStrings} from '../text.ts'
import {PAGE_TYPES, type FeedModel, type Page, type PageType, type Person} from '../types.ts'
import {reviewCutoff} from '../../../schemas/rules/review.ts'
import {ExportCache, type PageRow} from './cache.ts'
import {commitMode, commitPatch} from './commit.ts'
import {folderStamps, foldersOf, unlistedEntries, type FolderStamps} from './folders.ts'
import {startHasher, type Hasher} from './hasher.ts'
import {exportTimings} from '../timings.ts'
import {eachChunk, pieceBytes, sha256OfPieces, type FileRange, type Piece} from '../pieces.ts'
import {addAffected, contextOf, type GraphState} from './deps.ts'
import {docRefs, referencedIds, type DocRefs} from './refs.ts'
import {listBytes, spliceList, type Insert, type ListLayout} from './splice.ts'
import {compareRows, compareRowsNewest, pageRow, problemsByDocument, rawSlugs} from './state.ts'

export type IncrementalResult = {summary: ExportSummary} | {fallback: string}

/** From this size of the last app bundle up (~50k pages), its successor is hashed on a thread of its own. */
const HASHING_THREAD_MIN_BYTES = 64 * 1024 * 1024

/** Above this share of pages affected, a full export is as cheap and simpler. */
const MAX_AFFECTED_SHARE = 0.2

interface Snapshot {
  /** Published documents as they are now (memoized reads). */
  now(id: string): StoredDocument | undefined
  /** As they were at the last export (changed ids from the history, the rest as now). */
  before(id: string): StoredDocument | undefined
  /** Read these documents now, in one query, for `now` and `before` to find. */
  prefetch(ids: Iterable<string>): void
}

function snapshot(ds: Dataset, changed: ReadonlySet<string>, seq: number): Snapshot {
  const nowCache = new Map<string, StoredDocument | undefined>()
  const beforeCache = new Map<string, StoredDocument | undefined>()
  const now = (id: string) => {
    if (!isPublishedId(id)) return undefined
    if (!nowCache.has(id)) nowCache.set(id, ds.get(id))
    return nowCache.get(id)
  }
  return {
    now,
    before(id) {
      if (!changed.has(id)) return now(id)
      if (!beforeCache.has(id)) beforeCache.set(id, ds.documentAsOf(id, seq))
      return beforeCache.get(id)
    },
    // One query for many documents costs about what one query for one does (~40 µs per lookup).
    prefetch(ids) {
      const missing = [...new Set(ids)].filter((id) => isPublishedId(id) && !nowCache.has(id))
      if (missing.length < 2) return
      ds.getMany(missing).forEach((doc, i) => nowCache.set(missing[i]!, doc))
    },
  }
}

/** The graph as `read` sees it; the documents of each referrer list are read in one go. */
function graphState(
  read: (id: string) => StoredDocument | undefined,
  referrers: (id: string) => readonly string[],
  prefetch: (ids: Iterable<string>) => void,
): GraphState {
  const refs = new Map<string, DocRefs>()
  return {
    prefetch,
    typeOf: (id) => read(id)?._type,
    refsOf(id) {
      let r = refs.get(id)
      if (!r) {
        const doc = read(id)
        refs.set(id, (r = doc ? docRefs(doc) : {}))
      }
      return r
    },
    referrers(id) {
      const list = referrers(id)
      prefetch(list)
      return list
    },
  }
}

/** An old output file held open for this export: ranges of its bytes (pieces.ts FileRange). */
interface OpenOutput {
  size: number
  subarray(start: number, end: number): FileRange
}

/** The text of a few bytes of an old output file. */
function textOf(range: FileRange): string {
  const parts: Buffer[] = []
  eachChunk([range], (bytes) => parts.push(Buffer.from(bytes)))
  return Buffer.concat(parts).toString('utf8')
}

export async function incrementalExport(
  ctx: ExportContext,
  ds: Dataset,
  cache: ExportCache,
  fingerprint: string,
): Promise<IncrementalResult> {
  const fds: number[] = []
  const openOutput = (path: string): OpenOutput | undefined => {
    let fd: number
    try {
      fd = openSync(join(ctx.out, ...path.split('/')), 'r')
    } catch {
      return undefined
    }
    fds.push(fd)
    return {size: fstatSync(fd).size, subarray: (start, end) => ({fd, start, end})}
  }
  let hasher: Hasher | undefined
  try {
    return await patchExport(
      ctx,
      ds,
      cache,
      fingerprint,
      openOutput,
      () => (hasher ??= startHasher()),
    )
  } finally {
    // The hashing thread reads through these descriptors: it stops before they close.
    await hasher?.close()
    for (const fd of fds) closeSync(fd)
  }
}

async function patchExport(
  ctx: ExportContext,
  ds: Dataset,
  cache: ExportCache,
  fingerprint: string,
  openOutput: (path: string) => OpenOutput | undefined,
  startHashing: () => Hasher,
): Promise<IncrementalResult> {
  const mark = exportTimings('incremental')
  // 1. Is the cache about this output, these options and this dataset's history?
  if (cache.meta('state') !== 'ready') return {fallback: 'no complete earlier export in the cache'}
  if (cache.meta('fingerprint') !== fingerprint)
    return {fallback: 'options, partner profiles or exporter code changed'}
  if (cache.meta('dataset') !== ds.path) return {fallback: 'the cache is for another dataset'}
  const seq = Number(cache.meta('seq'))
  if (!Number.isInteger(seq) || ds.transactionIdAt(seq) !== (cache.meta('tx') || undefined))
    return {fallback: 'the dataset history differs from the cached one'}
  // Held open, like the app bundle below: the bytes checked now are the bytes reused at the commit.
  const oldManifest = openOutput(MANIFEST_PATH)
  if (
    !oldManifest ||
    sha256OfPieces([oldManifest.subarray(0, oldManifest.size)]) !== cache.meta('manifestSha')
  )
    return {fallback: 'the output folder is not the cached export'}
  // The app bundle's unchanged entries are the old file's bytes, copied from it (held open too).
  const oldBundle = openOutput(APP_BUNDLE_PATH)
  if (!oldBundle) return {fallback: 'the output has no app bundle'}
  // A file the manifest does not list (planted, another tool's) must not outlive this export: a
  // full export builds a new tree without it.
  const stamps = JSON.parse(cache.meta('folders') ?? 'null') as FolderStamps | null
  if (!stamps) return {fallback: 'the cache does not know the output folders'}
  const unlisted = unlistedEntries(ctx.out, stamps, () => {
    const keys = cache.layout('manifest').keys.split('\n')
    keys[keys.length - 1] = MANIFEST_PATH
    return new Set(keys)
  })
  if (unlisted.length)
    return {
      fallback: `the output holds ${unlisted.length} file(s) its manifest does not list (${unlisted.slice(0, 3).join(', ')})`,
    }

  mark('cache checks')
  // 2. What changed since then (drafts and release versions never reach an export).
  const currentSeq = ds.lastSeq()
  const log = ds.changedIdsSince(seq)
  if (!log.complete) return {fallback: 'too many transactions since the last export'}
  const changed = new Set(log.ids.filter(isPublishedId))
  const snap = snapshot(ds, changed, seq)
  // A partner document reaches the output only through its profile, which the fingerprint covers
  // (a changed profile made this a full export): its other fields (contact, notify URL) show nowhere.
  snap.prefetch(changed)
  for (const id of changed)
    if (snap.now(id)?._type === 'partner' && snap.before(id)?._type === 'partner')
      changed.delete(id)
  // Reviews expire with the review date, not with the data: the pages whose review crossed the
  // review period since the last export (either way: the date may also be pinned earlier) change.
  const cutoff = reviewCutoff(ctx.modelOptions.reviewedAsOf ?? cache.meta('generatedAt')!)
  const oldCutoff = cache.meta('reviewCutoff') ?? cutoff
  const [from, to] = oldCutoff < cutoff ? [oldCutoff, cutoff] : [cutoff, oldCutoff]
  const reviewFlips =
    from === to
      ? []
      : cache.column<string>(
          'SELECT id FROM pages WHERE reviewed_on >= ? AND reviewed_on < ?',
          from,
          to,
        )
  if (changed.size === 0 && reviewFlips.length === 0) {
    // Only drafts (or nothing) changed: the output is already what a full export would write.
    cache.transaction(() => {
      cache.setMeta('seq', String(currentSeq))
      cache.setMeta('tx', ds.transactionIdAt(currentSeq) ?? '')
      cache.setMeta('folders', JSON.stringify(folderStamps(ctx.out, Object.keys(stamps))))
    })
    return {
      summary: summarize(
        ctx,
        cache,
        cache.meta('generatedAt')!,
        Number(cache.meta('bytes')),
        0,
        partnerCounts(ctx, cache),
      ),
    }
  }
  const pageCount = cache.scalar<number>('SELECT count(*) FROM pages') ?? 0

  mark('transaction log')
  // 3. The pages that can change: affected as the data was, or as it is.
  const oldReferrers = (id: string) => cache.referrers(id)
  const newReferrers = (id: string) => {
    const kept = oldReferrers(id).filter((src) => !changed.has(src))
    for (const src of changed) {
      const doc = snap.now(src)
      if (doc && referencedIds(docRefs(doc)).includes(id)) kept.push(src)
    }
    return kept
  }
  const before = graphState(snap.before, oldReferrers, snap.prefetch)
  const after = graphState(snap.now, newReferrers, snap.prefetch)
  const affected = new Set<string>(reviewFlips)
  for (const id of changed) {
    const type = before.typeOf(id)
    const kept = type !== undefined && type === after.typeOf(id)
    addAffected(before, id, affected, {kept})
    addAffected(after, id, affected, {kept})
  }
  if (affected.size > Math.max(2_000, pageCount * MAX_AFFECTED_SHARE))
    return {fallback: `${affected.size} pages affected`}

  // Started now, ready by the time the app bundle is (see hasher.ts); a small bundle is hashed
  // here, in less time than a thread takes to start.
  const hasher =
    oldBundle.size >= (ctx.hashThreadMinBytes ?? HASHING_THREAD_MIN_BYTES)
      ? startHashing()
      : undefined

  mark('affected pages')
  // 4. Rebuild those pages from the documents that decide them.
  const oldGeneratedAt = cache.meta('generatedAt')!
  const subsetModel = async (targets: Iterable<string>, now: string) => {
    const ids = contextOf(after, targets)
    mark(`  context (${ids.size} documents)`)
    snap.prefetch(ids)
    const docs: StoredDocument[] = []
    for (const id of ids) {
      const doc = snap.now(id)
      if (doc) docs.push(doc)
    }
    const source = createLocalSource(docs)
    const input = await fetchFeedInput((query) =>
      runQuery(source, query, {}, {perspective: 'published'}),
    )
    mark('  queries')
    const result = {
      input,
      ids,
      ...buildFeedModel(input, {...ctx.modelOptions, now, contentOf: new Set(targets)}),
    }
    mark('  model')
    return result
  }
  const fixedNow = ctx.modelOptions.now
  const targets = new Set(affected)
  let built = await subsetModel(targets, fixedNow ?? oldGeneratedAt)
  const rowsOf = (b: typeof built) => {
    const rowCtx = {
      undated: new Set(b.undated),
      rawSlugs: rawSlugs(b.input),
      problems: problemsByDocument(b.problems),
    }
    const rows = new Map<string, {page: Page; row: PageRow}>()
    for (const page of b.model.pages)
      if (targets.has(page.id)) rows.set(page.id, {page, row: pageRow(page, rowCtx)})
    return rows
  }
  let rebuilt = rowsOf(built)
  // The export date: the newest date of any page (unless fixed with --now).
  let generatedAt = fixedNow ?? ''
  if (!fixedNow) {
    // The newest date among pages not rebuilt: walk the index from the top past the rebuilt ones.
    const top = cache
      .column<string>('SELECT id FROM pages ORDER BY newest DESC LIMIT ?', targets.size + 1)
      .find((id) => !targets.has(id))
    const notRebuilt =
      (top === undefined
        ? undefined
        : cache.scalar<string>('SELECT newest FROM pages WHERE id = ?', top)) ?? ''
    generatedAt =
      [...rebuilt.values()].reduce((m, r) => (r.row.newest > m ? r.row.newest : m), notRebuilt) ||
      EPOCH
  }
  if (generatedAt !== (fixedNow ?? oldGeneratedAt)) {
    // Undated pages carry the export date: they change with it, and need the model built with it.
    const undated = cache.column<string>('SELECT id FROM pages WHERE undated = 1')
    if (undated.length || built.undated.length) {
      for (const id of undated) targets.add(id)
      built = await subsetModel(targets, generatedAt)
      rebuilt = rowsOf(built)
    } else built.model.generatedAt = generatedAt
  }
  mark('subset model')
  const relevant = (p: Problem) => p.documentId === undefined || built.ids.has(p.documentId)
  if (errorsOf(built.problems.filter(relevant)).length)
    return {fallback: 'the data has errors (a full export reports them)'}
  for (const {row} of rebuilt.values()) {
    const clash = cache
      .pagesWhere('type = ? AND slug = ? AND id != ?', [row.type, row.slug, row.id])
      .find((r) => !targets.has(r.id))
    if (clash) return {fallback: `slug "${row.slug}" is used twice (a full export reports it)`}
  }
  mark('checks')
  const oldRows = new Map<string, PageRow>()
  for (const id of targets) {
    const row = cache.page(id)
    if (row) oldRows.set(id, row)
  }
  const removed = [...oldRows.keys()].filter((id) => !rebuilt.has(id))

  mark('old rows')
  // 5. Which pages each feed carries now.
  const newRows = new Map([...rebuilt].map(([id, r]) => [id, r.row]))
  const newest = (
    types: readonly PageType[],
    reviewedOnly: boolean,
    limit: number | undefined,
  ): PageRow[] => {
    const typeList = JSON.stringify(types)
    const review = reviewedOnly ? ' AND reviewed = 1' : ''
    const fresh = [...newRows.values()].filter(
      (r) => types.includes(r.type) && (!reviewedOnly || r.reviewed),
    )
    let candidates: PageRow[]
    if (limit === undefined)
      candidates = cache.pagesWhere(`type IN (SELECT value FROM json_each(?))${review}`, [typeList])
    else {
      // Walk the date index from the newest down (a plan over the type index would sort them all).
      const top = cache.pagesWhere(
        `type IN (SELECT value FROM json_each(?))${review} ORDER BY date_published DESC LIMIT ?`,
        [typeList, limit + targets.size],
        {index: 'pages_published'},
      )
      const last = top.at(-1)?.datePublished
      const ties =
        last === undefined
          ? []
          : cache.pagesWhere(
              `type IN (SELECT value FROM json_each(?))${review} AND date_published = ?`,
              [typeList, last],
              {index: 'pages_published'},
            )
      candidates = [...new Map([...top, ...ties].map((r) => [r.id, r])).values()]
    }
    const all = [...candidates.filter((r) => !targets.has(r.id)), ...fresh].sort(compareRowsNewest)
    return limit === undefined ? all : all.slice(0, limit)
  }
  const mainLimit = feedLimit(ctx.build)
  const selections = [
    newest(MAIN_FEED_TYPES, false, mainLimit),
    ...ctx.profiles.map((p) => newest(p.types, p.reviewedOnly === true, feedLimit(ctx.build, p))),
  ]
  const itemIds = new Set(selections.flat().map((r) => r.id))
  // Items not rebuilt above still need their full page (item HTML, categories): build them too.
  const missing = [...itemIds].filter((id) => !rebuilt.has(id))
  const itemModel = missing.length ? (await subsetModel(missing, generatedAt)).model : undefined
  mark('feed selection')
  // The feeds' model holds exactly the items (all exact); the pages they link to are passed on
  // separately, for partner link rules only: their own dates are not exact in a subset model.
  const items: Page[] = []
  const linked = new Map<string, Page>()
  const byIdOf = new Map<FeedModel, Map<string, Page>>()
  const addItem = (page: Page, model: FeedModel) => {
    items.push(page)
    let byId = byIdOf.get(model)
    if (!byId) byIdOf.set(model, (byId = new Map(model.pages.map((p) => [p.id, p]))))
    for (const list of Object.values(page.related))
      for (const l of list) if (!linked.has(l.id)) linked.set(l.id, byId.get(l.id)!)
  }
  for (const id of itemIds) {
    const r = rebuilt.get(id)
    if (r) addItem(r.page, built.model)
    else
      addItem(
        itemModel!.pages.find((p) => p.id === id)!,
        itemModel!,
      )
  }
  const site = built.model.site
  const feedModel: FeedModel = {site, generatedAt, pages: items.sort(comparePages)}

  mark('feed pages')
  // 6. Render and check every changed file.
  const problems: Problem[] = []
  const seen = new Set<string>()
  const files = new Map<string, Buffer>()
  const take = (file: CheckedFile) => {
    problems.push(...file.problems, ...extraProblems(file, seen, ctx.build))
    files.set(file.path, Buffer.from(file.content, 'utf8'))
  }
  const webParts = createWebPageParts()
  for (const {page} of rebuilt.values()) take(webFile(built.model, page, {parts: webParts}))
  const deleted = new Set<string>()
  for (const [id, row] of oldRows) {
    const now = rebuilt.get(id)
    if (!now || now.row.file !== row.file) deleted.add(row.file)
  }

  mark('web pages')
  // The app bundle: unchanged entries are the old file's bytes (the bytes hashed now are the
  // bytes written at the commit).
  const people = await reviewers(cache, snap, rebuilt, targets)
  const parts = appBundleParts({site, generatedAt}, people)
  const bundlePieces: Piece[] = [parts.open]
  const bundleLayouts: Array<{old: ListLayout; now: ListLayout}> = []
  let groupStart = Number(cache.meta('bundleOpen'))
  const keyRow = new Map<string, PageRow>()
  const rowOf = (id: string) => {
    let r = keyRow.get(id)
    if (!r) keyRow.set(id, (r = cache.page(id)!))
    return r
  }
  // Each group loses the entries of its rebuilt and removed pages (the pages it had before).
  const droppedFrom = new Map(APP_GROUPS.map((g) => [g as string, new Set<string>()]))
  for (const [id, row] of oldRows) droppedFrom.get(appGroupOf(row.type))?.add(id)
  const entryWriter = createWriter()
  APP_GROUPS.forEach((group, i) => {
    if (i > 0) bundlePieces.push(parts.between[i - 1]!)
    const layout = cache.layout(`bundle:${group}`)
    const inserts: Insert[] = [...rebuilt.values()]
      .filter((r) => appGroupOf(r.page.type) === group)
      .sort((a, b) => compareRows(a.row, b.row))
      .map((r) => ({key: r.page.id, text: appEntryText(r.page, entryWriter)}))
    const spliced = spliceList(
      oldBundle,
      groupStart,
      layout,
      droppedFrom.get(group)!,
      inserts,
      (ins, kept) => compareRows(newRows.get(ins.key)!, rowOf(kept)) < 0,
      ',',
    )
    bundlePieces.push(...spliced.pieces)
    bundleLayouts.push({old: layout, now: spliced.layout})
    groupStart +=
      listBytes(layout, ',') + (i < parts.between.length ? Buffer.byteLength(parts.between[i]!) : 0)
  })
  bundlePieces.push(parts.close)
  for (const piece of bundlePieces)
    if (typeof piece === 'string') problems.push(...rawJsonProblems(piece, APP_BUNDLE_PATH))
  if (errorsOf(problems).length) throw new ExportValidationError(errorsOf(problems))
  // Hashed on the other thread while this one renders the feeds and splices the manifest.
  const bundleSha = hasher
    ? hasher.sha256(bundlePieces)
    : Promise.resolve(sha256OfPieces(bundlePieces))
  bundleSha.catch(() => {}) // awaited below; a failure before then must not go unhandled

  mark('bundle')
  for (const file of syndicationFiles(feedModel, ctx.profiles, ctx.build, [...linked.values()]))
    take(file)
  for (const path of files.keys()) deleted.delete(path)

  mark('feeds')
  // 7. Manifest entries of the changed files, then the manifest itself (unchanged entries reused).
  const manifestLayout = cache.layout('manifest')
  const bundleSize = bundlePieces.reduce((n, piece) => n + pieceBytes(piece), 0)
  const entries = new Map<string, ManifestEntry>()
  for (const [path, bytes] of files)
    entries.set(path, {
      path,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })
  entries.set(APP_BUNDLE_PATH, {path: APP_BUNDLE_PATH, size: bundleSize, sha256: await bundleSha})
  const mParts = manifestParts(generatedAt)
  const dropPaths = new Set([...entries.keys(), ...deleted])
  const mInserts: Insert[] = [...entries.values()]
    .sort((a, b) => compareStrings(a.path, b.path))
    .map((e) => ({key: e.path, text: manifestEntryText(e)}))
  const oldManifestOpen = Number(cache.meta('manifestOpen'))
  const manifestSpliced = spliceList(
    oldManifest,
    oldManifestOpen,
    manifestLayout,
    dropPaths,
    mInserts,
    (ins, kept) => compareStrings(ins.key, kept) < 0,
    mParts.separator,
  )
  // Sizes of the files this run replaces or removes, from their old manifest entries.
  let bytes = Number(cache.meta('bytes')) - oldManifest.size
  for (const range of manifestSpliced.dropped)
    bytes -= (JSON.parse(textOf(range)) as ManifestEntry).size
  for (const e of entries.values()) bytes += e.size
  const manifestPieces = manifestSpliced.layout.lengths.length
    ? [mParts.open, ...manifestSpliced.pieces, mParts.close]
    : [mParts.empty]
  // New text only: the reused entries were checked when they were written.
  for (const piece of manifestPieces)
    if (typeof piece === 'string') problems.push(...rawJsonProblems(piece, MANIFEST_PATH))
  if (errorsOf(problems).length) throw new ExportValidationError(errorsOf(problems))
  for (const piece of manifestPieces) bytes += pieceBytes(piece)
  const manifestSha = sha256OfPieces(manifestPieces)

  mark('manifest')
  // 8. Commit, remember. How the changed files get into the output depends on its size (see
  // commit.ts): a hard-link copy swapped in whole for small trees, staged renames for large ones.
  // The cache is marked while the commit runs, so an export killed inside it is followed by a
  // full one.
  let written = 0
  const mode = commitMode(Number(cache.meta('files')), ctx.swapMaxFiles)
  commitPatch(
    mode,
    ctx.out,
    (patch) => {
      for (const [path, bytesOut] of files) patch.write(path, bytesOut)
      patch.write(APP_BUNDLE_PATH, bundlePieces)
      for (const path of deleted) patch.remove(path)
      patch.write(MANIFEST_PATH, manifestPieces)
      written = files.size + 2
    },
    () => cache.setMeta('state', 'committing'),
    ctx.write,
  )

  mark('commit')
  const folders = folderStamps(
    ctx.out,
    new Set([...Object.keys(stamps), ...foldersOf(files.keys())]),
  )
  cache.transaction(() => {
    cache.setMeta('folders', JSON.stringify(folders))
    for (const id of removed) cache.deletePage(id)
    for (const {row} of rebuilt.values()) cache.putPage(row)
    // Reference index: re-read the referrers of everything a changed document points at, then and now.
    const dsts = new Set<string>()
    for (const id of changed) {
      const was = snap.before(id)
      const is = snap.now(id)
      if (was) for (const d of referencedIds(docRefs(was))) dsts.add(d)
      if (is) for (const d of referencedIds(docRefs(is))) dsts.add(d)
    }
    for (const dst of dsts) cache.putReferrers(dst, newReferrers(dst))
    bundleLayouts.forEach(({old, now}, i) => cache.putLayout(`bundle:${APP_GROUPS[i]}`, now, old))
    cache.setMeta('bundleOpen', String(Buffer.byteLength(parts.open)))
    cache.putLayout('manifest', manifestSpliced.layout, manifestLayout)
    cache.setMeta('manifestOpen', String(Buffer.byteLength(mParts.open)))
    cache.setMeta('manifestSha', manifestSha)
    cache.setMeta('generatedAt', generatedAt)
    cache.setMeta('reviewCutoff', cutoff)
    cache.setMeta('bytes', String(bytes))
    cache.setMeta('files', String(manifestSpliced.layout.lengths.length + 1))
    cache.setMeta('seq', String(currentSeq))
    cache.setMeta('tx', ds.transactionIdAt(currentSeq) ?? '')
    cache.setMeta('state', 'ready')
  })
  mark('cache update')
  ctx.progress(
    `incremental export: ${changed.size} changed document(s), ${rebuilt.size} page(s) rebuilt, ${written + deleted.size} file(s) written or removed`,
  )

  return {
    summary: summarize(
      ctx,
      cache,
      generatedAt,
      bytes,
      written + deleted.size,
      selections.slice(1).map((s) => s.length),
    ),
  }
}

/** Items per partner file, from the cache (no data changed). */
function partnerCounts(ctx: ExportContext, cache: ExportCache): number[] {
  return ctx.profiles.map((p) => {
    const n =
      cache.scalar<number>(
        `SELECT count(*) FROM pages WHERE type IN (SELECT value FROM json_each(?))${p.reviewedOnly ? ' AND reviewed = 1' : ''}`,
        JSON.stringify(p.types),
      ) ?? 0
    const limit = feedLimit(ctx.build, p)
    return limit === undefined ? n : Math.min(n, limit)
  })
}

/** Every reviewer of every page now, as the model shows them (app bundle `people`). */
async function reviewers(
  cache: ExportCache,
  snap: Snapshot,
  rebuilt: Map<string, {page: Page; row: PageRow}>,
  targets: ReadonlySet<string>,
): Promise<Person[]> {
  const ids = new Set<string>()
  // Per reviewer, does a page not rebuilt keep it? (Few reviewers, many pages: ask per reviewer.)
  for (const reviewer of cache.column<string>(
    'SELECT DISTINCT reviewer FROM pages WHERE reviewer IS NOT NULL',
  )) {
    const pages = cache.column<string>(
      'SELECT id FROM pages WHERE reviewer = ? LIMIT ?',
      reviewer,
      targets.size + 1,
    )
    if (pages.some((id) => !targets.has(id))) ids.add(reviewer)
  }
  for (const {row} of rebuilt.values()) if (row.reviewer) ids.add(row.reviewer)
  const docs = [...ids]
    .map((id) => snap.now(id))
    .filter((d): d is StoredDocument => d !== undefined)
  const source = createLocalSource(docs)
  const raw = await runQuery<unknown[]>(
    source,
    '*[_id in $ids]{_id, name, "slug": slug.current, credentials, url}',
    {ids: [...ids]},
  )
  return raw.map(person).filter((p): p is Person => p !== undefined)
}

function summarize(
  ctx: ExportContext,
  cache: ExportCache,
  generatedAt: string,
  bytes: number,
  changedFiles: number,
  partnerItems: number[],
): ExportSummary {
  const pages = Object.fromEntries(PAGE_TYPES.map((t) => [t, 0])) as Record<PageType, number>
  for (const t of PAGE_TYPES)
    pages[t] = cache.scalar<number>('SELECT count(*) FROM pages WHERE type = ?', t) ?? 0
  const rank = new Map(PAGE_TYPES.map((t, i) => [t, i]))
  const withProblems = cache.pagesWhere('problems IS NOT NULL')
  withProblems.sort(
    (a, b) =>
      rank.get(a.type)! - rank.get(b.type)! ||
      compareStrings(a.rawSlug, b.rawSlug) ||
      compareStrings(a.id, b.id),
  )
  return {
    ok: true,
    out: ctx.outLabel,
    generatedAt,
    files: Number(cache.meta('files')),
    bytes,
    pages,
    partners: ctx.profiles.map((p, i) => ({
      name: p.name,
      items: partnerItems[i]!,
      files: partnerFilePaths(p).sort(compareStrings),
    })),
    warnings: [...ctx.setupWarnings, ...withProblems.flatMap((r) => r.problems)].filter(
      (p) => p.level !== 'error',
    ),
    durationMs: Math.round(performance.now() - ctx.started),
    mode: 'incremental',
    changedFiles,
  }
}
