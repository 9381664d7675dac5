/**
 * What the export cache records about a model, computed the same way by a full export (for every
 * page) and by an incremental one (for the pages it rebuilt). Pure.
 */
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Problem} from '../../lib/errors.ts'
import {ROOT} from '../../lib/paths.ts'
import type {FeedInput} from '../input.ts'
import {webPagePath} from '../outputs/webPage.ts'
import {isCurrentlyReviewed, PAGE_TYPES, type Page} from '../types.ts'
import {CACHE_VERSION, type PageRow} from './cache.ts'
import {docRefs, referencedIds} from './refs.ts'

const TYPE_RANK = new Map(PAGE_TYPES.map((t, i) => [t, i]))

/** The newest of a page's own dates (none for an undated page, whose dates are the export's). */
function ownNewest(page: Page, undated: boolean): string {
  let newest = undated
    ? ''
    : page.datePublished > page.dateModified
      ? page.datePublished
      : page.dateModified
  const reviewed = page.review?.lastReviewed ? `${page.review.lastReviewed}T00:00:00.000Z` : ''
  if (reviewed > newest) newest = reviewed
  return newest
}

/** Raw slug.current of every query result, by id (warnings are listed in query order). */
export function rawSlugs(input: FeedInput): Map<string, string> {
  const out = new Map<string, string>()
  for (const list of Object.values(input) as Array<
    ReadonlyArray<{_id?: unknown; slug?: unknown}>
  >) {
    for (const r of list)
      if (typeof r?._id === 'string') out.set(r._id, typeof r.slug === 'string' ? r.slug : '')
  }
  return out
}

/** Model problems grouped by document id (every model problem names its document). */
export function problemsByDocument(problems: readonly Problem[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>()
  for (const p of problems) {
    if (p.documentId === undefined) continue
    let list = out.get(p.documentId)
    if (!list) out.set(p.documentId, (list = []))
    list.push(p)
  }
  return out
}

export function pageRow(
  page: Page,
  ctx: {
    undated: ReadonlySet<string>
    rawSlugs: ReadonlyMap<string, string>
    problems: ReadonlyMap<string, Problem[]>
  },
): PageRow {
  return {
    id: page.id,
    type: page.type,
    typeRank: TYPE_RANK.get(page.type)!,
    position: page.position ?? null,
    slug: page.slug,
    rawSlug: ctx.rawSlugs.get(page.id) ?? page.slug,
    file: webPagePath(page),
    datePublished: page.datePublished,
    dateModified: page.dateModified,
    newest: ownNewest(page, ctx.undated.has(page.id)),
    undated: ctx.undated.has(page.id),
    reviewed: isCurrentlyReviewed(page.review),
    reviewedOn: page.review?.reviewedBy ? (page.review.lastReviewed ?? null) : null,
    reviewer: page.review?.reviewedBy?.id ?? null,
    problems: ctx.problems.get(page.id) ?? [],
  }
}

/** comparePages over cache rows: type, position in the article, slug, id (code-point order). */
export function compareRows(a: PageRow, b: PageRow): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)
  return (
    a.typeRank - b.typeRank ||
    (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) ||
    cmp(a.slug, b.slug) ||
    cmp(a.id, b.id)
  )
}

/** Newest first, as feeds list items (limits.ts compareNewest over rows). */
export const compareRowsNewest = (a: PageRow, b: PageRow): number =>
  (a.datePublished < b.datePublished ? 1 : a.datePublished > b.datePublished ? -1 : 0) ||
  compareRows(a, b)

/** Who references whom among published documents (dst → srcs), from the raw documents. */
export function referrersOf(
  docs: Iterable<Record<string, unknown> & {_id: string}>,
): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const doc of docs) {
    for (const dst of referencedIds(docRefs(doc))) {
      let list = out.get(dst)
      if (!list) out.set(dst, (list = []))
      list.push(doc._id)
    }
  }
  return out
}

/** Source that decides what an export writes: the exporter, the query path, the link rules. */
const CODE_DIRS = ['scripts/feeds', 'scripts/query']
const CODE_FILES = ['schemas/rules/urls.ts']
/**
 * Files of those folders that only decide how the output is written or when, never its bytes:
 * editing them keeps earlier exports reusable. Everything else counts, in doubt included.
 */
const IO_ONLY = new Set([
  'scripts/feeds/cli.ts',
  'scripts/feeds/export.ts',
  'scripts/feeds/context.ts',
  'scripts/feeds/errors.ts',
  'scripts/feeds/write.ts',
  'scripts/feeds/leftovers.ts',
  'scripts/feeds/treeWriter.ts',
  'scripts/feeds/treeWriterWorker.ts',
  'scripts/feeds/timings.ts',
  'scripts/feeds/validatorsCli.ts',
  'scripts/feeds/incremental/commit.ts',
  'scripts/query/cli.ts',
  'scripts/query/remote.ts',
  'scripts/query/source.ts',
])

function codeHash(): string {
  const hash = createHash('sha256')
  const add = (rel: string) =>
    hash
      .update(rel)
      .update('\u0000')
      .update(readFileSync(join(ROOT, rel)))
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), {withFileTypes: true}).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const rel = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(rel)
      else if (/\.(ts|json)$/.test(entry.name) && !IO_ONLY.has(rel)) add(rel)
    }
  }
  for (const dir of CODE_DIRS) walk(dir)
  for (const file of CODE_FILES) add(file)
  return hash.digest('hex')
}

let cachedCodeHash: string | undefined

/** What must be equal for an earlier export to be reusable: cache version, code, options, profiles. */
export function exportFingerprint(options: unknown): string {
  cachedCodeHash ??= codeHash()
  return createHash('sha256')
    .update(JSON.stringify({version: CACHE_VERSION, code: cachedCodeHash, options}))
    .digest('hex')
}
