/**
 * Everything one export writes: web pages, the app bundle, the main feeds, every partner's folder,
 * the schemas and the manifest. Files are rendered one at a time and checked (schema, format,
 * executable markup), so an export never holds all its output in memory; the caller writes them
 * into a temporary folder that only replaces the output when no file had an error (see
 * write.ts). Pure apart from the sink.
 *
 * Two levels of checks: files made once per page and the big aggregates get the fast scan of
 * fastChecks.ts (their renderers guarantee escaping, so their bytes are not parsed again); the
 * syndication files, which carry at most `feedItems` items, get the full parser-based checks.
 */
import {sha256} from '../lib/hash.ts'
import type {Problem} from '../lib/errors.ts'
import {webPageProblems} from './fastChecks.ts'
import {atomProblems, rssProblems} from './feedChecks.ts'
import {jsonFile, safeJson} from './json.ts'
import {normalizeLimit} from './limits.ts'
import type {PartnerFormat, PartnerProfile} from './partners.ts'
import {partnerView} from './partnerView.ts'
import {SCHEMAS_README} from './readme.ts'
import {renderAppBundleWithLayout} from './render/app.ts'
import {renderAtom} from './render/atom.ts'
import {MAIN_FEED_TYPES, type FeedSpec} from './render/item.ts'
import {renderJsonFeed} from './render/jsonFeed.ts'
import {renderJsonLdGraph} from './render/jsonLd.ts'
import {renderPartnerJson} from './render/partnerJson.ts'
import {renderRss} from './render/rss.ts'
import {webPageObject, webPagePath} from './render/web.ts'
import {createWebJsonCache, webPageJson, type WebJsonCache} from './render/webJson.ts'
import {jsonValueProblems, rawJsonProblems, unsafeMarkupProblems, xmlTreeProblems, type OutputFile} from './safety.ts'
import {SCHEMAS, schemaFileName, schemaId, validateAgainst, type SchemaName} from './schemas.ts'
import {compareStrings} from './text.ts'
import type {FeedModel, Page} from './types.ts'
import {parseXml, XmlSyntaxError} from './xmlTree.ts'

export const MANIFEST_PATH = 'manifest.json'
export const APP_BUNDLE_PATH = 'app/bundle.json'

/** File name of each partner format inside dist/partners/<name>/. */
export const PARTNER_FILES: Record<PartnerFormat, string> = {
  rss: 'rss.xml',
  atom: 'atom.xml',
  jsonfeed: 'feed.json',
  json: 'content.json',
  jsonld: 'jsonld.json',
}

export interface BuildOptions {
  /** Extra checks of each rendered file (tests inject failures; integrators add policies). */
  checks?: ReadonlyArray<(file: OutputFile) => Problem[]>
  /** Items per syndication file (RSS, Atom, JSON Feed, partner files); 0 = no limit; default 50. */
  feedItems?: number
}

/** A rendered file with the problems its checks found. */
export interface CheckedFile extends OutputFile {
  problems: Problem[]
  /** The content's `\u003c`… escapes are still to be applied to its bytes (see webFile `raw`). */
  htmlEscape?: true
}

/**
 * One page's web file, with the fast checks. Pass the same `cache` for every page of an export
 * (linked pages' JSON is made once); `validateSchema` also checks the page object against the
 * web page schema (the full export does it for the first page of each type).
 */
export function webFile(model: FeedModel, page: Page, opts: {cache?: WebJsonCache; validateSchema?: boolean; raw?: boolean} = {}): CheckedFile {
  const path = webPagePath(page)
  const object = opts.validateSchema ? webPageObject(model, page) : undefined
  if (opts.raw) {
    // The writer escapes every `<` of these bytes: none can remain, so there is no byte scan here.
    const content = webPageJson(model, page, opts.cache ?? createWebJsonCache(), {raw: true})
    return {path, content, problems: webPageProblems(path, undefined, page, object), htmlEscape: true}
  }
  const content = webPageJson(model, page, opts.cache ?? createWebJsonCache())
  return {path, content, problems: webPageProblems(path, content, page, object)}
}

/** app/bundle.json: compact JSON of plain text; the scan checks its bytes (no HTML members). */
export function appBundleFile(model: FeedModel): CheckedFile & {layout: ReturnType<typeof renderAppBundleWithLayout>} {
  const layout = renderAppBundleWithLayout(model)
  const content = layout.content
  return {path: APP_BUNDLE_PATH, content, problems: rawJsonProblems(content, APP_BUNDLE_PATH), layout}
}

/** Path of each file a partner profile produces, in the order they are written. */
export const partnerFilePaths = (profile: PartnerProfile): string[] =>
  [...profile.formats].sort().map((format) => `partners/${profile.name}/${PARTNER_FILES[format]}`)

/** The item limit of the main feeds and of one partner. */
export const feedLimit = (opts: BuildOptions, profile?: PartnerProfile): number | undefined =>
  profile?.maxItems ?? normalizeLimit(opts.feedItems)

