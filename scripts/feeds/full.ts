/**
 * The full export: every file rendered from a fresh model, written into a temporary folder that
 * replaces the output only when every check passed. Rendering runs on the main thread while the
 * thread pool writes and hashes what is already rendered (write.ts). When a cache is given, the
 * run records what an incremental export needs next time (incremental/cache.ts).
 */
import {InputError, type Problem} from '../lib/errors.ts'
import {collectGarbage} from '../lib/gc.ts'
import {sha256} from '../lib/hash.ts'
import type {QuerySource} from '../query/source.ts'
import type {Dataset} from '../store/dataset.ts'
import {runQuery} from '../query/source.ts'
import {
  appBundleFile,
  claimPath,
  extraProblems,
  type CheckedFile,
  feedLimit,
  manifestFile,
  syndicationFiles,
  staticFiles,
  webFile,
} from './build.ts'
import {errorsOf, type ExportContext, type ExportSummary} from './context.ts'
import {ExportValidationError} from './errors.ts'
import {type ExportCache} from './incremental/cache.ts'
import {folderStamps, foldersOf, type FolderStamps} from './incremental/folders.ts'
import {layoutOf} from './incremental/splice.ts'
import {pageRow, problemsByDocument, rawSlugs, referrersOf} from './incremental/state.ts'
import {expectedWebPaths} from './expectedPaths.ts'
import {fetchFeedInput, type FeedInput} from './input.ts'
import {buildFeedModel} from './model.ts'
import {partnerView} from './partnerView.ts'
import {
  APP_GROUPS,
  appBundleParts,
  appEntryText,
  appGroupOf,
  bundlePeople,
} from './outputs/appBundle.ts'
import {APP_BUNDLE_PATH} from './outputs/files.ts'
import {manifestEntryText, manifestParts, type ManifestEntry} from './outputs/manifest.ts'
import {pageProblems} from './outputs/page.ts'
import {createWebPageParts, webPagePath, webPagePieces} from './outputs/webPage.ts'
import {createWriter} from './outputs/write.ts'
import {reviewCutoff} from '../../schemas/rules/review.ts'
import {compareStrings} from './text.ts'
import {PAGE_TYPES, type FeedModel, type Page, type PageType} from './types.ts'
import {rawJsonProblems} from './markup.ts'
import type {FileWriter} from './treeWriter.ts'
import {exportTimings} from './timings.ts'
import {replaceDirectory} from './write.ts'

/** Web pages per chunk handed to the writer thread (treeWriter.ts renderWeb) or rendered here. */
const WEB_CHUNK = 128

export interface CacheTarget {
  cache: ExportCache
  ds: Dataset
  fingerprint: string
}

/*
 * The full garbage collection fullExport requests once, between reading and rendering. V8
 * collects lazily while the heap is far below its limit (a quarter of the machine's memory): at
 * 100k documents the heap then held the parsed dataset and the rendering garbage at once. The collection is requested
 * with `execution: 'async'`: V8 runs it in a task of its own once this thread yields (a pause of
 * ~0.45 s at 100k documents, measured with --trace-gc); a synchronous call here stopped this
 * thread for 0.7–1.5 s and left a higher peak. Without it the export was 0.3–0.7 s faster but
 * peaked at 1.64–1.67 GiB (the limit is 1.6).
 */

/**
 * app/bundle.json written in pieces (renderAppBundle's bytes: appBundleParts + each page's entry),
 * so neither the whole text nor its encoding is ever held. Pages are added in model order, which
 * is the bundle's group order (both follow PAGE_TYPES), so the web pages' pass adds each page's
 * entry before it lets the page's text go. `end` gives the layout for the cache.
 */
