/**
 * The full export: every file rendered from a fresh model, written into a temporary folder that
 * replaces the output only when every check passed. Rendering runs on the main thread while the
 * thread pool writes and hashes what is already rendered (write.ts). When a cache is given, the
 * run records what an incremental export needs next time (incremental/cache.ts).
 */
import {InputError, type Problem} from '../lib/errors.ts'
import {sha256} from '../lib/hash.ts'
import type {QuerySource} from '../query/source.ts'
import {runQuery} from '../query/source.ts'
import type {Dataset} from '../store/dataset.ts'
import {appBundleFile, extraProblems, type CheckedFile, feedLimit, manifestEntryText, manifestFile, manifestParts, syndicationFiles, staticFiles, webFile, type ManifestEntry} from './build.ts'
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
import {replaceDirectoryAsync} from './write.ts'

export interface CacheTarget {
  cache: ExportCache
  ds: Dataset
  fingerprint: string
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
export async function fullExport(ctx: ExportContext, openSource: () => QuerySource, target?: CacheTarget): Promise<ExportSummary> {
  // The dataset position first: changes made while this export reads are picked up next time.
  const seq = target?.ds.lastSeq()
  let source: QuerySource | undefined = openSource()
  // Exports never show drafts or release versions, whatever the source's default.
  let input: FeedInput | undefined = await fetchFeedInput((query) => runQuery(source!, query, {}, {perspective: 'published'}))
  const referrers = target && source.kind === 'local' ? referrersOf(source.view('published').documents) : undefined
  source = undefined
  const slugs = rawSlugs(input)

  const problems: Problem[] = []
  const written: ManifestEntry[] = []
  const paths: string[] = []
  let manifestContent = ''
  let bundleLayout: {open: string; groups: Array<{keys: string[]; lengths: number[]}>} | undefined
  let built: ReturnType<typeof buildFeedModel> | undefined
  // The output folder and its writer come first: while the model is built, the writer creates
  // the web pages' files (their paths are known from the query results), see treeWriterWorker.ts.
  await replaceDirectoryAsync(
    ctx.out,
    async (writer) => {
      writer.announce(expectedWebPaths(input!))
      built = buildFeedModel(input!, ctx.modelOptions)
      input = undefined
      const {model, problems: modelProblems} = built
      if (errorsOf(modelProblems).length) throw new InputError(modelProblems)
      ctx.progress(`model: ${model.pages.length} pages, ${ctx.profiles.length} partner profiles`)
      // A cache that no longer describes the output must never be used, even if this run dies mid-way.
      target?.cache.setMeta('state', 'writing')
      const seen = new Set<string>()
      const emit = async (file: CheckedFile) => {
        problems.push(...file.problems, ...extraProblems(file, seen, ctx.build))
        paths.push(file.path)
        await writer.write(file.path, file.content, file.htmlEscape ? {htmlEscape: true} : {})
      }
      // Custom checks see each file's final text; otherwise pages are escaped byte-wise while written.
      const raw = !ctx.build.checks?.length
      let n = 0
      const cache = createWebJsonCache()
      const schemaChecked = new Set<string>()
      for (const page of model.pages) {
        const validateSchema = !schemaChecked.has(page.type)
        schemaChecked.add(page.type)
        await emit(webFile(model, page, {cache, validateSchema, raw}))
        if (++n % 20_000 === 0) ctx.progress(`rendered ${n}/${model.pages.length} pages`)
      }
      const bundle = appBundleFile(model)
      bundleLayout = bundle.layout
      await emit(bundle)
      for (const file of syndicationFiles(model, ctx.profiles, ctx.build)) await emit(file)
      for (const file of staticFiles()) await emit(file)
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
  const {model, problems: modelProblems, undated} = built!
  const bytes = written.reduce((n, e) => n + e.size, 0) + Buffer.byteLength(manifestContent)
  ctx.progress(`wrote ${paths.length} files to ${ctx.out}`)

  if (target && seq !== undefined && referrers) {
    const started = performance.now()
    writeCache(target, model, {seq, undated, rawSlugs: slugs, referrers, modelProblems, written, manifestContent, bytes, files: paths.length, bundle: bundleLayout!})
    ctx.progress(`export cache: ${Math.round(performance.now() - started)} ms`)
  }

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

function writeCache(
  target: CacheTarget,
  model: FeedModel,
  run: {
    seq: number
    undated: string[]
    rawSlugs: Map<string, string>
    referrers: Map<string, string[]>
    modelProblems: Problem[]
    written: ManifestEntry[]
    manifestContent: string
    bytes: number
    files: number
    bundle: {open: string; groups: Array<{keys: string[]; lengths: number[]}>}
  },
): void {
  const {cache, ds} = target
  const rowCtx = {undated: new Set(run.undated), rawSlugs: run.rawSlugs, problems: problemsByDocument(run.modelProblems)}
  const rows = model.pages.map((page) => pageRow(page, rowCtx))
  cache.transaction(() => {
    // Every page, and who references whom among the raw published documents (dangling included).
    cache.replaceAll(rows, run.referrers)
    run.bundle.groups.forEach((g, i) => cache.putLayout(`bundle:${APP_GROUPS[i]}`, encodeLayout(g)))
    cache.setMeta('bundleOpen', String(Buffer.byteLength(run.bundle.open)))
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
  })
}
