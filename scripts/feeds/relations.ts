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
  const link: PageLink = {id: p.id, type: p.type, slug: p.slug, title: p.title, url: p.url, link: p.link}
  if (p.details?.kind) link.kind = p.details.kind
  return link
}

/**
 * Related links both ways. Forward: article → treatment, benefits; benefit → concerns, skin types,
 * adjuncts. Reverse: the inverse of each. Derived: benefit → treatments (through its articles) and
 * taxonomy → treatments (through its benefits). Article benefit order is kept; the rest is sorted.
 */
export function linkPages(pages: Page[], byId: Map<string, Page>, forward: Map<string, {[K in keyof Related]?: string[]}>): void {
  const sets = new Map<string, {[K in keyof Related]: Set<string>}>()
  const setOf = (id: string) => {
    let s = sets.get(id)
    if (!s) sets.set(id, (s = {articles: new Set(), benefits: new Set(), treatments: new Set(), concerns: new Set(), skinTypes: new Set(), serums: new Set()}))
    return s
  }
  const link = (from: Page, to: Page) => {
    if (from.id === to.id) return
    setOf(from.id)[RELATED_KEY_OF[to.type]].add(to.id)
    setOf(to.id)[RELATED_KEY_OF[from.type]].add(from.id)
  }
  for (const page of pages) {
    for (const key of RELATED_KEYS) {
      for (const id of forward.get(page.id)?.[key] ?? []) {
        const target = byId.get(id)
        // A reference to a document of the wrong type is the validator's finding, not a link.
        if (target && RELATED_KEY_OF[target.type] === key) link(page, target)
      }
    }
  }
  // Treatments reach benefits through articles, and taxonomy through benefits.
  for (const page of pages) {
    if (page.type !== 'article') continue
    const s = setOf(page.id)
    for (const t of s.treatments) for (const b of s.benefits) link(byId.get(b)!, byId.get(t)!)
  }
  for (const page of pages) {
    if (page.type !== 'benefit') continue
    const s = setOf(page.id)
    for (const t of s.treatments) for (const key of ['concerns', 'skinTypes', 'serums'] as const) for (const x of s[key]) link(byId.get(x)!, byId.get(t)!)
  }
  for (const page of pages) {
    const s = sets.get(page.id)
    if (!s) continue
    for (const key of RELATED_KEYS) {
      const targets = [...s[key]].map((id) => byId.get(id)!)
      if (page.type === 'article' && key === 'benefits') {
        const order = forward.get(page.id)?.benefits ?? []
        targets.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
      } else targets.sort(comparePages)
      page.related[key] = targets.map(toLink)
    }
  }
}
