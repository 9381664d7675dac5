/**
 * Query results → the one normalized feed model. Pure: base URL, site texts and `now` come in as
 * options; every date comes from the data (publishedAt, _createdAt, _updatedAt, review.lastReviewed)
 * or from `now`, never from the clock. Reverse links (concern → benefits, benefit → articles) are
 * computed here from the forward references of the published results, so they can never point at
 * a draft. Ordering is fixed everywhere (code-point order of slugs, then ids).
 */
import {claimText, uncitedClaims} from '../../schemas/rules/claims.ts'
import {REVIEW_MONTHS, reviewState} from '../../schemas/rules/review.ts'
import type {Problem} from '../lib/errors.ts'
import {
  contraindicatedIds,
  contraindicationsById,
  readCautions,
  resolveCautions,
} from './cautions.ts'
import type {FeedInput} from './input.ts'
import {EXTRAS} from './outputs/page.ts'
import {blocksToHtml, blocksToText, sanitizeBlocks} from './portableText.ts'
import {textToHtml} from './html.ts'
import {cleanLine, cleanText, compareStrings, truncate} from './text.ts'
import {comparePages} from './order.ts'
import {linkPages} from './relations.ts'
import type {Details, FeedModel, Page, PageType, Person, Related, Review, Site} from './types.ts'
import {pagePath} from './urls.ts'

export interface ModelOptions {
  /** Web frontend base URL, normalized (no trailing slash). */
  baseUrl: string
  /** Where dist/ is served; defaults to baseUrl. */
  feedsBaseUrl?: string
  /** ISO date-time; fallback for data without dates, and the feed-level date when given. */
  now?: string
  /**
   * The day reviews are judged on (expired after REVIEW_MONTHS, schemas/rules/review.ts); default
   * the export date. The export shell passes today's date unless `now` is given.
   */
  reviewedAsOf?: string
  site?: Partial<Omit<Site, 'baseUrl' | 'feedsBaseUrl'>>
  /**
   * Build the text (Portable Text, HTML, plain text) of these pages only; the others are there
   * for their links, order and dates (an incremental export's context documents).
   */
  contentOf?: ReadonlySet<string>
}

export const DEFAULT_SITE = {
  title: 'Skincare Guide',
  description: 'Skin treatments, the concerns they address and the skin types they suit.',
  language: 'en',
  publisher: 'Skincare Guide',
} as const

/** The export date when the data has no date at all. */
export const EPOCH = '1970-01-01T00:00:00.000Z'

type Raw = Record<string, unknown>
const asRecord = (v: unknown): Raw | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined
const isDraftId = (id: string) => id.startsWith('drafts.') || id.startsWith('versions.')

/**
 * toISOString's own form, with a day and hour that cannot roll over (2024-02-30 is March 1st):
 * such a value is its own normalization, without parsing it (three dates per document).
 */
const CANONICAL_ISO =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/

/** ISO date-time of a datetime/date value, or undefined (with a warning) when it does not parse. */
export function isoDateTime(
  value: unknown,
  where: {documentId: string; path: string},
  problems: Problem[],
): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  if (CANONICAL_ISO.test(value)) return value
  const t = Date.parse(value)
  if (Number.isNaN(t)) {
    problems.push({level: 'warning', ...where, message: `"${value}" is not a date; ignored`})
    return undefined
  }
  return new Date(t).toISOString()
}

function isoDate(
  value: unknown,
  where: {documentId: string; path: string},
  problems: Problem[],
): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) return value
  problems.push({
    level: 'warning',
    ...where,
    message: `"${value}" is not a YYYY-MM-DD date; ignored`,
  })
  return undefined
}

const emptyRelated = (): Related => ({
  articles: [],
  benefits: [],
  treatments: [],
  concerns: [],
  skinTypes: [],
  serums: [],
})
/** A reviewer from the `reviewedBy->{_id, name, "slug": slug.current, credentials, url}` projection. */
export function person(raw: unknown): Person | undefined {
  const p = asRecord(raw)
  const name = cleanLine(p?.name)
  if (!p || typeof p._id !== 'string' || !name || isDraftId(p._id)) return undefined
  const out: Person = {id: p._id, name}
  const slug = cleanLine(p.slug)
  if (slug) out.slug = slug
  const credentials = cleanLine(p.credentials)
  if (credentials) out.credentials = credentials
  // Profile links are shown to readers: same scheme rule as body links.
  if (typeof p.url === 'string' && /^https?:\/\//i.test(p.url.trim())) {
    try {
      out.url = new URL(p.url.trim()).href
    } catch {
      // not a URL: leave it out
    }
  }
  return out
}

