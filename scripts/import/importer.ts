/**
 * Source files → documents in the dataset, one atomic transaction per source. Every source is read
 * and checked before anything is written, so one bad file leaves the dataset untouched.
 *
 * @example
 *   const ds = Dataset.open(DEFAULT_DATASET)
 *   const [report] = await importSources(ds, ['content/sources/microneedling-benefits.txt'])
 */
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {InputError, type Problem} from '../lib/errors.ts'
import {SOURCES_DIR, TAXONOMY_DIR} from '../lib/paths.ts'
import type {Dataset} from '../store/dataset.ts'
import type {StoredDocument} from '../store/types.ts'
import {articleIdentity, compose} from './documents.ts'
import {resolveArticle, sameTextProblems} from './identity.ts'
import {planImport} from './plan.ts'
import {prepareSource, type PreparedSource} from './prepare.ts'
import {buildReport, type ImportReport} from './report.ts'
import {TAXONOMY_TYPES, type TaxonomyDoc} from './taxonomy.ts'
import {loadTaxonomy} from './taxonomyFiles.ts'

/** The parts of the store the importer uses. */
export type ImportTarget = Pick<Dataset, 'get' | 'getMany' | 'documents' | 'transaction'>

export interface ImportOptions {
  /** Taxonomy directory (default content/taxonomy). Ignored when `taxonomy` is given. */
  taxonomyDir?: string
  /** Taxonomy already loaded with loadTaxonomy/parseTaxonomy. */
  taxonomy?: readonly TaxonomyDoc[]
  /** Article title; only with a single source. */
  title?: string
  /** Plan and report, write nothing. */
  dryRun?: boolean
  /** Transaction author (default `importer`). */
  author?: string
}

/**
 * Import source files (`.txt` or `.md`) into `ds`. Throws InputError listing every problem of
 * every file (file + line) before writing anything; otherwise returns one report per file.
 * @public
 */
export async function importSources(
  ds: ImportTarget,
  files: readonly string[],
  opts: ImportOptions = {},
): Promise<ImportReport[]> {
  const checked = await readSources(files, opts)
  return importChecked(ds, checked, opts)
}

/** Sources read, parsed and checked, with the taxonomy: everything an import needs except the dataset. */
export interface CheckedSources {
  sources: PreparedSource[]
  taxonomy: readonly TaxonomyDoc[]
}

/**
 * The read-and-check half of importSources, for callers that want to fail before opening a
 * dataset (the CLI: bad input must not even create the dataset file). Throws InputError.
 */
export async function readSources(
  files: readonly string[],
  opts: ImportOptions = {},
): Promise<CheckedSources> {
  const problems: Problem[] = []
  let taxonomy: readonly TaxonomyDoc[] = opts.taxonomy ?? []
  if (!opts.taxonomy) {
    try {
      taxonomy = await loadTaxonomy(opts.taxonomyDir ?? TAXONOMY_DIR)
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      problems.push(...e.problems)
    }
  }
  if (opts.title !== undefined && files.length > 1) {
    problems.push({level: 'error', message: 'a title can only be given for a single source file'})
  }
  const sources: PreparedSource[] = []
  for (const file of files) {
    let bytes: Uint8Array
    try {
      bytes = await readFile(file)
    } catch (e) {
      problems.push({
        file,
        level: 'error',
        message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      })
      continue
    }
    try {
      sources.push(prepareSource(bytes, file))
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      problems.push(...e.problems)
    }
  }
  const sameText = sameTextProblems(sources.map((p) => p.source))
  problems.push(...sameText)
  const seen = new Map<string, string>()
  for (const p of sources) {
    if (sameText.some((s) => s.file === p.source.file)) continue // one cause, one message
    const {id} = articleIdentity(p.source.file, p.outline, opts.title)
    const other = seen.get(id)
    if (other)
      problems.push({
        file: p.source.file,
        level: 'error',
        message: `makes the same article (${id}) as ${other}; give one of them another title`,
      })
    seen.set(id, p.source.file)
  }
  if (problems.length) throw new InputError(problems)
  return {sources, taxonomy}
}

/**
 * The writing half of importSources: one transaction per source, in order. Which stored article
 * each source updates is settled for all of them first, so a source that cannot tell (its text
 * is in several articles) stops the batch before anything is written.
 */
export function importChecked(
  ds: ImportTarget,
  checked: CheckedSources,
  opts: ImportOptions = {},
): ImportReport[] {
  const articles = ds.documents({types: ['article']})
  const problems: Problem[] = []
  for (const p of checked.sources) {
    try {
      resolveArticle(articleIdentity(p.source.file, p.outline, opts.title), p.source, articles)
    } catch (e) {
      if (!(e instanceof InputError)) throw e
      problems.push(...e.problems)
    }
  }
  if (problems.length) throw new InputError(problems)
  return checked.sources.map((p) => importPrepared(ds, p, checked.taxonomy, opts))
}

