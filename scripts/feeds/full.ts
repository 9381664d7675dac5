/**
 * The full export: every file rendered from a fresh model, written into a temporary folder that
 * replaces the output only when every check passed. Rendering runs on the main thread while the
 * thread pool writes and hashes what is already rendered (write.ts). When a cache is given, the
 * run records what an incremental export needs next time (incremental/cache.ts).
 */
import v8 from 'node:v8'
import {runInNewContext} from 'node:vm'
import {InputError, type Problem} from '../lib/errors.ts'
import {sha256} from '../lib/hash.ts'
import type {QuerySource} from '../query/source.ts'
import {runQuery} from '../query/source.ts'
import type {Dataset} from '../store/dataset.ts'
import {APP_BUNDLE_PATH, appBundleFile, extraProblems, type CheckedFile, feedLimit, manifestEntryText, manifestFile, manifestParts, syndicationFiles, staticFiles, webFile, type ManifestEntry} from './build.ts'
import {errorsOf, type ExportContext, type ExportSummary} from './context.ts'
import {ExportValidationError} from './errors.ts'
import {type ExportCache} from './incremental/cache.ts'
import {encodeLayout} from './incremental/splice.ts'
import {pageRow, problemsByDocument, rawSlugs, referrersOf} from './incremental/state.ts'
import {fetchFeedInput, type FeedInput} from './input.ts'
import {buildFeedModel} from './model.ts'
import {partnerView} from './partnerView.ts'
import {APP_GROUPS, appBundleParts, appEntryJson, appGroupOf, bundlePeople} from './render/app.ts'
import {createWebJsonCache} from './render/webJson.ts'
import {cleanLine, compareStrings} from './text.ts'
import {webPagePath} from './render/web.ts'
import {PAGE_TYPES, type FeedModel, type Page, type PageType} from './types.ts'
import {rawJsonProblems} from './safety.ts'
import type {FileWriter} from './treeWriter.ts'
import {replaceDirectoryAsync} from './write.ts'

export interface CacheTarget {
  cache: ExportCache
  ds: Dataset
  fingerprint: string
}

/**
 * A full garbage collection, once, between reading and rendering. V8 collects lazily while the
 * heap is far below its limit (a quarter of the machine's memory): at 100k documents the heap
 * then held the parsed dataset and the rendering garbage at once. `gc` is exposed through V8's
 * flag at runtime (the documented --expose-gc, set here so no command line needs it).
 */
function collect(): void {
  try {
    v8.setFlagsFromString('--expose-gc')
    ;(runInNewContext('gc') as () => void)()
  } catch {
    // Not available: V8 collects on its own schedule.
  }
}

/**
 * app/bundle.json written in pieces (renderAppBundle's bytes: appBundleParts + each page's entry),
 * so neither the whole text nor its encoding is ever held. Returns the layout for the cache.
 */
async function streamAppBundle(
  model: FeedModel,
  writer: FileWriter,
  report: (problems: Problem[]) => void,
  paths: string[],
  seen: Set<string>,
): Promise<{open: string; groups: Array<{keys: string[]; lengths: number[]}>}> {
  if (seen.has(APP_BUNDLE_PATH)) report([{level: 'error', file: APP_BUNDLE_PATH, message: 'two outputs would be written to the same path'}])
  seen.add(APP_BUNDLE_PATH)
  paths.push(APP_BUNDLE_PATH)
  const parts = appBundleParts(model, bundlePeople(model.pages))
  const byGroup = new Map<string, Page[]>(APP_GROUPS.map((g) => [g, []]))
  for (const page of model.pages) byGroup.get(appGroupOf(page.type))!.push(page)
  const out = writer.stream(APP_BUNDLE_PATH)
  const check = (text: string) => report(rawJsonProblems(text, APP_BUNDLE_PATH))
  check(parts.open)
  await out.write(parts.open)
  const groups = APP_GROUPS.map((group) => ({group, keys: [] as string[], lengths: [] as number[]}))
  for (const [i, g] of groups.entries()) {
    if (i > 0) await out.write(parts.between[i - 1]!)
    // Entries batched into ~1 MB writes: one call per entry would cost more than the entry.
    let text = ''
    for (const page of byGroup.get(g.group)!) {
      const entry = appEntryJson(page)
      g.keys.push(page.id)
      g.lengths.push(Buffer.byteLength(entry))
      text += g.keys.length > 1 ? `,${entry}` : entry
      if (text.length > 1 << 20) {
        check(text)
        await out.write(text)
        text = ''
      }
    }
    if (text) {
      check(text)
      await out.write(text)
    }
  }
  check(parts.close)
  await out.write(parts.close)
  await out.end()
  return {open: parts.open, groups: groups.map(({keys, lengths}) => ({keys, lengths}))}
}