async function appBundleStream(
  model: FeedModel,
  writer: FileWriter,
  report: (problems: Problem[]) => void,
) {
  const parts = appBundleParts(model, bundlePeople(model.pages))
  const out = writer.stream(APP_BUNDLE_PATH)
  const groups = APP_GROUPS.map(() => ({keys: [] as string[], lengths: [] as number[]}))
  const w = createWriter()
  let group = 0
  // Entries batched into ~1 MB writes (one call per entry would cost more than the entry), kept as
  // pieces: a string built with += is a rope V8 copies whole before searching or encoding it.
  let pending: string[] = [parts.open]
  let units = parts.open.length
  const push = (text: string) => {
    pending.push(text)
    units += text.length
  }
  const flush = async () => {
    for (const piece of pending) {
      const found = rawJsonProblems(piece, APP_BUNDLE_PATH)
      if (found.length) {
        report(found)
        break
      }
    }
    await out.write(pending)
    pending = []
    units = 0
  }
  const enter = (g: number) => {
    for (; group < g; group++) push(parts.between[group]!)
  }
  return {
    async add(page: Page) {
      const g = APP_GROUPS.indexOf(appGroupOf(page.type))
      if (g < group)
        throw new Error(
          `app bundle: ${page.id} comes after the ${APP_GROUPS[group]} group (pages out of order)`,
        )
      enter(g)
      const entry = appEntryText(page, w)
      const {keys, lengths} = groups[g]!
      if (keys.length) push(',')
      push(entry)
      keys.push(page.id)
      lengths.push(Buffer.byteLength(entry))
      if (units > 1 << 20) await flush()
    },
    async end() {
      enter(APP_GROUPS.length - 1)
      push(parts.close)
      await flush()
      await out.end()
      return {open: parts.open, groups}
    },
  }
}

/**
 * Every web page, in model order, in chunks: each chunk's app bundle entries first (the pages'
 * text is released after their files), then the chunk goes to the writer thread to be rendered
 * there while it has room (raw mode only: it escapes the bytes as `raw` writes are), or is
 * rendered here. When the writer thread is full, `meanwhile` (a slice of other work) runs before
 * this thread renders a chunk itself: the two cores share the pages whatever their speeds.
 */
async function webPagesPass(
  model: FeedModel,
  writer: FileWriter,
  opts: {
    raw: boolean
    emit: (file: CheckedFile) => Promise<void>
    bundle?: {add(page: Page): Promise<void>}
    /** A page whose file goes out without passing `emit`: its checks and its path (raw mode). */
    track: (path: string, page: Page) => void
    /** The shared objects (links) already checked in this export. */
    seen: WeakSet<object>
    meanwhile?: () => boolean
    progress: (message: string) => void
  },
): Promise<void> {
  const parts = createWebPageParts()
  const schemaChecked = new Set<string>()
  // Nothing reads a page's text after its own file: let it go (the model is this run's own;
  // assigned, not deleted, so the page object keeps its shape and size).
  const release = (page: Page) => {
    page.blocks = undefined
    page.html = undefined
    page.text = undefined
  }
  const render = async (page: Page, validateSchema: boolean) => {
    await opts.emit(webFile(model, page, {parts, seen: opts.seen, validateSchema, raw: opts.raw}))
    release(page)
  }
  // Raw mode: the page's pieces go straight into the writer's buffer, never joined.
  const renderPieces = async ({path, page}: {path: string; page: Page}) => {
    opts.track(path, page)
    await writer.write(path, webPagePieces(model, page, parts, {raw: true}), {htmlEscape: true})
    release(page)
  }
  const handOver = (files: Array<{path: string; page: Page}>): boolean => {
    for (;;) {
      if (writer.renderWeb(model.site, files)) return true
      if (!opts.meanwhile?.()) return false
    }
  }
  const total = model.pages.length
  let elsewhere = 0
  for (let at = 0; at < total; at += WEB_CHUNK) {
    const chunk = model.pages.slice(at, at + WEB_CHUNK)
    if (opts.bundle) for (const page of chunk) await opts.bundle.add(page)
    const offload: Array<{path: string; page: Page}> = []
    for (const page of chunk) {
      // The first page of each type is validated against the schema as an object: here.
      const validateSchema = !schemaChecked.has(page.type)
      schemaChecked.add(page.type)
      if (opts.raw && !validateSchema) offload.push({path: webPagePath(page), page})
      else await render(page, validateSchema)
    }
    if (offload.length && handOver(offload)) {
      for (const {path, page} of offload) {
        opts.track(path, page)
        release(page)
      }
      elsewhere += offload.length
    } else for (const file of offload) await renderPieces(file)
    const done = Math.min(total, at + WEB_CHUNK)
    if (Math.floor(done / 20_000) > Math.floor(at / 20_000))
      opts.progress(`rendered ${done}/${total} pages`)
  }
  opts.progress(`web pages: ${total - elsewhere} rendered here, ${elsewhere} on the writer thread`)
}

