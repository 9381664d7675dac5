/** What the three syndication formats share: which pages are items, in what order, and their content. */
import {anchor, escapeHtml} from '../html.ts'
import {newestPages} from '../limits.ts'
import {isReviewed, type FeedModel, type Page, type PageType} from '../types.ts'
import {TYPE_PATHS} from '../urls.ts'

export interface FeedSpec {
  title: string
  description: string
  /** Path of the feed file inside the export, e.g. `feeds/atom.xml`. */
  path: string
  /** Page types that become items. */
  types: readonly PageType[]
  /** At most this many items, the newest (default: every page of those types). */
  limit?: number
}

/** The main feeds carry the article and its benefits. */
export const MAIN_FEED_TYPES: readonly PageType[] = ['article', 'benefit']

export const selfUrl = (model: FeedModel, spec: FeedSpec) =>
  `${model.site.feedsBaseUrl}/${spec.path}`

/** Newest first; equal dates keep the model's order (article, then benefits in article order). */
export function feedPages(model: FeedModel, types: readonly PageType[], limit?: number): Page[] {
  const wanted = new Set(types)
  return newestPages(
    model.pages.filter((p) => wanted.has(p.type)),
    limit,
  )
}

/** The newest change among the items, or the model's date for an empty feed. */
export function feedUpdated(model: FeedModel, pages: readonly Page[]): string {
  return (
    pages
      .map((p) => p.dateModified)
      .sort()
      .at(-1) ?? model.generatedAt
  )
}

/** "Medically reviewed by Dr. Ada Lee, MD on 2024-06-01." when both are known. */
export function reviewLine(page: Page): string | undefined {
  if (!isReviewed(page.review)) return undefined
  const by = page.review.reviewedBy
  return `Medically reviewed by ${by.name}${by.credentials ? `, ${by.credentials}` : ''} on ${page.review.lastReviewed}.`
}

export interface Category {
  term: string
  label: string
  scheme: string
}

/** Concerns, skin types, adjuncts and treatments a page links to, as feed categories. */
export function categories(model: FeedModel, page: Page): Category[] {
  const links = [
    ...page.related.concerns,
    ...page.related.skinTypes,
    ...page.related.serums,
    ...page.related.treatments,
  ]
  return links.map((l) => ({
    term: l.slug,
    label: l.title,
    scheme: `${model.site.baseUrl}/${TYPE_PATHS[l.type]}/`,
  }))
}

/** Per model and page: RSS, Atom and JSON Feed of one model share each item's content. */
function memo(
  fn: (model: FeedModel, page: Page) => string,
): (model: FeedModel, page: Page) => string {
  const cache = new WeakMap<FeedModel, WeakMap<Page, string>>()
  return (model, page) => {
    let byPage = cache.get(model)
    if (!byPage) cache.set(model, (byPage = new WeakMap()))
    let value = byPage.get(page)
    if (value === undefined) byPage.set(page, (value = fn(model, page)))
    return value
  }
}

/** Item HTML: the body (or summary), the article's benefit list, review line, attribution with a link back. */
export const itemHtml = memo((model, page) => {
  const parts: string[] = []
  if (page.html) parts.push(page.html)
  else if (page.summary) parts.push(`<p>${escapeHtml(page.summary)}</p>`)
  if (page.type === 'article' && page.related.benefits.length) {
    parts.push(
      `<ol>${page.related.benefits.map((b) => `<li>${anchor(b.link, b.title)}</li>`).join('')}</ol>`,
    )
  }
  const review = reviewLine(page)
  if (review) parts.push(`<p><em>${escapeHtml(review)}</em></p>`)
  parts.push(
    `<p>${escapeHtml(model.site.attribution)} ${anchor(page.link, `Read on ${model.site.title}`)}</p>`,
  )
  return parts.join('')
})

/** The same in plain text. */
export const itemText = memo((model, page) => {
  const parts: string[] = []
  if (page.text) parts.push(page.text)
  else if (page.summary) parts.push(page.summary)
  if (page.type === 'article' && page.related.benefits.length) {
    parts.push(page.related.benefits.map((b, i) => `${i + 1}. ${b.title}`).join('\n'))
  }
  const review = reviewLine(page)
  if (review) parts.push(review)
  parts.push(`${model.site.attribution} Read on ${model.site.title}: ${page.link}`)
  return parts.join('\n\n')
})
