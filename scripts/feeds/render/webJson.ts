/**
 * A web page's file text, written directly: the same bytes as jsonFile(webPageObject(model,
 * page), {compact: true}) (tests/bench compares the two on every page), without building the
 * page object first. At 100k pages the object, its JSON-LD and a second serialization of that
 * JSON-LD for the script block cost more than everything else in the export; here the JSON-LD
 * is serialized once, and a linked page's JSON (a related link, a JSON-LD entity reference) is
 * made once per export and reused by every page that links to it.
 */
import {htmlSafeJsonText} from '../json.ts'
import {schemaId} from '../schemas.ts'
import {RELATED_KEYS, type FeedModel, type Page, type PageLink} from '../types.ts'
import {entity, entityRef} from './jsonLd.ts'

const J = JSON.stringify
/**
 * JSON of a value that may hold text (any user-provided string), HTML-safe. Escaping each piece
 * gives the same bytes as escaping the whole file (the escapes only touch characters inside
 * strings), without flattening the whole page's text first; pieces that cannot hold `<`, `>`,
 * `&`, U+2028 or U+2029 (numbers, booleans, dates, ids, types, percent-encoded paths, the literal
 * template) are not scanned.
 */
const E = (value: unknown): string => htmlSafeJsonText(J(value))

/** Per export and escaping mode: JSON text of things many pages share. */
interface ModeCache {
  links: WeakMap<PageLink, string>
  refs: WeakMap<PageLink, string>
  site?: {model: FeedModel; isPartOf: string; publisher: string; schema: string}
  E: (value: unknown) => string
}
export interface WebJsonCache {
  escaped: ModeCache
  raw: ModeCache
}

export const createWebJsonCache = (): WebJsonCache => ({
  escaped: {links: new WeakMap(), refs: new WeakMap(), E},
  raw: {links: new WeakMap(), refs: new WeakMap(), E: J},
})

/** `{id, type, slug, title, url, kind?}`: a related link as web pages show it (without `link`). */
function linkJson(cache: ModeCache, l: PageLink): string {
  const E = cache.E
  let s = cache.links.get(l)
  if (s === undefined) {
    s = `{"id":${E(l.id)},"type":${E(l.type)},"slug":${E(l.slug)},"title":${E(l.title)},"url":${E(l.url)}${l.kind !== undefined ? `,"kind":${E(l.kind)}` : ''}}`
    cache.links.set(l, s)
  }
  return s
}

function refJson(cache: ModeCache, l: PageLink): string {
  let s = cache.refs.get(l)
  if (s === undefined) cache.refs.set(l, (s = cache.E(entityRef(l))))
  return s
}

function siteParts(cache: ModeCache, model: FeedModel) {
  const E = cache.E
  if (cache.site?.model !== model) {
    const site = model.site
    cache.site = {
      model,
      isPartOf: E({'@type': 'WebSite', '@id': `${site.baseUrl}/#website`, name: site.title, url: `${site.baseUrl}/`}),
      publisher: E({'@type': 'Organization', name: site.publisher, url: `${site.baseUrl}/`}),
      schema: E(schemaId('webPage')),
    }
  }
  return cache.site
}