/**
 * `openSource` is called once; the documents it holds are dropped as soon as the model is built
 * (at 100k documents, keeping them through rendering doubled the heap and its collections).
 */
export async function fullExport(
  ctx: ExportContext,
  openSource: () => QuerySource,
  target?: CacheTarget,
  /**
   * The web pages' paths, when they can be listed before the documents are read (a dataset can):
   * the list, or the dataset file the writer thread lists them from (expectedPaths.ts).
   */
  earlyPaths?: (() => string[]) | {dataset: string},
): Promise<ExportSummary> {
  const mark = exportTimings('full')
  // The dataset position first: changes made while this export reads are picked up next time.
  const seq = target?.ds.lastSeq()
  const problems: Problem[] = []
  const written: ManifestEntry[] = []
  const paths: string[] = []
  let manifestContent = ''
  let bundleLayout: {open: string; groups: Array<{keys: string[]; lengths: number[]}>} | undefined
  let built: ReturnType<typeof buildFeedModel> | undefined
  let referrers: Map<string, string[]> | undefined
  let slugs: Map<string, string> | undefined
  let cacheFill: CacheFill | undefined
  let cacheTx: {commit(): void; rollback(): void} | undefined
  // The output folder and its writer come first: while the documents are read and the model is
  // built, the writer creates the web pages' files (see treeWriterWorker.ts): at 100k files their
  // creation alone costs about as much as reading and writing the dataset.
  try {
    await replaceDirectory(
      ctx.out,
      async (writer) => {
        if (earlyPaths)
          writer.announce(typeof earlyPaths === 'function' ? earlyPaths() : earlyPaths)
        let source: QuerySource | undefined = openSource()
        mark('output folder, documents')
        // Exports never show drafts or release versions, whatever the source's default.
        let input: FeedInput | undefined = await fetchFeedInput((query) =>
          runQuery(source!, query, {}, {perspective: 'published'}),
        )
        mark('feed queries')
        referrers =
          target && source.kind === 'local'
            ? referrersOf(source.view('published').documents)
            : undefined
        source = undefined
        slugs = rawSlugs(input)
        if (!earlyPaths) writer.announce(expectedWebPaths(input))
        mark('references, slugs')
        built = buildFeedModel(input!, ctx.modelOptions)
        mark('model')
        // Released for the collection below (the query results are the largest garbage of the export).
        // eslint-disable-next-line no-useless-assignment
        input = undefined
        const {model, problems: modelProblems} = built
        if (errorsOf(modelProblems).length) throw new InputError(modelProblems)
        ctx.progress(`model: ${model.pages.length} pages, ${ctx.profiles.length} partner profiles`)
        // The documents and query results are garbage now; collect them before rendering adds its
        // own, so the heap (and the process's peak memory) does not carry both (see the note at the
        // top of this file).
        collectGarbage('async')
        // A cache that no longer describes the output must never be used, even if this run dies mid-way.
        target?.cache.setMeta('state', 'writing')
        const seen = new Set<string>()
        // Shared objects (links) whose checks already ran.
        const checked = new WeakSet<object>()
        const emit = async (file: CheckedFile) => {
          problems.push(...file.problems, ...extraProblems(file, seen, ctx.build))
          paths.push(file.path)
          await writer.write(file.path, file.content, file.htmlEscape ? {htmlEscape: true} : {})
        }
        // Custom checks see each file's final text; otherwise pages are escaped byte-wise while
        // written, and the app bundle is streamed (never held whole: at 100k pages it is 130 MB).
        const raw = !ctx.build.checks?.length
        // Feeds first, and the bundle before each page's file: they read the pages' text, which
        // the web pages' pass then releases.
        for (const file of syndicationFiles(model, ctx.profiles, ctx.build)) await emit(file)
        // Custom checks see the bundle's whole text; otherwise it is streamed during the pages' pass.
        mark('feeds, partner files')
        let bundle: Awaited<ReturnType<typeof appBundleStream>> | undefined
        if (raw) {
          problems.push(...claimPath(APP_BUNDLE_PATH, seen))
          paths.push(APP_BUNDLE_PATH)
          bundle = await appBundleStream(model, writer, (p) => problems.push(...p))
        } else {
          const file = appBundleFile(model)
          bundleLayout = file.layout
          await emit(file)
        }
        const fill =
          target && referrers
            ? startCache(target, model, {
                undated: built.undated,
                rawSlugs: slugs!,
                referrers,
                modelProblems,
              })
            : undefined
        cacheFill = fill
        const cacheStarted = performance.now()
        await webPagesPass(model, writer, {
          seen: checked,
          raw,
          emit,
          ...(bundle ? {bundle} : {}),
          track: (path, page) => {
            problems.push(...pageProblems(page, path, checked), ...claimPath(path, seen))
            paths.push(path)
          },
          ...(fill ? {meanwhile: fill.step} : {}),
          progress: ctx.progress,
        })
        mark('web pages, app bundle, cache rows')
        if (bundle) bundleLayout = await bundle.end()
        for (const file of staticFiles()) await emit(file)
        if (fill) {
          const started = performance.now()
          cacheTx = fill.finish(bundleLayout!)
          ctx.progress(
            `export cache: ${Math.round(performance.now() - started)} ms to finish (started ${Math.round(started - cacheStarted)} ms before)`,
          )
        }
        mark('schemas, cache indexes')
        written.push(...(await writer.settle()))
        mark('last writes')
        const manifest = manifestFile(written, model.generatedAt)
        problems.push(...manifest.problems, ...extraProblems(manifest, seen, ctx.build))
        if (errorsOf(problems).length) throw new ExportValidationError(errorsOf(problems))
        manifestContent = manifest.content
        paths.push(manifest.path)
        await writer.write(manifest.path, manifest.content)
      },
      ctx.write,
    )
  } catch (e) {
    cacheFill?.rollback()
    throw e
  }
  mark('manifest, swap')
  const {model, problems: modelProblems} = built!
  const bytes = written.reduce((n, e) => n + e.size, 0) + Buffer.byteLength(manifestContent)
  ctx.progress(`wrote ${paths.length} files to ${ctx.out}`)
  if (target && cacheTx && seq !== undefined)
    finishCache(target, cacheTx, model, {
      seq,
      written,
      manifestContent,
      bytes,
      files: paths.length,
      folders: folderStamps(ctx.out, foldersOf(paths)),
      reviewCutoff: reviewCutoff(ctx.modelOptions.reviewedAsOf ?? model.generatedAt),
    })

  mark('cache commit')
  const pages = Object.fromEntries(PAGE_TYPES.map((t) => [t, 0])) as Record<PageType, number>
  for (const p of model.pages) pages[p.type]++
  const sortedPaths = [...paths].sort(compareStrings)
  return {
    ok: true,
    out: ctx.outLabel,
    generatedAt: model.generatedAt,
    files: paths.length,
    bytes,
    pages,
    partners: ctx.profiles.map((p) => {
      const prefix = `partners/${p.name}/`
      const limit = feedLimit(ctx.build, p)
      return {
        name: p.name,
        items: partnerView(model, p, limit ? {limit} : {}).model.pages.length,
        files: sortedPaths.filter((f) => f.startsWith(prefix)),
      }
    }),
    warnings: [...ctx.setupWarnings, ...modelProblems, ...problems].filter(
      (p) => p.level !== 'error',
    ),
    durationMs: Math.round(performance.now() - ctx.started),
    mode: 'full',
    changedFiles: paths.length,
  }
}

