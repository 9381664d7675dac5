/**
 * Web pages on their way to the writer thread, which renders them there (treeWriter.ts
 * renderWeb): the full export's second core renders a share of the pages instead of only
 * writing them. Structured cloning is the cost of the trip, so what travels is lean: a page's
 * related links are numbers into a link table that grows with each batch (a PageLink is shared
 * by every page that links to it, and crosses once), and its Portable Text travels as the JSON
 * text the page file holds anyway, not as thousands of small objects. Pure: the decoder gives
 * back pages that render to the same bytes (tests/feeds/renderers.test.ts).
 */
import {RELATED_KEYS, type Page, type PageLink, type Related} from '../types.ts'

/** A page without its link objects and block objects. */
export interface WirePage extends Omit<Page, 'related' | 'blocks'> {
  /** For each RELATED_KEYS entry in order: the count, then that many link numbers. */
  related: number[]
  /** JSON.stringify(page.blocks), when the page has blocks. */
  bodyJson?: string
}

export interface WireBatch {
  /** Links first seen in this batch: they take the next numbers of the table, in this order. */
  links: PageLink[]
  pages: WirePage[]
}

/** One sender's side: numbers every link once, for the life of one receiver. */
export class WireEncoder {
  private readonly numbers = new Map<PageLink, number>()

  encode(pages: readonly Page[]): WireBatch {
    const links: PageLink[] = []
    const out: WirePage[] = []
    for (const page of pages) {
      const related: number[] = []
      for (const key of RELATED_KEYS) {
        const list = page.related[key]
        related.push(list.length)
        for (const link of list) {
          let n = this.numbers.get(link)
          if (n === undefined) {
            n = this.numbers.size
            this.numbers.set(link, n)
            links.push(link)
          }
          related.push(n)
        }
      }
      const {related: _related, blocks, ...rest} = page
      out.push(blocks ? {...rest, related, bodyJson: JSON.stringify(blocks)} : {...rest, related})
    }
    return {links, pages: out}
  }
}

export interface DecodedPage {
  page: Page
  bodyJson?: string
}

/** The receiver's side: the same link table, rebuilt batch by batch. */
export class WireDecoder {
  private readonly links: PageLink[] = []

  decode(batch: WireBatch): DecodedPage[] {
    for (const link of batch.links) this.links.push(link)
    return batch.pages.map(({related: numbers, bodyJson, ...rest}) => {
      const related = {} as Related
      let at = 0
      for (const key of RELATED_KEYS) {
        const count = numbers[at++]!
        const list: PageLink[] = new Array(count)
        for (let j = 0; j < count; j++) {
          const link = this.links[numbers[at++]!]
          if (!link)
            throw new RangeError(
              `web page ${rest.id}: link number ${numbers[at - 1]} was never sent`,
            )
          list[j] = link
        }
        related[key] = list
      }
      return bodyJson === undefined
        ? {page: {...rest, related}}
        : {page: {...rest, related}, bodyJson}
    })
  }
}
