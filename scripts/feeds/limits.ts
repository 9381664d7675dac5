/**
 * Syndication feeds carry the newest items, not the archive: RSS readers and partners poll for
 * what is new, and a 100k-item feed is megabytes nobody reads. Web pages and the app bundle still
 * cover every page. The limit is per export (`feedItems`, default 50) and per partner profile
 * (`maxItems`).
 */
import {comparePages} from './order.ts'
import {compareStrings} from './text.ts'
import type {Page} from './types.ts'

export const DEFAULT_FEED_ITEMS = 50

/** Newest first: publication date, then the model's page order. */
export const compareNewest = (a: Page, b: Page): number =>
  compareStrings(b.datePublished, a.datePublished) || comparePages(a, b)

/**
 * The `limit` newest of `pages` (all of them when limit is undefined), newest first. A bounded
 * selection: at 100k pages and a limit of 50, most pages are compared once with the 50th.
 */
export function newestPages(pages: readonly Page[], limit: number | undefined): Page[] {
  if (limit === undefined || pages.length <= limit) return [...pages].sort(compareNewest)
  const top: Page[] = []
  for (const page of pages) {
    if (top.length === limit && compareNewest(page, top[limit - 1]!) >= 0) continue
    let lo = 0
    let hi = top.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (compareNewest(page, top[mid]!) < 0) hi = mid
      else lo = mid + 1
    }
    top.splice(lo, 0, page)
    if (top.length > limit) top.pop()
  }
  return top
}

/** A limit from an option: a positive integer, or undefined for "no limit" (0). */
export function normalizeLimit(
  value: number | undefined,
  fallback: number | undefined = DEFAULT_FEED_ITEMS,
): number | undefined {
  if (value === undefined) return fallback
  return value === 0 ? undefined : value
}
