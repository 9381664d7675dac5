/**
 * Related links both ways, from the forward references of published query results (so a link can
 * never lead to a draft). One pass per direction: linear in the number of references.
 */
import {comparePages} from './order.ts'
import {RELATED_KEYS, type Page, type PageLink, type PageType, type Related} from './types.ts'

export const RELATED_KEY_OF: Record<PageType, keyof Related> = {
  article: 'articles',
  benefit: 'benefits',
  treatment: 'treatments',
  concern: 'concerns',
  skinType: 'skinTypes',
  serum: 'serums',
}

const toLink = (p: Page): PageLink => {
  const link: PageLink = {
    id: p.id,
    type: p.type,
    slug: p.slug,
    title: p.title,
    url: p.url,
    link: p.link,
  }
  if (p.details?.kind) link.kind = p.details.kind
  return link
}

/**
 * Related links both ways. Forward: article → treatment, benefits; benefit → concerns, skin types,
 * adjuncts. Reverse: the inverse of each. Derived: benefit → treatments (through its articles) and
 * taxonomy → treatments (through its benefits). Article benefit order is kept; the rest is sorted.
 *
 * At 100k pages this runs over ~1M links, so it allocates almost nothing per link: pages are
 * numbered by their place in the one page order, every link is two integers in a growing typed
 * array, a counting sort groups them by (page, key), and each group is a numeric sort with
 * duplicates as neighbours. Every page's PageLink object is made once and shared by all lists.
 */
export function linkPages(
  pages: Page[],
  forward: Map<string, {[K in keyof Related]?: string[]}>,
  /** `pages` already sorted by comparePages, when the caller has it. */
  sorted?: readonly Page[],
): void {
  const byRank = sorted ?? [...pages].sort(comparePages)
  const n = byRank.length
  const rankOf = new Map<string, number>()
  for (let i = 0; i < n; i++) rankOf.set(byRank[i]!.id, i)
  const width = RELATED_KEYS.length
  const keyOf = new Int32Array(n)
  for (let i = 0; i < n; i++) keyOf[i] = KEY_INDEX[byRank[i]!.type]
  const edges = new EdgeList()
  const link = (from: number, to: number) => {
    if (from === to) return
    edges.add(from * width + keyOf[to]!, to)
    edges.add(to * width + keyOf[from]!, from)
  }
  const typedTargets = (page: Page, key: keyof Related): number[] => {
    const out: number[] = []
    for (const id of forward.get(page.id)?.[key] ?? []) {
      const rank = rankOf.get(id)
      // A reference to a document of the wrong type is the validator's finding, not a link.
      if (rank !== undefined && RELATED_KEY_OF[byRank[rank]!.type] === key) out.push(rank)
    }
    return out
  }
  for (let from = 0; from < n; from++) {
    const refs = forward.get(byRank[from]!.id)
    if (!refs) continue
    for (const key of RELATED_KEYS)
      if (refs[key]?.length) for (const to of typedTargets(byRank[from]!, key)) link(from, to)
  }
  // Treatments reach benefits through articles, and taxonomy through benefits. An article's
  // treatments and benefits are its forward links only; a benefit's treatments come from here.
  const treatmentsOf = new Map<number, number[]>()
  for (let a = 0; a < n; a++) {
    const article = byRank[a]!
    if (article.type !== 'article' || !forward.has(article.id)) continue
    const treatments = typedTargets(article, 'treatments')
    if (treatments.length === 0) continue
    for (const b of typedTargets(article, 'benefits')) {
      let list = treatmentsOf.get(b)
      if (!list) treatmentsOf.set(b, (list = []))
      for (const t of treatments) {
        link(b, t)
        list.push(t)
      }
    }
  }
  for (const [b, treatments] of treatmentsOf) {
    const benefit = byRank[b]!
    for (const key of ['concerns', 'skinTypes', 'serums'] as const) {
      for (const x of typedTargets(benefit, key)) for (const t of treatments) link(x, t)
    }
  }

  // Group by (page, key): counting sort of the targets by slot.
  const slots = n * width
  const start = new Int32Array(slots + 1)
  for (let i = 0; i < edges.length; i++) start[edges.slot[i]! + 1]!++
  for (let i = 0; i < slots; i++) start[i + 1]! += start[i]!
  const fill = start.slice(0, slots)
  const targets = new Int32Array(edges.length)
  for (let i = 0; i < edges.length; i++) targets[fill[edges.slot[i]!]!++] = edges.to[i]!

  const links = new Array<PageLink | undefined>(n)
  const linkOf = (rank: number) => (links[rank] ??= toLink(byRank[rank]!))
  for (let rank = 0; rank < n; rank++) {
    const page = byRank[rank]!
    for (let k = 0; k < width; k++) {
      const from = start[rank * width + k]!
      const to = start[rank * width + k + 1]!
      if (from === to) continue
      const key = RELATED_KEYS[k]!
      let list: ArrayLike<number>
      if (page.type === 'article' && key === 'benefits') {
        const order = new Map<number, number>()
        ;(forward.get(page.id)?.benefits ?? []).forEach((id, j) => {
          const r = rankOf.get(id)
          if (r !== undefined && !order.has(r)) order.set(r, j)
        })
        list = Array.from(targets.subarray(from, to)).sort((a, b) => order.get(a)! - order.get(b)!)
      } else list = targets.subarray(from, to).sort()
      const out: PageLink[] = []
      for (let j = 0; j < list.length; j++)
        if (j === 0 || list[j] !== list[j - 1]) out.push(linkOf(list[j]!))
      page.related[key] = out
    }
  }
}

/** (slot, target) pairs in two growing typed arrays. */
class EdgeList {
  slot = new Int32Array(1 << 16)
  to = new Int32Array(1 << 16)
  length = 0
  add(slot: number, to: number): void {
    if (this.length === this.slot.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2)
        b.set(a)
        return b
      }
      this.slot = grow(this.slot)
      this.to = grow(this.to)
    }
    this.slot[this.length] = slot
    this.to[this.length++] = to
  }
}

const KEY_INDEX: Record<PageType, number> = Object.fromEntries(
  (Object.entries(RELATED_KEY_OF) as Array<[PageType, keyof Related]>).map(([type, key]) => [
    type,
    RELATED_KEYS.indexOf(key),
  ]),
) as Record<PageType, number>