/** The web page paths of a dataset's published pages, from their slugs and titles alone. */
export function expectedPagePaths(ds: Dataset): string[] {
  const out: string[] = []
  for (const [type, rawSlug, rawTitle] of ds.slugsAndTitles(PAGE_TYPES)) {
    const slug = cleanLine(rawSlug)
    if (slug && cleanLine(rawTitle)) out.push(webPagePath({type, slug} as Page))
  }
  return out
}

/**
 * The web page paths the model will have: one per published query result with a title and a slug
 * (basePage in model.ts). Only a hint for the writer (treeWriter.ts announce): a path it creates
 * and nobody writes is removed, a path it did not expect is created when written.
 */
function expectedWebPaths(input: FeedInput): string[] {
  const out: string[] = []
  const lists: Array<[PageType, ReadonlyArray<Record<string, unknown>>]> = [
    ['article', input.articles],
    ['benefit', input.benefits],
    ['treatment', input.treatments],
    ['concern', input.concerns],
    ['skinType', input.skinTypes],
    ['serum', input.serums],
  ] as never
  for (const [type, list] of lists) {
    for (const raw of list) {
      const slug = cleanLine(raw.slug)
      if (slug && cleanLine(raw.title) && typeof raw._id === 'string' && !raw._id.includes('.')) out.push(webPagePath({type, slug} as Page))
    }
  }
  return out
}

/**
 * `openSource` is called once; the documents it holds are dropped as soon as the model is built
 * (at 100k documents, keeping them through rendering doubled the heap and its collections).
 */
export async function fullExport(
  ctx: ExportContext,
  openSource: () => QuerySource,
  target?: CacheTarget,
  /** The web pages' paths, when they can be listed before the documents are read (a dataset can). */
  earlyPaths?: () => string[],
): Promise<ExportSummary> {
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
  let cacheTx: {commit(): void; rollback(): void} | undefined
  // The output folder and its writer come first: while the documents are read and the model is
  // built, the writer creates the web pages' files (see treeWriterWorker.ts): at 100k files their
  // creation alone costs about as much as reading and writing the dataset.
  try {
    await replaceDirectoryAsync(
      ctx.out,
      async (writer) => {
        if (earlyPaths) writer.announce(earlyPaths())
        let source: QuerySource | undefined = openSource()
        // Exports never show drafts or release versions, whatever the source's default.
        let input: FeedInput | undefined = await fetchFeedInput((query) => runQuery(source!, query, {}, {perspective: 'published'}))
        referrers = target && source.kind === 'local' ? referrersOf(source.view('published').documents) : undefined
        source = undefined
        slugs = rawSlugs(input)
        if (!earlyPaths) writer.announce(expectedWebPaths(input))
        built = buildFeedModel(input!, ctx.modelOptions)
        input = undefined
        const {model, problems: modelProblems} = built
        if (errorsOf(modelProblems).length) throw new InputError(modelProblems)
        ctx.progress(`model: ${model.pages.length} pages, ${ctx.profiles.length} partner profiles`)
        // The documents and query results are garbage now; collect them before rendering adds its
        // own, so the heap (and the process's peak memory) does not carry both (see collect()).
        collect()
        // A cache that no longer describes the output must never be used, even if this run dies mid-way.
        target?.cache.setMeta('state', 'writing')
        const seen = new Set<string>()
        const emit = async (file: CheckedFile) => {
          problems.push(...file.problems, ...extraProblems(file, seen, ctx.build))
          paths.push(file.path)
          await writer.write(file.path, file.content, file.htmlEscape ? {htmlEscape: true} : {})
        }
        // Custom checks see each file's final text; otherwise pages are escaped byte-wise while
        // written, and the app bundle is streamed (never held whole: at 100k pages it is 130 MB).
        const raw = !ctx.build.checks?.length
        // Feeds and the bundle first: they read every page's text, which the web pages then release.
        for (const file of syndicationFiles(model, ctx.profiles, ctx.build)) await emit(file)
        if (raw) bundleLayout = await streamAppBundle(model, writer, (p) => problems.push(...p), paths, seen)
        else {
          const bundle = appBundleFile(model)
          bundleLayout = bundle.layout
          await emit(bundle)
        }
        let n = 0
        const cache = createWebJsonCache()
        const schemaChecked = new Set<string>()
        for (const page of model.pages) {
          const validateSchema = !schemaChecked.has(page.type)
          schemaChecked.add(page.type)
          await emit(webFile(model, page, {cache, validateSchema, raw}))
          // Nothing reads a page's text after its own file: let it go (the model is this run's own;
          // assigned, not deleted, so the page object keeps its shape and size).
          page.blocks = undefined
          page.html = undefined
          page.text = undefined
          if (++n % 20_000 === 0) ctx.progress(`rendered ${n}/${model.pages.length} pages`)
        }
        for (const file of staticFiles()) await emit(file)
        if (target && referrers) {
          const started = performance.now()
          cacheTx = beginCache(target, model, {undated: built.undated, rawSlugs: slugs!, referrers, modelProblems, bundle: bundleLayout!})
          ctx.progress(`export cache: ${Math.round(performance.now() - started)} ms (while the last files are written)`)
        }
        written.push(...(await writer.settle()))
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
    cacheTx?.rollback()
    throw e
  }
  const {model, problems: modelProblems} = built!
  const bytes = written.reduce((n, e) => n + e.size, 0) + Buffer.byteLength(manifestContent)
  ctx.progress(`wrote ${paths.length} files to ${ctx.out}`)
  if (target && cacheTx && seq !== undefined) finishCache(target, cacheTx, model, {seq, written, manifestContent, bytes, files: paths.length})

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
      return {name: p.name, items: partnerView(model, p, limit ? {limit} : {}).model.pages.length, files: sortedPaths.filter((f) => f.startsWith(prefix))}
    }),
    warnings: [...ctx.profileProblems, ...modelProblems, ...problems].filter((p) => p.level !== 'error'),
    durationMs: Math.round(performance.now() - ctx.started),
    mode: 'full',
    changedFiles: paths.length,
  }
}

