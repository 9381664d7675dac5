/** A partner's `content.json`: its selected items with only the fields its profile allows. */
import {jsonFile} from '../json.ts'
import {RELATED_KEYS, type Page} from '../types.ts'
import {role, type Infer} from './declare.ts'
import {extraFields, PAGE_EXTRAS} from './page.ts'
import type {PartnerView} from './partnerProfile.ts'
import {
  cautionsOf,
  date,
  dateTime,
  documentId,
  DRAFT_2020_12,
  httpUrl,
  nonEmpty,
  pageType,
  partnerName,
  reviewStatus,
  SCHEMA_BASE,
  strings,
} from './defs.ts'

const ID = `${SCHEMA_BASE}/partner-content.v2.schema.json` as const

export const partnerContentSchema = {
  $schema: DRAFT_2020_12,
  $id: ID,
  title: 'Partner content JSON, version 2',
  description:
    "The items one partner profile selects, with only the fields the profile allows, and always who an item is not for (cautions). `url` is canonical; `link` is the partner's tracked link back to the web frontend. Version 2 added cautions and the review status.",
  type: 'object',
  additionalProperties: false,
  required: [
    '$schema',
    'partner',
    'title',
    'homePageUrl',
    'generatedAt',
    'language',
    'attribution',
    'items',
  ],
  properties: {
    $schema: {const: ID},
    partner: partnerName,
    title: nonEmpty,
    homePageUrl: {$ref: '#/$defs/httpUrl'},
    generatedAt: dateTime,
    language: {type: 'string', minLength: 2},
    attribution: nonEmpty,
    items: {type: 'array', items: {$ref: '#/$defs/item'}},
  },
  $defs: {
    httpUrl,
    id: documentId,
    link: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'slug', 'title', 'link'],
      properties: {
        id: {$ref: '#/$defs/id'},
        type: {type: 'string'},
        slug: {type: 'string'},
        title: {type: 'string'},
        link: {$ref: '#/$defs/httpUrl'},
      },
    },
    item: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'slug', 'url', 'link', 'title', 'datePublished', 'dateModified'],
      properties: {
        id: {$ref: '#/$defs/id'},
        type: pageType,
        slug: nonEmpty,
        url: {$ref: '#/$defs/httpUrl'},
        link: {$ref: '#/$defs/httpUrl'},
        title: nonEmpty,
        summary: {type: 'string'},
        text: {type: 'string'},
        html: role('html', {type: 'string'} as const),
        datePublished: dateTime,
        dateModified: dateTime,
        review: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lastReviewed: date,
            status: reviewStatus,
            reviewedBy: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: {type: 'string'},
                credentials: {type: 'string'},
                url: {$ref: '#/$defs/httpUrl'},
              },
            },
          },
        },
        bodyAreas: strings,
        synonyms: strings,
        details: {type: 'object'},
        cautions: cautionsOf({$ref: '#/$defs/id'} as const, {$ref: '#/$defs/httpUrl'} as const),
        ...PAGE_EXTRAS,
        related: {
          type: 'object',
          additionalProperties: {type: 'array', items: {$ref: '#/$defs/link'}},
          propertyNames: {enum: RELATED_KEYS},
        },
      },
    },
  },
} as const

export type PartnerContent = Infer<typeof partnerContentSchema>
type Item = PartnerContent['items'][number]

function item(view: PartnerView, page: Page): Item {
  const by = page.review?.reviewedBy
  let related: Item['related']
  if (view.fields.has('related')) {
    related = {}
    for (const key of RELATED_KEYS) {
      const links = page.related[key]
      if (links.length)
        related[key] = links.map((l) => ({
          id: l.id,
          type: l.type,
          slug: l.slug,
          title: l.title,
          link: l.link,
        }))
    }
  }
  const out: Item = {
    id: page.id,
    type: page.type,
    slug: page.slug,
    url: page.url,
    link: page.link,
    title: page.title,
    summary: page.summary || undefined,
    text: page.text || undefined,
    html: page.html || undefined,
    datePublished: page.datePublished,
    dateModified: page.dateModified,
    review: page.review && {
      lastReviewed: page.review.lastReviewed || undefined,
      status: page.review.status,
      reviewedBy: by && {
        name: by.name,
        credentials: by.credentials || undefined,
        url: by.url || undefined,
      },
    },
    bodyAreas: page.bodyAreas,
    synonyms: page.synonyms,
    details: page.details,
    cautions: page.cautions,
  }
  for (const [key, value] of extraFields(page)) (out as Record<string, unknown>)[key] = value
  out.related = related
  return out
}

export function partnerContentData(view: PartnerView): PartnerContent {
  const {model, profile} = view
  return {
    $schema: ID,
    partner: profile.name,
    title: model.site.title,
    homePageUrl: model.site.home,
    generatedAt: model.generatedAt,
    language: model.site.language,
    attribution: model.site.attribution,
    items: model.pages.map((p) => item(view, p)),
  }
}

export const renderPartnerJson = (view: PartnerView): string => jsonFile(partnerContentData(view))