/**
 * Main feeds and every partner's files, each fully checked (they are small: item limit).
 * `linkTargets`: pages the items link to that are not in `model.pages` (incremental exports).
 */
export function* syndicationFiles(
  model: FeedModel,
  profiles: readonly PartnerProfile[],
  opts: BuildOptions = {},
  linkTargets?: readonly Page[],
): Generator<CheckedFile> {
  const checked = (path: string, content: string): CheckedFile => ({path, content, problems: fileProblems({path, content})})
  const limit = feedLimit(opts)
  const main = (path: string): FeedSpec => ({title: model.site.title, description: model.site.description, path, types: MAIN_FEED_TYPES, ...(limit ? {limit} : {})})
  yield checked('feeds/rss.xml', renderRss(model, main('feeds/rss.xml')))
  yield checked('feeds/atom.xml', renderAtom(model, main('feeds/atom.xml')))
  yield checked('feeds/feed.json', renderJsonFeed(model, main('feeds/feed.json')))

  for (const profile of profiles) {
    const partnerLimit = feedLimit(opts, profile)
    const view = partnerView(model, profile, {...(partnerLimit ? {limit: partnerLimit} : {}), ...(linkTargets ? {linkTargets} : {})})
    for (const format of [...profile.formats].sort()) {
      const s: FeedSpec = {
        title: `${model.site.title} for ${profile.title}`,
        description: model.site.description,
        path: `partners/${profile.name}/${PARTNER_FILES[format]}`,
        types: profile.types,
      }
      const content =
        format === 'rss'
          ? renderRss(view.model, s)
          : format === 'atom'
            ? renderAtom(view.model, s)
            : format === 'jsonfeed'
              ? renderJsonFeed(view.model, s)
              : format === 'json'
                ? renderPartnerJson(view)
                : renderJsonLdGraph(view.model)
      yield checked(s.path, content)
    }
  }
}

/** The schemas and their README, shipped with every export. */
export function* staticFiles(): Generator<CheckedFile> {
  for (const name of Object.keys(SCHEMAS) as SchemaName[]) {
    const file = {path: `schemas/${schemaFileName(name)}`, content: jsonFile(SCHEMAS[name])}
    yield {...file, problems: fileProblems(file)}
  }
  const readme = {path: 'schemas/README.md', content: SCHEMAS_README}
  yield {...readme, problems: fileProblems(readme)}
}

/** Every output file except the manifest, rendered lazily in a fixed order, each checked. */
export function* exportFiles(model: FeedModel, profiles: readonly PartnerProfile[], opts: BuildOptions = {}): Generator<CheckedFile> {
  const cache = createWebJsonCache()
  const schemaChecked = new Set<string>()
  for (const page of model.pages) {
    const validateSchema = !schemaChecked.has(page.type)
    schemaChecked.add(page.type)
    yield webFile(model, page, {cache, validateSchema})
  }
  yield appBundleFile(model)
  yield* syndicationFiles(model, profiles, opts)
  yield* staticFiles()
}

/** Every output file except the manifest, unchecked (kept for callers that only render). */
export function* renderFiles(model: FeedModel, profiles: readonly PartnerProfile[], opts: BuildOptions = {}): Generator<OutputFile> {
  for (const {path, content} of exportFiles(model, profiles, opts)) yield {path, content}
}

/** The schema a JSON file must satisfy, by where it sits (undefined: only well-formed JSON). */
function schemaFor(path: string): SchemaName | undefined {
  if (path.startsWith('web/')) return 'webPage'
  if (path === APP_BUNDLE_PATH) return 'appBundle'
  if (path === MANIFEST_PATH) return 'manifest'
  if (path.endsWith('/feed.json')) return 'jsonFeed'
  if (path.endsWith('/content.json')) return 'partnerContent'
  return undefined
}

/**
 * Every check of one file, each file parsed once: JSON → its schema and the markup checks of its
 * values; XML → well-formedness, the RSS/Atom structure and the markup checks of the tree; other
 * text → the raw markup check.
 */
export function fileProblems(file: OutputFile): Problem[] {
  const {path, content} = file
  if (path.endsWith('.json')) {
    let value: unknown
    try {
      value = JSON.parse(content)
    } catch (e) {
      return [{level: 'error', file: path, message: `not valid JSON: ${(e as Error).message}`}]
    }
    const schema = schemaFor(path)
    const problems = [...rawJsonProblems(content, path), ...(schema ? validateAgainst(schema, value, path) : []), ...jsonValueProblems(value, path)]
    if (path.endsWith('/jsonld.json')) {
      const v = value as {'@context'?: unknown; '@graph'?: unknown}
      if (v['@context'] !== 'https://schema.org' || !Array.isArray(v['@graph'])) {
        problems.push({level: 'error', file: path, message: 'JSON-LD must have @context https://schema.org and an @graph array'})
      }
    }
    return problems
  }
  if (path.endsWith('.xml')) {
    let root
    try {
      root = parseXml(content)
    } catch (e) {
      const line = e instanceof XmlSyntaxError ? e.line : undefined
      return [{level: 'error', file: path, ...(line ? {line} : {}), message: `not well-formed XML: ${(e as Error).message}`}]
    }
    const structure = path.endsWith('/rss.xml') ? rssProblems(root, path) : path.endsWith('/atom.xml') ? atomProblems(root, path) : []
    return [...structure, ...xmlTreeProblems(root, path)]
  }
  return unsafeMarkupProblems([file])
}

