/**
 * The app bundle: every page as compact plain-text entries (no HTML), relations as id lists, and
 * the reviewers once in `people`. One file, so the app loads it in one request.
 */
import {htmlSafeJsonText, safeJson} from '../json.ts'
import {schemaId} from '../schemas.ts'
import {compareStrings} from '../text.ts'
import {RELATED_KEY_OF} from '../relations.ts'
import {RELATED_KEYS, type FeedModel, type Page, type PageLink, type PageType, type Person} from '../types.ts'


function entry(page: Page): Record<string, unknown> {
  const related: Record<string, string[]> = {}
  for (const key of RELATED_KEYS) related[key] = page.related[key].map((l) => l.id)
  return {
    id: page.id,
    slug: page.slug,
    path: page.path,
    title: page.title,
    ...(page.summary ? {summary: page.summary} : {}),
    ...(page.text ? {text: page.text} : {}),
    datePublished: page.datePublished,
    dateModified: page.dateModified,
    ...(page.position ? {position: page.position} : {}),
    ...(page.bodyAreas ? {bodyAreas: page.bodyAreas} : {}),
    ...(page.synonyms ? {synonyms: page.synonyms} : {}),
    ...(page.details ? {details: page.details} : {}),
    ...(page.review
      ? {review: {...(page.review.lastReviewed ? {lastReviewed: page.review.lastReviewed} : {}), ...(page.review.reviewedBy ? {reviewedBy: page.review.reviewedBy.id} : {})}}
      : {}),
    related,
  }
}

export function appBundleObject(model: FeedModel): Record<string, unknown> {
  const groups: Record<string, unknown[]> = {articles: [], benefits: [], treatments: [], concerns: [], skinTypes: [], serums: []}
  for (const page of model.pages) groups[RELATED_KEY_OF[page.type]]!.push(entry(page))
  return {...appBundleHeadObject(model), ...groups, people: appPeople(bundlePeople(model.pages))}
}

/** The group (array member) a page's entry belongs to, in file order. */
export const APP_GROUPS = ['articles', 'benefits', 'treatments', 'concerns', 'skinTypes', 'serums'] as const
export const appGroupOf = (type: PageType): string => RELATED_KEY_OF[type]

const appBundleHeadObject = (model: Pick<FeedModel, 'site' | 'generatedAt'>) => ({
  $schema: schemaId('appBundle'),
  generatedAt: model.generatedAt,
  baseUrl: model.site.baseUrl,
  language: model.site.language,
})

/** Reviewers of these pages, once each (the first page's copy; every copy comes from the same document). */
export function bundlePeople(pages: Iterable<Page>): Person[] {
  const people = new Map<string, Person>()
  for (const page of pages) {
    const by = page.review?.reviewedBy
    if (by && !people.has(by.id)) people.set(by.id, by)
  }
  return [...people.values()]
}

function appPeople(people: readonly Person[]): Array<Record<string, unknown>> {
  return [...people]
    .sort((a, b) => compareStrings(a.id, b.id))
    .map((p) => ({id: p.id, name: p.name, ...(p.credentials ? {credentials: p.credentials} : {}), ...(p.url ? {url: p.url} : {})}))
}

const J = JSON.stringify
/** JSON of a value that may hold text, HTML-safe (safeJson, piece by piece: the escapes only touch strings). */
const E = (value: unknown): string => htmlSafeJsonText(J(value))

/** A related page's id as bundle entries write it, made once per link (see appEntryJson). */
export type AppIdCache = WeakMap<PageLink, string>

/**
 * One page's entry exactly as it appears inside bundle.json (compact, HTML-safe): the bytes of
 * safeJson(entry(page)), written directly (tests/bench compares the two on every page), without
 * building the entry object first — at 100k pages the export makes 100k of them. `ids`: the JSON
 * of related ids, kept across the pages of one model (a link object is shared by every page that
 * links to it: at 100k pages, 1.2M ids are written from ~100k links).
 */
