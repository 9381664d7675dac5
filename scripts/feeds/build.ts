/**
 * The files of one export, each rendered and checked (schema, format, executable markup): web
 * pages, the app bundle, the main feeds, every partner's folder, the schemas and the manifest.
 * The export pipelines (full.ts, incremental/run.ts) write them; nothing here touches the disk.
 *
 * Two levels of checks: files made once per page and the big aggregates are not parsed again
 * (their writer escapes every string; each page's data is checked by the roles of its
 * declaration, outputs/page.ts); the syndication files, which carry at most `feedItems` items,
 * get the full parser-based checks.
 */
import type {Problem} from '../lib/errors.ts'
import {atomProblems, rssProblems} from './feedChecks.ts'
import {jsonFile} from './json.ts'
import {normalizeLimit} from './limits.ts'
import {rawJsonProblems} from './markup.ts'
import {renderAppBundleWithLayout, type AppBundleLayout} from './outputs/appBundle.ts'
import {APP_BUNDLE_PATH, jsonFileKind, MANIFEST_PATH} from './outputs/files.ts'
import {renderJsonLdGraph} from './outputs/jsonLd.ts'
import {manifestEntryText, manifestParts, type ManifestEntry} from './outputs/manifest.ts'
import {pageProblems} from './outputs/page.ts'
import {renderPartnerJson} from './outputs/partnerContent.ts'
import {PARTNER_FORMATS, type PartnerFormat, type PartnerProfile} from './outputs/partnerProfile.ts'
import {FORMATS, type Format} from './formats.ts'
import {
  createWebPageParts,
  webPagePath,
  webPagePieces,
  type WebPageParts,
} from './outputs/webPage.ts'
import {partnerView} from './partnerView.ts'
import {SCHEMAS_README} from './readme.ts'
import {renderAtom} from './render/atom.ts'
import {MAIN_FEED_TYPES, type FeedSpec} from './render/item.ts'
import {renderJsonFeed} from './render/jsonFeed.ts'
import {renderRss} from './render/rss.ts'
import {
  jsonValueProblems,
  unsafeMarkupProblems,
  xmlTreeProblems,
  type OutputFile,
} from './safety.ts'
import {SCHEMAS, schemaFileName, schemaId, validateAgainst, type SchemaName} from './schemas.ts'
import {compareStrings} from './text.ts'
import type {FeedModel, Page} from './types.ts'
import {parseXml, XmlSyntaxError} from './xmlTree.ts'

/** File name of each partner format inside dist/partners/<name>/ (formats.ts). */
const PARTNER_FILES = Object.fromEntries(
  PARTNER_FORMATS.map((format) => [format, FORMATS[format].file]),
) as Record<PartnerFormat, string>

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
 * One page's web file, with its checks: the page's data by the roles of its declaration (`seen`:
 * one set per export, so shared links are checked once), and its bytes unless they are `raw`
 * (the caller escapes them as it writes). Pass the same `parts` for every page of an export;
 * `validateSchema` also parses the file and checks it against the web page schema and the roles
 * of its own declaration (the full export does it for the first page of each type: the shape
 * does not depend on the data).
 */
export function webFile(
  model: FeedModel,
  page: Page,
  opts: {
    parts?: WebPageParts
    seen?: WeakSet<object>
    validateSchema?: boolean
    raw?: boolean
  } = {},
): CheckedFile {
  const path = webPagePath(page)
  const content = webPagePieces(model, page, opts.parts ?? createWebPageParts(), {
    raw: opts.raw ?? false,
  }).join('')
  const problems = pageProblems(page, path, opts.seen)
  if (!opts.raw) problems.push(...rawJsonProblems(content, path))
  if (opts.validateSchema) {
    const value: unknown = JSON.parse(content)
    problems.push(...validateAgainst('webPage', value, path), ...jsonValueProblems(value, path))
  }
  return opts.raw ? {path, content, problems, htmlEscape: true} : {path, content, problems}
}

