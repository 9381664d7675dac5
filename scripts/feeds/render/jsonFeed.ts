/**
 * JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): `authors` arrays, `language`, items with
 * both content_html and content_text. Review facts and attribution travel in the `_skincare`
 * extension object (extensions are keys starting with "_").
 */
import {jsonFile} from '../json.ts'
import type {JsonFeed} from '../outputs/jsonFeed.ts'
import {isReviewed, type FeedModel} from '../types.ts'
import {categories, feedPages, itemHtml, itemText, selfUrl, type FeedSpec} from './item.ts'

export function jsonFeedObject(model: FeedModel, spec: FeedSpec): JsonFeed {
  const authors = [{name: model.site.publisher, url: model.site.home}]
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: spec.title,
    home_page_url: model.site.home,
    feed_url: selfUrl(model, spec),
    description: spec.description,
    language: model.site.language,
    authors,
    items: feedPages(model, spec.types, spec.limit).map((page) => {
      const tags = [...new Set(categories(model, page).map((c) => c.label))]
      const ext: JsonFeed['items'][number]['_skincare'] = {
        about: `${model.site.feedsBaseUrl}/schemas/README.md#json-feed-extension`,
        type: page.type,
        attribution: model.site.attribution,
      }
      if (isReviewed(page.review)) {
        ext.last_reviewed = page.review.lastReviewed
        ext.reviewed_by = {
          name: page.review.reviewedBy.name,
          ...(page.review.reviewedBy.url ? {url: page.review.reviewedBy.url} : {}),
        }
      }
      return {
        id: page.url,
        url: page.link,
        title: page.title,
        content_html: itemHtml(model, page),
        content_text: itemText(model, page),
        ...(page.summary ? {summary: page.summary} : {}),
        date_published: page.datePublished,
        date_modified: page.dateModified,
        authors,
        ...(tags.length ? {tags} : {}),
        language: model.site.language,
        _skincare: ext,
      }
    }),
  }
}

export function renderJsonFeed(model: FeedModel, spec: FeedSpec): string {
  return jsonFile(jsonFeedObject(model, spec))
}
