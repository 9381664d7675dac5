/**
 * Web frontend JSON: one document per page with SEO fields (falling back to title and summary),
 * Portable Text and its sanitized HTML, plain text, related links both ways and JSON-LD.
 */
import {jsonFile} from '../json.ts'
import {schemaId} from '../schemas.ts'
import type {FeedModel, Page, PageLink, Related} from '../types.ts'
import {RELATED_KEYS} from '../types.ts'
import {slugFileName, TYPE_PATHS} from '../urls.ts'
import {jsonLdScript, pageJsonLd} from './jsonLd.ts'

export const webPagePath = (page: Page) => `web/${TYPE_PATHS[page.type]}/${slugFileName(page.slug)}.json`

const webLink = ({link: _link, ...l}: PageLink) => l

export function webPageObject(model: FeedModel, page: Page): Record<string, unknown> {
  const related = {} as Record<keyof Related, unknown[]>
  for (const key of RELATED_KEYS) related[key] = page.related[key].map(webLink)
  const jsonLd = pageJsonLd(model, page)
  return {
    $schema: schemaId('webPage'),
    id: page.id,
    type: page.type,
    slug: page.slug,
    path: page.path,
    url: page.url,
    title: page.title,
    ...(page.summary ? {summary: page.summary} : {}),
    seo: {
      title: page.seo.title,
      ...(page.seo.description ? {description: page.seo.description} : {}),
      noIndex: page.seo.noIndex,
      canonicalUrl: page.url,
    },
    body: page.blocks ?? [],
    html: page.html ?? '',
    text: page.text ?? '',
    datePublished: page.datePublished,
    dateModified: page.dateModified,
    ...(page.review ? {review: page.review} : {}),
    ...(page.position ? {position: page.position} : {}),
    ...(page.bodyAreas ? {bodyAreas: page.bodyAreas} : {}),
    ...(page.synonyms ? {synonyms: page.synonyms} : {}),
    ...(page.details ? {details: page.details} : {}),
    related,
    jsonLd,
    jsonLdScript: jsonLdScript(jsonLd),
  }
}

/**
 * Compact JSON: the frontend parses it, nobody reads it, and at 100k pages the indentation alone
 * was a sixth of every byte written and hashed.
 */
export function renderWebPage(model: FeedModel, page: Page): string {
  return jsonFile(webPageObject(model, page), {compact: true})
}