/**
 * The cache's pages, references and bundle layout, in a transaction left open: written while the
 * writer thread finishes the last files (this thread would only wait), committed by finishCache
 * once the new output is in place.
 */
function beginCache(
  target: CacheTarget,
  model: FeedModel,
  run: {
    undated: string[]
    rawSlugs: Map<string, string>
    referrers: Map<string, string[]>
    modelProblems: Problem[]
    bundle: {open: string; groups: Array<{keys: string[]; lengths: number[]}>}
  },
): {commit(): void; rollback(): void} {
  const {cache} = target
  const rowCtx = {undated: new Set(run.undated), rawSlugs: run.rawSlugs, problems: problemsByDocument(run.modelProblems)}
  const tx = cache.begin()
  try {
    // Every page, and who references whom among the raw published documents (dangling included).
    cache.replaceAll(model.pages, (page) => pageRow(page, rowCtx), run.referrers)
    run.bundle.groups.forEach((g, i) => cache.putLayout(`bundle:${APP_GROUPS[i]}`, encodeLayout(g)))
    cache.setMeta('bundleOpen', String(Buffer.byteLength(run.bundle.open)))
  } catch (e) {
    tx.rollback()
    throw e
  }
  return tx
}

/** The rest of the cache (manifest layout, position in the dataset, options), then commit. */
function finishCache(
  target: CacheTarget,
  tx: {commit(): void},
  model: FeedModel,
  run: {seq: number; written: ManifestEntry[]; manifestContent: string; bytes: number; files: number},
): void {
  const {cache, ds} = target
  const entries = [...run.written].sort((a, b) => compareStrings(a.path, b.path))
  cache.putLayout('manifest', encodeLayout({keys: entries.map((e) => e.path), lengths: entries.map((e) => Buffer.byteLength(manifestEntryText(e)))}))
  cache.setMeta('manifestOpen', String(Buffer.byteLength(manifestParts(model.generatedAt).open)))
  cache.setMeta('manifestSha', sha256(run.manifestContent))
  cache.setMeta('generatedAt', model.generatedAt)
  cache.setMeta('bytes', String(run.bytes))
  cache.setMeta('files', String(run.files))
  cache.setMeta('seq', String(run.seq))
  cache.setMeta('tx', ds.transactionIdAt(run.seq) ?? '')
  cache.setMeta('dataset', ds.path)
  cache.setMeta('fingerprint', target.fingerprint)
  cache.setMeta('state', 'ready')
  tx.commit()
}
