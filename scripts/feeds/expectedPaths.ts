/**
 * The web page paths an export will write, known before the model is built: only a hint for the
 * writer thread (treeWriter.ts announce), which creates those files while the documents are read.
 * A path it creates and nobody writes is removed; a path it did not expect is created when written.
 */
import type {Dataset} from '../store/dataset.ts'
import {slugsAndTitlesOfFile, type SlugAndTitle} from '../store/slugsAndTitles.ts'
import type {FeedInput} from './input.ts'
import {webPagePath} from './outputs/webPage.ts'
import {cleanLine} from './text.ts'
import {PAGE_TYPES, type Page, type PageType} from './types.ts'

/** A page's path when its raw slug and title make it a page (basePage in model.ts), else undefined. */
function pagePathOf(type: PageType, rawSlug: unknown, rawTitle: unknown): string | undefined {
  const slug = cleanLine(rawSlug)
  return slug && cleanLine(rawTitle) ? webPagePath({type, slug} as Page) : undefined
}

function pagePathsOf(rows: readonly SlugAndTitle[]): string[] {
  const out: string[] = []
  for (const [type, rawSlug, rawTitle] of rows) {
    const path = pagePathOf(type as PageType, rawSlug, rawTitle)
    if (path) out.push(path)
  }
  return out
}

/** The web page paths of a dataset's published pages, from their slugs and titles alone. */
export function expectedPagePaths(ds: Dataset): string[] {
  return pagePathsOf(ds.slugsAndTitles(PAGE_TYPES))
}

/** expectedPagePaths of a dataset file, without loading the store (the writer thread lists them). */
export function expectedPagePathsOfFile(file: string): string[] {
  return pagePathsOf(slugsAndTitlesOfFile(file, PAGE_TYPES))
}

/** The web page paths the model will have: one per published query result with a title and a slug (basePage in model.ts). */
export function expectedWebPaths(input: FeedInput): string[] {
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
      const path =
        typeof raw._id === 'string' && !raw._id.includes('.')
          ? pagePathOf(type, raw.slug, raw.title)
          : undefined
      if (path) out.push(path)
    }
  }
  return out
}
