/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification) as a direct template, with the RSS Best
 * Practices additions: atom:link rel="self", dc:creator, guid isPermaLink. Item HTML goes in
 * <description> XML-escaped; titles are plain text.
 */
import {FORMATS} from '../formats.ts'
import type {FeedModel} from '../types.ts'
import {attributes, element, rfc822} from '../xml.ts'
import {categories, feedPages, itemHtml, selfUrl, type FeedSpec} from './item.ts'

export function renderRss(model: FeedModel, spec: FeedSpec): string {
  const pages = feedPages(model, spec.types, spec.limit)
  const items = pages.map((page) =>
    [
      '<item>',
      element('title', page.title),
      element('link', page.link),
      element('description', itemHtml(model, page)),
      element('guid', page.url, {isPermaLink: 'true'}),
      element('pubDate', rfc822(page.datePublished)),
      ...categories(model, page).map((c) => element('category', c.label, {domain: c.scheme})),
      element('dc:creator', model.site.publisher),
      '</item>',
    ].join('\n'),
  )
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    element('title', spec.title),
    element('link', model.site.home),
    element('description', spec.description),
    element('language', model.site.language),
    element('copyright', model.site.attribution),
    element('lastBuildDate', rfc822(model.generatedAt)),
    element('docs', 'https://www.rssboard.org/rss-specification'),
    `<atom:link${attributes({href: selfUrl(model, spec), rel: 'self', type: FORMATS.rss.mediaType})}/>`,
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n')
}