/** Source files in a directory (default content/sources): `.txt` and `.md`, sorted by name. */
export async function sourceFiles(dir: string = SOURCES_DIR): Promise<string[]> {
  const names = await readdir(dir)
  return names
    .filter((n) => /\.(txt|md|markdown)$/i.test(n))
    .sort()
    .map((n) => join(dir, n))
}

/** Import one source that is already in memory (tests, the local API). Same checks as importSources. */
export function importSource(
  ds: ImportTarget,
  source: {file: string; bytes: Uint8Array},
  taxonomy: readonly TaxonomyDoc[],
  opts: Omit<ImportOptions, 'taxonomy' | 'taxonomyDir'> = {},
): ImportReport {
  return importPrepared(ds, prepareSource(source.bytes, source.file), taxonomy, opts)
}

function importPrepared(
  ds: ImportTarget,
  prepared: PreparedSource,
  fileTaxonomy: readonly TaxonomyDoc[],
  opts: ImportOptions,
): ImportReport {
  const file = prepared.source.file
  const articles = ds.documents({types: ['article']})
  const resolved = resolveArticle(
    articleIdentity(file, prepared.outline, opts.title),
    prepared.source,
    articles,
  )
  const composition = compose({
    ...prepared,
    taxonomy: effectiveTaxonomy(fileTaxonomy, ds.documents({types: TAXONOMY_TYPES})),
    ...(opts.title !== undefined ? {title: opts.title} : {}),
    article: resolved.identity,
    benefitOwners: ownersIndex(articles),
  })
  if (resolved.note) composition.warnings.unshift(resolved.note)
  const articleId = composition.article._id
  const storedArticle = ds.get(articleId)
  const previousBenefitIds = refIds(storedArticle?.benefits)
  const ids = new Set([
    ...fileTaxonomy.map((t) => t._id),
    ...composition.benefits.map((b) => b._id),
    articleId,
    ...previousBenefitIds,
  ])
  const wanted = [...ids].flatMap((id) => [id, `drafts.${id}`])
  const current = new Map<string, StoredDocument>()
  for (const doc of ds.getMany(wanted)) if (doc) current.set(doc._id, doc)

  const plan = planImport({
    file,
    composition,
    taxonomy: fileTaxonomy,
    current,
    previousBenefitIds,
    referencedBy: (id) => referencingIds(ds, id, articleId),
  })
  let transactionId: string | undefined
  if (!opts.dryRun && plan.mutations.length > 0) {
    const result = ds.transaction(plan.mutations, {
      author: opts.author ?? 'importer',
      ifRevisionIDs: plan.ifRevisionIDs,
    })
    transactionId = result.transactionId
  }
  const lines = new Map(
    composition.benefits.map((b, i) => [b._id, prepared.outline.sections[i]?.line ?? 0]),
  )
  return buildReport(file, composition, plan, {
    dryRun: Boolean(opts.dryRun),
    lines,
    ...(transactionId ? {transactionId} : {}),
  })
}

/**
 * Link against what editors see: the dataset's taxonomy (with their synonyms) wins over the files';
 * entries only in the files are used as they will be created.
 */
export function effectiveTaxonomy(
  fromFiles: readonly TaxonomyDoc[],
  stored: readonly StoredDocument[],
): TaxonomyDoc[] {
  const byId = new Map<string, TaxonomyDoc>(fromFiles.map((t) => [t._id, t]))
  for (const doc of stored) {
    if (doc._id.includes('.') || typeof doc.title !== 'string') continue // drafts and versions are not live yet
    const slug = (doc.slug as {current?: unknown} | undefined)?.current
    byId.set(doc._id, {
      ...(doc as unknown as TaxonomyDoc),
      slug: {
        _type: 'slug',
        current: typeof slug === 'string' && slug ? slug : doc._id.replace(/^[a-zA-Z]+-/, ''),
      },
      synonyms: Array.isArray(doc.synonyms)
        ? doc.synonyms.filter((s): s is string => typeof s === 'string')
        : [],
    })
  }
  return [...byId.values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
}

/** benefit id → ids (published form) of the articles listing it. */
function ownersIndex(articles: readonly StoredDocument[]): (benefitId: string) => string[] {
  const owners = new Map<string, Set<string>>()
  for (const a of articles) {
    const articleId = a._id.replace(/^drafts\./, '')
    for (const ref of refIds(a.benefits)) {
      if (!owners.has(ref)) owners.set(ref, new Set())
      owners.get(ref)!.add(articleId)
    }
  }
  return (id) => [...(owners.get(id) ?? [])]
}

function refIds(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((r) =>
    r && typeof r === 'object' && typeof (r as {_ref?: unknown})._ref === 'string'
      ? [(r as {_ref: string})._ref]
      : [],
  )
}

/** Documents other than the (published) article that reference `id`: a full scan, only run for benefits about to be deleted. */
function referencingIds(ds: ImportTarget, id: string, articleId: string): string[] {
  const needle = `"_ref":${JSON.stringify(id)}`
  return ds
    .documents()
    .filter((d) => d._id !== articleId && d._id !== id && JSON.stringify(d).includes(needle))
    .map((d) => d._id)
}