export interface ManifestEntry {
  path: string
  size: number
  sha256: string
}

export const manifestEntry = (file: OutputFile): ManifestEntry => {
  const bytes = Buffer.from(file.content, 'utf8')
  return {path: file.path, size: bytes.byteLength, sha256: sha256(bytes)}
}

/**
 * The manifest's text around its entries, and one entry's text: exactly what
 * jsonFile({$schema, generatedAt, files}) writes (2-space JSON), assembled from parts so an
 * incremental export can reuse the entries of unchanged files.
 */
export const manifestParts = (generatedAt: string) => ({
  open: `{\n  "$schema": ${safeJson(schemaId('manifest'))},\n  "generatedAt": ${safeJson(generatedAt)},\n  "files": [\n`,
  separator: ',\n',
  close: '\n  ]\n}\n',
  empty: `{\n  "$schema": ${safeJson(schemaId('manifest'))},\n  "generatedAt": ${safeJson(generatedAt)},\n  "files": []\n}\n`,
})
export const manifestEntryText = (e: ManifestEntry): string =>
  `    {\n      "path": ${safeJson(e.path)},\n      "size": ${e.size},\n      "sha256": ${safeJson(e.sha256)}\n    }`

/** dist/manifest.json: every other file with its byte size and sha256, sorted by path. */
export function renderManifest(entries: readonly ManifestEntry[], generatedAt: string): string {
  const files = [...entries].sort((a, b) => compareStrings(a.path, b.path))
  const parts = manifestParts(generatedAt)
  return files.length === 0 ? parts.empty : parts.open + files.map(manifestEntryText).join(parts.separator) + parts.close
}

/** The manifest, checked: its bytes, and its schema when the entries are at hand. */
export function manifestFile(entries: readonly ManifestEntry[], generatedAt: string): CheckedFile {
  const content = renderManifest(entries, generatedAt)
  const problems = rawJsonProblems(content, MANIFEST_PATH)
  problems.push(...validateAgainst('manifest', {$schema: schemaId('manifest'), generatedAt, files: entries}, MANIFEST_PATH))
  return {path: MANIFEST_PATH, content, problems}
}

export interface ExportRun {
  /** Every file handed to the sink, manifest included. */
  files: number
  bytes: number
  paths: string[]
  /** Errors mean the sink's output must be thrown away. */
  problems: Problem[]
}

/** `path` taken for one output: an error if another output already took it. */
export function claimPath(path: string, seen: Set<string>): Problem[] {
  if (seen.has(path)) return [{level: 'error', file: path, message: 'two outputs would be written to the same path'}]
  seen.add(path)
  return []
}

/** Duplicate paths and the caller's extra checks, shared by every way of running an export. */
export function extraProblems(file: OutputFile, seen: Set<string>, opts: BuildOptions): Problem[] {
  const problems = claimPath(file.path, seen)
  for (const check of opts.checks ?? []) problems.push(...check(file))
  return problems
}

/**
 * Render every file, check it and pass it to `sink`, then the manifest. Checking continues past
 * errors so one run reports every problem; the caller discards the sink's output when
 * `problems` holds an error.
 */
export function runExport(
  model: FeedModel,
  profiles: readonly PartnerProfile[],
  sink: (file: OutputFile) => void,
  opts: BuildOptions = {},
): ExportRun {
  const problems: Problem[] = []
  const entries: ManifestEntry[] = []
  const seen = new Set<string>()
  let bytes = 0
  const emit = (file: CheckedFile) => {
    problems.push(...file.problems, ...extraProblems(file, seen, opts))
    const entry = manifestEntry(file)
    bytes += entry.size
    if (file.path !== MANIFEST_PATH) entries.push(entry)
    sink({path: file.path, content: file.content})
  }
  for (const file of exportFiles(model, profiles, opts)) emit(file)
  emit(manifestFile(entries, model.generatedAt))
  return {files: seen.size, bytes, paths: [...seen].sort(compareStrings), problems}
}

export interface BuildResult {
  /** Sorted by path, manifest included; empty when there are errors. */
  files: OutputFile[]
  problems: Problem[]
}

/** The whole export in memory (tests, small datasets): files only when no check failed. */
export function buildExport(model: FeedModel, profiles: readonly PartnerProfile[], opts: BuildOptions = {}): BuildResult {
  const files: OutputFile[] = []
  const {problems} = runExport(model, profiles, (f) => files.push(f), opts)
  return {files: problems.some((p) => p.level === 'error') ? [] : files.sort((a, b) => compareStrings(a.path, b.path)), problems}
}