/** An article's or benefit's review; its status is set once the review date is known (buildFeedModel). */
function review(raw: unknown, documentId: string, problems: Problem[]): Review {
  const r = asRecord(raw)
  const out: Review = {status: 'never'}
  if (!r) return out
  const lastReviewed = isoDate(r.lastReviewed, {documentId, path: 'review.lastReviewed'}, problems)
  if (lastReviewed) out.lastReviewed = lastReviewed
  const by = person(r.reviewedBy)
  if (by) out.reviewedBy = by
  return out
}

/** `current` only with a reviewer and a date within the review period on `asOf`. */
function reviewStatus(review: Review, asOf: string): Review['status'] {
  if (!review.reviewedBy) return 'never'
  return reviewState(review, asOf, REVIEW_MONTHS)
}

/** Absolute claims no citation backs: a warning for editors in the publish report. */
function claimProblems(raw: Raw, documentId: string): Problem[] {
  const claims = uncitedClaims(claimText(raw), Array.isArray(raw.citations) ? raw.citations : [])
  if (claims.length === 0) return []
  return [
    {
      level: 'warning',
      documentId,
      path: 'citations',
      message: `absolute claim${claims.length > 1 ? 's' : ''} without a citation: ${claims.map((c) => JSON.stringify(c)).join(', ')}`,
    },
  ]
}

/** The fields every page type shares; null when the document cannot become a page. */
function basePage(
  type: PageType,
  raw: Raw,
  opts: ModelOptions,
  problems: Problem[],
): Page | undefined {
  const id = raw._id
  if (typeof id !== 'string' || isDraftId(id)) return undefined
  const title = cleanLine(raw.title)
  const slug = cleanLine(raw.slug)
  if (!title)
    problems.push({
      level: 'error',
      documentId: id,
      path: 'title',
      message: 'title is missing: the page cannot be exported',
    })
  if (!slug)
    problems.push({
      level: 'error',
      documentId: id,
      path: 'slug.current',
      message: 'slug is missing: the page has no URL',
    })
  if (!title || !slug) return undefined
  const path = pagePath(type, slug)
  const url = `${opts.baseUrl}${path}`
  const seo = asRecord(raw.seo)
  const summary = cleanText(raw.summary)
  const created = isoDateTime(raw._createdAt, {documentId: id, path: '_createdAt'}, problems)
  const updated = isoDateTime(raw._updatedAt, {documentId: id, path: '_updatedAt'}, problems)
  const page: Page = {
    id,
    type,
    slug,
    path,
    url,
    link: url,
    title,
    seo: {title: cleanLine(seo?.metaTitle) ?? title, noIndex: seo?.noIndex === true},
    // Filled in once every page is known (the article's publishedAt dates its benefits).
    datePublished: created ?? updated ?? '',
    dateModified: updated ?? created ?? '',
    related: emptyRelated(),
  }
  if (summary) page.summary = summary
  const metaDescription = cleanText(seo?.metaDescription)
  if (metaDescription ?? summary) page.seo.description = metaDescription ?? summary
  return page
}

function setRichText(
  page: Page,
  raw: unknown,
  field: string,
  opts: ModelOptions,
  problems: Problem[],
): void {
  if (opts.contentOf && !opts.contentOf.has(page.id)) return
  const blocks = sanitizeBlocks(raw, {baseUrl: opts.baseUrl, documentId: page.id, field}, problems)
  if (blocks.length === 0) return
  page.blocks = blocks
  page.html = blocksToHtml(blocks)
  const text = blocksToText(blocks)
  if (text) page.text = text
}

function setPlainText(page: Page, raw: unknown, opts: ModelOptions): void {
  if (opts.contentOf && !opts.contentOf.has(page.id)) return
  const text = cleanText(raw)
  if (!text) return
  page.text = text
  page.html = textToHtml(text)
}

function strings(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined
  const out = [...new Set(raw.map(cleanLine).filter((s): s is string => s !== undefined))]
  return out.length ? out : undefined
}