/** The export cache being written by a full export, in a transaction left open (see startCache). */
interface CacheFill {
  /** Write a slice of the rows; false when there was nothing left to write. */
  step(): boolean
  /** The remaining rows, the indexes and the bundle layout; the transaction stays open. */
  finish(bundle: {open: string; groups: Array<{keys: string[]; lengths: number[]}>}): {
    commit(): void
    rollback(): void
  }
  rollback(): void
}

/**
 * The cache's pages and references, written in slices while the web pages are rendered (when the
 * writer thread has all it can take, this thread writes a slice instead of waiting), then the
 * bundle layout; the transaction is committed by finishCache once the new output is in place.
 */
function startCache(
  target: CacheTarget,
  model: FeedModel,
  run: {
    undated: string[]
    rawSlugs: Map<string, string>
    referrers: Map<string, string[]>
    modelProblems: Problem[]
  },
): CacheFill {
  const {cache} = target
  const rowCtx = {
    undated: new Set(run.undated),
    rawSlugs: run.rawSlugs,
    problems: problemsByDocument(run.modelProblems),
  }
  const tx = cache.begin()
  const guard = <T>(fn: () => T): T => {
    try {
      return fn()
    } catch (e) {
      tx.rollback()
      throw e
    }
  }
  // Every page, and who references whom among the raw published documents (dangling included).
  const rows = guard(() =>
    cache.replaceAllInSteps(model.pages, (page) => pageRow(page, rowCtx), run.referrers),
  )
  return {
    step: () => guard(() => rows.step()),
    finish: (bundle) =>
      guard(() => {
        rows.finish()
        bundle.groups.forEach((g, i) =>
          cache.putLayout(`bundle:${APP_GROUPS[i]}`, layoutOf(g.keys, g.lengths)),
        )
        cache.setMeta('bundleOpen', String(Buffer.byteLength(bundle.open)))
        return tx
      }),
    rollback: () => tx.rollback(),
  }
}