/** app/bundle.json: compact JSON of plain text; the scan checks its bytes (no HTML members). */
export function appBundleFile(model: FeedModel): CheckedFile & {layout: AppBundleLayout} {
  const layout = renderAppBundleWithLayout(model)
  return {
    path: APP_BUNDLE_PATH,
    content: layout.content,
    problems: rawJsonProblems(layout.content, APP_BUNDLE_PATH),
    layout,
  }
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
  const checked = (path: string, content: string): CheckedFile => ({
    path,
    content,
    problems: fileProblems({path, content}),
  })
  const limit = feedLimit(opts)
  const main = (path: string): FeedSpec => ({
    title: model.site.title,
    description: model.site.description,
    path,
    types: MAIN_FEED_TYPES,
    ...(limit ? {limit} : {}),
  })
  const feed = (format: Format) => `feeds/${FORMATS[format].file}`
  yield checked(feed('rss'), renderRss(model, main(feed('rss'))))
  yield checked(feed('atom'), renderAtom(model, main(feed('atom'))))
  yield checked(feed('jsonfeed'), renderJsonFeed(model, main(feed('jsonfeed'))))

  for (const profile of profiles) {
    const partnerLimit = feedLimit(opts, profile)
    const view = partnerView(model, profile, {
      ...(partnerLimit ? {limit: partnerLimit} : {}),
      ...(linkTargets ? {linkTargets} : {}),
    })
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
    const schema = jsonFileKind(path)?.schema
    const problems = [
      ...rawJsonProblems(content, path),
      ...(schema ? validateAgainst(schema, value, path) : []),
      ...jsonValueProblems(value, path),
    ]
    if (path.endsWith('/jsonld.json')) {
      const v = value as {'@context'?: unknown; '@graph'?: unknown}
      if (v['@context'] !== 'https://schema.org' || !Array.isArray(v['@graph'])) {
        problems.push({
          level: 'error',
          file: path,
          message: 'JSON-LD must have @context https://schema.org and an @graph array',
        })
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
      return [
        {
          level: 'error',
          file: path,
          ...(line ? {line} : {}),
          message: `not well-formed XML: ${(e as Error).message}`,
        },
      ]
    }
    const structure = path.endsWith('/rss.xml')
      ? rssProblems(root, path)
      : path.endsWith('/atom.xml')
        ? atomProblems(root, path)
        : []
    return [...structure, ...xmlTreeProblems(root, path)]
  }
  return unsafeMarkupProblems([file])
}

/** dist/manifest.json: every other file with its byte size and sha256, sorted by path. */
export function renderManifest(entries: readonly ManifestEntry[], generatedAt: string): string {
  const files = [...entries].sort((a, b) => compareStrings(a.path, b.path))
  const parts = manifestParts(generatedAt)
  return files.length === 0
    ? parts.empty
    : parts.open + files.map(manifestEntryText).join(parts.separator) + parts.close
}

/** The manifest, checked: its bytes, and its schema when the entries are at hand. */
export function manifestFile(entries: readonly ManifestEntry[], generatedAt: string): CheckedFile {
  const content = renderManifest(entries, generatedAt)
  const problems = rawJsonProblems(content, MANIFEST_PATH)
  problems.push(
    ...validateAgainst(
      'manifest',
      {$schema: schemaId('manifest'), generatedAt, files: entries},
      MANIFEST_PATH,
    ),
  )
  return {path: MANIFEST_PATH, content, problems}
}

/** `path` taken for one output: an error if another output already took it. */
export function claimPath(path: string, seen: Set<string>): Problem[] {
  if (seen.has(path))
    return [{level: 'error', file: path, message: 'two outputs would be written to the same path'}]
  seen.add(path)
  return []
}

/** Duplicate paths and the caller's extra checks, shared by every way of running an export. */
export function extraProblems(file: OutputFile, seen: Set<string>, opts: BuildOptions): Problem[] {
  const problems = claimPath(file.path, seen)
  for (const check of opts.checks ?? []) problems.push(...check(file))
  return problems
}