function details(raw: Raw, keys: ReadonlyArray<keyof Details>): Details | undefined {
  const out: Details = {}
  for (const key of keys) {
    if (key === 'timing') {
      const timing = strings(raw.timing)
      if (timing) out.timing = timing
    } else {
      const v =
        key === 'kind' || key === 'fitzpatrick' || key === 'procedureType'
          ? cleanLine(raw[key])
          : cleanText(raw[key])
      if (v) out[key] = v
    }
  }
  return Object.keys(out).length ? out : undefined
}

/**
 * The extra fields (outputs/page.ts PAGE_EXTRAS) of one query row, read by their declaration:
 * URLs trimmed (any scheme: the page's checks refuse what may not ship), text cleaned, string
 * lists deduplicated, numbers and booleans as they are.
 */
function readExtras(page: Page, raw: Raw): void {
  for (const {key, node, role} of EXTRAS) {
    const value = raw[key]
    let out: unknown
    if (role === 'url') out = typeof value === 'string' && value.trim() ? value.trim() : undefined
    else if (node.type === 'string') out = cleanText(value)
    else if (node.type === 'array') out = strings(value)
    else if (typeof value === 'number' || typeof value === 'boolean') out = value
    if (out !== undefined) (page as Record<string, unknown>)[key] = out
  }
}

/** Forward reference ids of a field (`concerns[]->_id`), dangling or draft-only ones (null) dropped. */
function refIds(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]
  return list.filter((id): id is string => typeof id === 'string' && !isDraftId(id))
}

export interface ModelResult {
  model: FeedModel
  /** Errors mean the export must not go out; warnings are for editors. */
  problems: Problem[]
  /** Pages without any date of their own: they are dated `generatedAt` (incremental exports track them). */
  undated: string[]
}