/** The rest of the cache (manifest layout, position in the dataset, options), then commit. */
function finishCache(
  target: CacheTarget,
  tx: {commit(): void},
  model: FeedModel,
  run: {
    seq: number
    written: ManifestEntry[]
    manifestContent: string
    bytes: number
    files: number
    folders: FolderStamps
    reviewCutoff: string
  },
): void {
  const {cache, ds} = target
  const entries = [...run.written].sort((a, b) => compareStrings(a.path, b.path))
  cache.putLayout(
    'manifest',
    layoutOf(
      entries.map((e) => e.path),
      entries.map((e) => Buffer.byteLength(manifestEntryText(e))),
    ),
  )
  cache.setMeta('manifestOpen', String(Buffer.byteLength(manifestParts(model.generatedAt).open)))
  cache.setMeta('manifestSha', sha256(run.manifestContent))
  cache.setMeta('generatedAt', model.generatedAt)
  cache.setMeta('bytes', String(run.bytes))
  cache.setMeta('files', String(run.files))
  cache.setMeta('seq', String(run.seq))
  cache.setMeta('tx', ds.transactionIdAt(run.seq) ?? '')
  cache.setMeta('dataset', ds.path)
  cache.setMeta('fingerprint', target.fingerprint)
  cache.setMeta('folders', JSON.stringify(run.folders))
  cache.setMeta('reviewCutoff', run.reviewCutoff)
  cache.setMeta('state', 'ready')
  tx.commit()
}
