/**
 * Atom 1.0 (RFC 4287) as a direct template: feed id/title/updated/author, link rel="self" and
 * rel="alternate", categories with `term` (the slug) plus label and scheme, HTML content escaped
 * as type="html", attribution in atom:rights, the medical reviewer as a contributor.
 */
import {FORMATS} from '../formats.ts'
import type {FeedModel} from '../types.ts'
import {attributes, element} from '../xml.ts'
import {categories, feedPages, feedUpdated, itemHtml, selfUrl, type FeedSpec} from './item.ts'

export function renderAtom(model: FeedModel, spec: FeedSpec): string {
  const pages = feedPages(model, spec.types, spec.limit)
  const self = selfUrl(model, spec)
  const entries = pages.map((page) => {
    const reviewer = page.review?.reviewedBy
    return [
      '<entry>',
      element('id', page.url),
      element('title', page.title, {type: 'text'}),
      `<link${attributes({rel: 'alternate', type: 'text/html', href: page.link})}/>`,
      element('published', page.datePublished),
      element('updated', page.dateModified),
      reviewer
        ? `<contributor>${element('name', reviewer.name)}${element('uri', reviewer.url)}</contributor>`
        : '',
      element('summary', page.summary, {type: 'text'}),
      element('content', itemHtml(model, page), {type: 'html'}),
      ...categories(model, page).map(
        (c) => `<category${attributes({term: c.term, scheme: c.scheme, label: c.label})}/>`,
      ),
      '</entry>',
    ]
      .filter(Boolean)
      .join('\n')
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom"${attributes({'xml:lang': model.site.language})}>`,
    element('id', self),
    element('title', spec.title, {type: 'text'}),
    element('subtitle', spec.description, {type: 'text'}),
    element('updated', feedUpdated(model, pages)),
    `<author>${element('name', model.site.publisher)}${element('uri', model.site.home)}</author>`,
    `<link${attributes({rel: 'self', type: FORMATS.atom.mediaType, href: self})}/>`,
    `<link${attributes({rel: 'alternate', type: 'text/html', href: model.site.home})}/>`,
    element('rights', model.site.attribution, {type: 'text'}),
    ...entries,
    '</feed>',
    '',
  ].join('\n')
}