export function buildFeedModel(input: FeedInput, opts: ModelOptions): ModelResult {
  const problems: Problem[] = []
  const pages: Page[] = []
  const forward = new Map<string, {[K in keyof Related]?: string[]}>()
  const publishedAt = new Map<string, string>()
  const cautionsOf = new Map<string, ReturnType<typeof readCautions>>()
  /** Read a page's cautions; a positive link to what they contraindicate is dropped, with a warning. */
  const takeCautions = (page: Page, raw: Raw) => {
    const cautions = readCautions(raw.cautions, page.id, problems)
    if (cautions.length) cautionsOf.set(page.id, cautions)
    return contraindicatedIds(cautions)
  }
  const positive = (page: Page, raw: unknown, path: string, not: ReadonlySet<string>) =>
    refIds(raw).filter((id) => {
      if (!not.has(id)) return true
      problems.push({
        level: 'warning',
        documentId: page.id,
        path,
        message: `${id} is linked as suited and as contraindicated: shown as contraindicated only`,
      })
      return false
    })

  const add = (type: PageType, rawDoc: unknown, fill: (page: Page, raw: Raw) => void) => {
    const raw = asRecord(rawDoc)
    if (!raw) return
    const page = basePage(type, raw, opts, problems)
    if (!page) return
    fill(page, raw)
    readExtras(page, raw)
    // Search snippets fall back to the summary (basePage) and then to the start of the text.
    if (!page.seo.description && page.text) page.seo.description = truncate(page.text, 160)
    pages.push(page)
  }

  for (const a of input.articles) {
    add('article', a, (page, raw) => {
      setRichText(page, raw.intro, 'intro', opts, problems)
      page.review = review(raw.review, page.id, problems)
      const at = isoDateTime(raw.publishedAt, {documentId: page.id, path: 'publishedAt'}, problems)
      if (at) publishedAt.set(page.id, at)
      forward.set(page.id, {benefits: refIds(raw.benefits), treatments: refIds(raw.treatment)})
    })
  }
  for (const b of input.benefits) {
    add('benefit', b, (page, raw) => {
      setRichText(page, raw.body, 'body', opts, problems)
      page.review = review(raw.review, page.id, problems)
      problems.push(...claimProblems(raw, page.id))
      const areas = strings(raw.bodyAreas)
      if (areas) page.bodyAreas = areas
      const not = takeCautions(page, raw)
      forward.set(page.id, {
        concerns: positive(page, raw.concerns, 'concerns', not),
        skinTypes: positive(page, raw.skinTypes, 'skinTypes', not),
        serums: positive(page, raw.serums, 'serums', not),
      })
    })
  }
  const taxonomy = (
    type: PageType,
    docs: readonly unknown[],
    keys: ReadonlyArray<keyof Details>,
  ) => {
    for (const d of docs) {
      add(type, d, (page, raw) => {
        setPlainText(page, raw.description, opts)
        const synonyms = strings(raw.synonyms)
        if (synonyms) page.synonyms = synonyms
        const det = details(raw, keys)
        if (det) page.details = det
        if (type === 'treatment') takeCautions(page, raw)
      })
    }
  }
  taxonomy('treatment', input.treatments, [
    'procedureType',
    'howPerformed',
    'preparation',
    'followup',
  ])
  taxonomy('concern', input.concerns, [])
  taxonomy('skinType', input.skinTypes, ['kind', 'fitzpatrick'])
  taxonomy('serum', input.serums, ['kind', 'timing', 'cautions'])

  // One URL per page: a second document with the same slug would overwrite the first's files.
  const bySlug = new Map<string, Page>()
  const unique: Page[] = []
  for (const page of [...pages].sort((a, b) => compareStrings(a.id, b.id))) {
    const key = `${page.type}\u0000${page.slug}`
    const first = bySlug.get(key)
    if (first) {
      problems.push({
        level: 'error',
        documentId: page.id,
        path: 'slug.current',
        message: `slug "${page.slug}" is already used by ${first.id}: both would publish to ${page.path}`,
      })
      continue
    }
    bySlug.set(key, page)
    unique.push(page)
  }
  const byId = new Map(unique.map((p) => [p.id, p]))
  const conditions = contraindicationsById(input)
  for (const [id, cautions] of cautionsOf) {
    const page = byId.get(id)
    const resolved = page ? resolveCautions(cautions, byId, conditions) : []
    if (page && resolved.length) page.cautions = resolved
  }

  // Benefits take their position and publication date from the articles that list them.
  const articles = unique
    .filter((p) => p.type === 'article')
    .sort((a, b) => compareStrings(a.slug, b.slug) || compareStrings(a.id, b.id))
  for (const article of articles) {
    const at = publishedAt.get(article.id)
    if (at) article.datePublished = at
    forward.get(article.id)?.benefits?.forEach((id, i) => {
      const benefit = byId.get(id)
      if (!benefit || benefit.type !== 'benefit') return
      benefit.position ??= i + 1
      if (at && (!publishedAt.has(id) || at < publishedAt.get(id)!)) publishedAt.set(id, at)
    })
  }
  for (const page of unique)
    if (page.type === 'benefit' && publishedAt.has(page.id))
      page.datePublished = publishedAt.get(page.id)!

  const sorted = [...unique].sort(comparePages)
  linkPages(unique, forward, sorted)

  const generatedAt = opts.now ?? newestDate(unique) ?? EPOCH
  const reviewedAsOf = opts.reviewedAsOf ?? generatedAt
  for (const page of unique)
    if (page.review) page.review.status = reviewStatus(page.review, reviewedAsOf)
  const undated = unique.filter((p) => !p.datePublished).map((p) => p.id)
  for (const page of unique) {
    page.datePublished ||= generatedAt
    page.dateModified ||= page.datePublished
    if (page.dateModified < page.datePublished) page.dateModified = page.datePublished
  }

  const site: Site = {
    title: opts.site?.title ?? DEFAULT_SITE.title,
    description: opts.site?.description ?? DEFAULT_SITE.description,
    language: opts.site?.language ?? DEFAULT_SITE.language,
    publisher: opts.site?.publisher ?? DEFAULT_SITE.publisher,
    baseUrl: opts.baseUrl,
    home: `${opts.baseUrl}/`,
    feedsBaseUrl: opts.feedsBaseUrl ?? opts.baseUrl,
    attribution:
      opts.site?.attribution ??
      `From ${opts.site?.publisher ?? DEFAULT_SITE.publisher} (${opts.baseUrl}).`,
  }
  return {model: {site, generatedAt, pages: sorted}, problems, undated}
}

/** The newest of every page's dates (published, modified, last reviewed), or undefined. */
export function newestDate(pages: readonly Page[]): string | undefined {
  let newest = ''
  for (const p of pages) {
    if (p.datePublished > newest) newest = p.datePublished
    if (p.dateModified > newest) newest = p.dateModified
    if (p.review?.lastReviewed) {
      const reviewed = `${p.review.lastReviewed}T00:00:00.000Z`
      if (reviewed > newest) newest = reviewed
    }
  }
  return newest === '' ? undefined : newest
}