export function appEntryJson(page: Page, ids: AppIdCache = new WeakMap()): string {
  const p: string[] = [`{"id":${E(page.id)},"slug":${E(page.slug)},"path":${J(page.path)},"title":${E(page.title)}`]
  if (page.summary) p.push(',"summary":', E(page.summary))
  if (page.text) p.push(',"text":', E(page.text))
  p.push(`,"datePublished":${J(page.datePublished)},"dateModified":${J(page.dateModified)}`)
  if (page.position) p.push(`,"position":${J(page.position)}`)
  if (page.bodyAreas) p.push(`,"bodyAreas":${E(page.bodyAreas)}`)
  if (page.synonyms) p.push(`,"synonyms":${E(page.synonyms)}`)
  if (page.details) p.push(',"details":', E(page.details))
  const review = page.review
  if (review) {
    const parts: string[] = []
    if (review.lastReviewed) parts.push(`"lastReviewed":${E(review.lastReviewed)}`)
    if (review.reviewedBy) parts.push(`"reviewedBy":${E(review.reviewedBy.id)}`)
    p.push(`,"review":{${parts.join(',')}}`)
  }
  p.push(',"related":{')
  for (let i = 0; i < RELATED_KEYS.length; i++) {
    const key = RELATED_KEYS[i]!
    p.push(i ? `,"${key}":[` : `"${key}":[`)
    const list = page.related[key]
    for (let j = 0; j < list.length; j++) {
      const link = list[j]!
      let id = ids.get(link)
      if (id === undefined) ids.set(link, (id = E(link.id)))
      p.push(j ? `,${id}` : id)
    }
    p.push(']')
  }
  p.push('}}')
  return p.join('')
}

/**
 * bundle.json from its parts: what JSON.stringify of appBundleObject writes, assembled from each
 * page's entry text so an incremental export can reuse the entries of unchanged pages.
 * (JSON.stringify of an object is `{` + members joined by `,` + `}`, and safeJson only rewrites
 * characters inside strings, so escaping part by part gives the same bytes.)
 */
export const appBundleParts = (model: Pick<FeedModel, 'site' | 'generatedAt'>, people: readonly Person[]) => {
  const head = safeJson(appBundleHeadObject(model))
  return {
    /** Up to and including `"articles":[`. */
    open: `${head.slice(0, -1)},"${APP_GROUPS[0]}":[`,
    /** Between groups i and i+1: `],"benefits":[` … */
    between: APP_GROUPS.slice(1).map((g) => `],"${g}":[`),
    /** After the last group. */
    close: `],"people":${safeJson(appPeople(people))}}\n`,
  }
}

/** Compact (no indentation): the app downloads it. */
export function renderAppBundle(model: FeedModel): string {
  return renderAppBundleWithLayout(model).content
}

/** The bundle, and where each page's entry sits in it (ids and byte lengths per group, in order). */
export function renderAppBundleWithLayout(model: FeedModel): {content: string; open: string; groups: Array<{keys: string[]; lengths: number[]}>} {
  const entries: string[][] = APP_GROUPS.map(() => [])
  const groups = APP_GROUPS.map(() => ({keys: [] as string[], lengths: [] as number[]}))
  const index = new Map<string, number>(APP_GROUPS.map((g, i) => [g, i]))
  const ids: AppIdCache = new WeakMap()
  for (const page of model.pages) {
    const g = index.get(RELATED_KEY_OF[page.type])!
    const text = appEntryJson(page, ids)
    entries[g]!.push(text)
    groups[g]!.keys.push(page.id)
    groups[g]!.lengths.push(Buffer.byteLength(text))
  }
  const parts = appBundleParts(model, bundlePeople(model.pages))
  let out = parts.open
  entries.forEach((list, i) => {
    if (i > 0) out += parts.between[i - 1]
    out += list.join(',')
  })
  return {content: out + parts.close, open: parts.open, groups}
}
