/** The one page order every output uses: type, then place in the article, then slug, then id. */
import {compareStrings} from './text.ts'
import {PAGE_TYPES, type Page} from './types.ts'

const TYPE_RANK = new Map(PAGE_TYPES.map((t, i) => [t, i]))

export function comparePages(a: Page, b: Page): number {
  return (
    TYPE_RANK.get(a.type)! - TYPE_RANK.get(b.type)! ||
    (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) ||
    compareStrings(a.slug, b.slug) ||
    compareStrings(a.id, b.id)
  )
}
