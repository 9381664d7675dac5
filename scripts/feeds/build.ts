/**
 * Everything one export writes: web pages, the app bundle, the main feeds, every partner's folder,
 * the schemas and the manifest. Files are rendered one at a time, checked (schema, format,
 * executable markup) and handed to a sink, so an export never holds all its output in memory;
 * the caller's sink writes into a temporary folder that only replaces the output when no file
 * had an error (see write.ts). Pure apart from the sink.
 */
import {sha256} from '../lib/hash.ts'
import type {Problem} from '../lib/errors.ts'
import {atomProblems, rssProblems} from './feedChecks.ts'
import {jsonFile} from './json.ts'
import type {PartnerFormat, PartnerProfile} from './partners.ts'
import {partnerView} from './partnerView.ts'
import {SCHEMAS_README} from './readme.ts'
import {renderAppBundle} from './render/app.ts'
import {renderAtom} from './render/atom.ts'
import {MAIN_FEED_TYPES, type FeedSpec} from './render/item.ts'
import {renderJsonFeed} from './render/jsonFeed.ts'
import {renderJsonLdGraph} from './render/jsonLd.ts'
import {renderPartnerJson} from './render/partnerJson.ts'
import {renderRss} from './render/rss.ts'
import {renderWebPage, webPagePath} from './render/web.ts'
import {jsonValueProblems, rawJsonProblems, unsafeMarkupProblems, xmlTreeProblems, type OutputFile} from './safety.ts'
import {SCHEMAS, schemaFileName, schemaId, validateAgainst, type SchemaName} from './schemas.ts'
import {compareStrings} from './text.ts'
import type {FeedModel} from './types.ts'
import {parseXml, XmlSyntaxError} from './xmlTree.ts'

export const MANIFEST_PATH = 'manifest.json'

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
}

/** Every output file except the manifest, rendered lazily in a fixed order. */
export function* renderFiles(model: FeedModel, profiles: readonly PartnerProfile[]): Generator<OutputFile> {
  const add = (path: string, content: string): OutputFile => ({path, content})

  for (const page of model.pages) yield add(webPagePath(page), renderWebPage(model, page))
  yield add('app/bundle.json', renderAppBundle(model))

  const main = (path: string): FeedSpec => ({title: model.site.title, description: model.site.description, path, types: MAIN_FEED_TYPES})
  yield add('feeds/rss.xml', renderRss(model, main('feeds/rss.xml')))
  yield add('feeds/atom.xml', renderAtom(model, main('feeds/atom.xml')))
  yield add('feeds/feed.json', renderJsonFeed(model, main('feeds/feed.json')))

  for (const profile of profiles) {
    const view = partnerView(model, profile)
    const spec = (format: PartnerFormat): FeedSpec => ({
      title: `${model.site.title} for ${profile.title}`,
      description: model.site.description,
      path: `partners/${profile.name}/${PARTNER_FILES[format]}`,
      types: profile.types,
    })
    for (const format of [...profile.formats].sort()) {
      const s = spec(format)
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
      yield add(s.path, content)
    }
  }

  for (const name of Object.keys(SCHEMAS) as SchemaName[]) yield add(`schemas/${schemaFileName(name)}`, jsonFile(SCHEMAS[name]))
  yield add('schemas/README.md', SCHEMAS_README)
}

/** The schema a JSON file must satisfy, by where it sits (undefined: only well-formed JSON). */
function schemaFor(path: string): SchemaName | undefined {
  if (path.startsWith('web/')) return 'webPage'
  if (path === 'app/bundle.json') return 'appBundle'
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

/** dist/manifest.json: every other file with its byte size and sha256, sorted by path. */
export function renderManifest(entries: readonly ManifestEntry[], generatedAt: string): string {
  const files = [...entries].sort((a, b) => compareStrings(a.path, b.path))
  return jsonFile({$schema: schemaId('manifest'), generatedAt, files})
}

export interface ExportRun {
  /** Every file handed to the sink, manifest included. */
  files: number
  bytes: number
  paths: string[]
  /** Errors mean the sink's output must be thrown away. */
  problems: Problem[]
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
  const emit = (file: OutputFile) => {
    if (seen.has(file.path)) problems.push({level: 'error', file: file.path, message: 'two outputs would be written to the same path'})
    seen.add(file.path)
    problems.push(...fileProblems(file))
    for (const check of opts.checks ?? []) problems.push(...check(file))
    const entry = manifestEntry(file)
    bytes += entry.size
    if (file.path !== MANIFEST_PATH) entries.push(entry)
    sink(file)
  }
  for (const file of renderFiles(model, profiles)) emit(file)
  emit({path: MANIFEST_PATH, content: renderManifest(entries, model.generatedAt)})
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
