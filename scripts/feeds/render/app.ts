/**
 * The app bundle: every page as compact plain-text entries (no HTML), relations as id lists, and
 * the reviewers once in `people`. One file, so the app loads it in one request.
 */
import {jsonFile} from '../json.ts'
import {schemaId} from '../schemas.ts'
import {compareStrings} from '../text.ts'
import {RELATED_KEY_OF} from '../relations.ts'
import {RELATED_KEYS, type FeedModel, type Page, type PageType, type Person} from '../types.ts'


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
  const people = new Map<string, Person>()
  for (const page of model.pages) {
    groups[RELATED_KEY_OF[page.type]]!.push(entry(page))
    const by = page.review?.reviewedBy
    if (by && !people.has(by.id)) people.set(by.id, by)
  }
  return {
    $schema: schemaId('appBundle'),
    generatedAt: model.generatedAt,
    baseUrl: model.site.baseUrl,
    language: model.site.language,
    ...groups,
    people: [...people.values()]
      .sort((a, b) => compareStrings(a.id, b.id))
      .map((p) => ({id: p.id, name: p.name, ...(p.credentials ? {credentials: p.credentials} : {}), ...(p.url ? {url: p.url} : {})})),
  }
}

/** Compact (no indentation): the app downloads it. */
export function renderAppBundle(model: FeedModel): string {
  return jsonFile(appBundleObject(model), {compact: true})
}