/** JSON.stringify(pageJsonLd(model, page)), key for key (see jsonLd.ts); HTML-safe unless `cache` is the raw mode's. */
function jsonLdJson(model: FeedModel, page: Page, cache: ModeCache): string {
  const E = cache.E
  const site = siteParts(cache, model)
  const p: string[] = [`{"@context":"https://schema.org","@type":"MedicalWebPage","@id":${E(`${page.url}#webpage`)},"url":${E(page.url)},"name":${E(page.seo.title)},"headline":${E(page.title)}`]
  if (page.seo.description) p.push(',"description":', E(page.seo.description))
  p.push(`,"inLanguage":${E(model.site.language)},"datePublished":${J(page.datePublished)},"dateModified":${J(page.dateModified)},"isPartOf":`, site.isPartOf, ',"publisher":', site.publisher)
  if (page.review?.lastReviewed) p.push(`,"lastReviewed":${E(page.review.lastReviewed)}`)
  if (page.review?.reviewedBy) {
    const by = page.review.reviewedBy
    p.push(`,"reviewedBy":{"@type":"Person","name":${E(by.name)}${by.credentials ? `,"jobTitle":${E(by.credentials)}` : ''}${by.url ? `,"url":${E(by.url)}` : ''}}`)
  }
  const r = page.related
  const refs = (key: string, links: readonly PageLink[]) => {
    p.push(`,"${key}":[`)
    links.forEach((l, i) => (i ? p.push(',', refJson(cache, l)) : p.push(refJson(cache, l))))
    p.push(']')
  }
  if (page.type === 'article' || page.type === 'benefit') {
    const about = [...r.treatments, ...r.concerns]
    if (about.length) refs('about', about)
    if (page.type === 'article' && r.treatments[0]) p.push(',"mainEntity":', refJson(cache, r.treatments[0]))
    const mentions = [...r.skinTypes, ...r.serums]
    if (mentions.length) refs('mentions', mentions)
  } else {
    const main = E(entity(page))
    p.push(',"about":', main, ',"mainEntity":', main)
  }
  let first = true
  for (const key of RELATED_KEYS) {
    for (const l of r[key]) {
      p.push(first ? ',"relatedLink":[' : ',', E(l.url))
      first = false
    }
  }
  p.push(first ? '}' : ']}')
  return p.join('')
}

/**
 * The file text of one web page (compact JSON, newline-terminated). HTML-safe, unless `raw`: then
 * the `\u003c`… escapes are left to the caller (the full export's writer applies them to the
 * bytes: json.ts escapeJsonBytes), except inside the JSON-LD script block, which holds escaped
 * JSON-LD text in any case. `bodyJson`: JSON.stringify(page.blocks), when the caller has it
 * instead of the blocks (a page rendered on the writer thread: render/webWire.ts).
 */
export function webPageJson(model: FeedModel, page: Page, caches: WebJsonCache, opts: WebPageOptions = {}): string {
  return webPagePieces(model, page, caches, opts).join('')
}

export interface WebPageOptions {
  raw?: boolean
  bodyJson?: string
}

/**
 * webPageJson's text as the pieces it is made of, in order: writers encode them one by one into
 * their buffers (treeWriter.ts). A page built with `+=` is a rope of a few hundred strings that
 * V8 must copy into one flat string before encoding it — at 100k pages that copy cost more than
 * building the pieces; large values (body, HTML, text, JSON-LD) stay pieces of their own.
 */
export function webPagePieces(model: FeedModel, page: Page, caches: WebJsonCache, opts: WebPageOptions = {}): string[] {
  const cache = opts.raw ? caches.raw : caches.escaped
  const E = cache.E
  const site = siteParts(cache, model)
  const p: string[] = []
  p.push(`{"$schema":${site.schema},"id":${J(page.id)},"type":${J(page.type)},"slug":${E(page.slug)},"path":${J(page.path)},"url":${E(page.url)},"title":${E(page.title)}`)
  if (page.summary) p.push(',"summary":', E(page.summary))
  p.push(`,"seo":{"title":${E(page.seo.title)}`)
  if (page.seo.description) p.push(',"description":', E(page.seo.description))
  p.push(`,"noIndex":${page.seo.noIndex},"canonicalUrl":${E(page.url)}},"body":`)
  p.push(opts.bodyJson === undefined ? E(page.blocks ?? []) : opts.raw ? opts.bodyJson : htmlSafeJsonText(opts.bodyJson))
  p.push(',"html":', E(page.html ?? ''), ',"text":', E(page.text ?? ''))
  p.push(`,"datePublished":${J(page.datePublished)},"dateModified":${J(page.dateModified)}`)
  if (page.review) p.push(`,"review":${E(page.review)}`)
  if (page.position) p.push(`,"position":${J(page.position)}`)
  if (page.bodyAreas) p.push(`,"bodyAreas":${E(page.bodyAreas)}`)
  if (page.synonyms) p.push(`,"synonyms":${E(page.synonyms)}`)
  if (page.details) p.push(',"details":', E(page.details))
  p.push(',"related":{')
  for (let i = 0; i < RELATED_KEYS.length; i++) {
    const key = RELATED_KEYS[i]!
    const list = page.related[key]
    p.push(i ? `,"${key}":[` : `"${key}":[`)
    for (let j = 0; j < list.length; j++) {
      if (j) p.push(',')
      p.push(linkJson(cache, list[j]!))
    }
    p.push(']')
  }
  const ld = jsonLdJson(model, page, cache)
  // The script block holds the escaped JSON-LD text (safeJson), as a JSON string.
  p.push('},"jsonLd":', ld, ',"jsonLdScript":', E(`<script type="application/ld+json">${opts.raw ? htmlSafeJsonText(ld) : ld}</script>`), '}\n')
  return p
}
