/**
 * Schema fragments several outputs share, each written once. An output's `$defs` names them as
 * its published schema always has (web pages say `documentId`, the app bundle `id`).
 */
import {REVIEW_STATES} from '../../../schemas/rules/review.ts'
import {PAGE_TYPES} from '../pageTypes.ts'
import {role, shared} from './declare.ts'

/** Where the published schemas live (`$id`s); the file name is the `$id`'s last segment. */
export const SCHEMA_BASE = 'https://skincare.example/schemas/feeds'
export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema'

export const documentId = role('id', {
  type: 'string',
  minLength: 1,
  not: {pattern: '^(drafts|versions)\\.'},
} as const)
export const pageType = {enum: PAGE_TYPES} as const
export const httpUrl = {type: 'string', format: 'uri', pattern: '^https?://'} as const
export const dateTime = {type: 'string', format: 'date-time'} as const
export const date = {type: 'string', format: 'date'} as const
export const nonEmpty = {type: 'string', minLength: 1} as const
export const strings = {type: 'array', items: {type: 'string'}} as const
export const uniqueStrings = {type: 'array', items: {type: 'string'}, uniqueItems: true} as const
/** Partner names become folder names: one plain lowercase path segment. */
export const partnerName = {
  type: 'string',
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
} as const

/** Type-specific facts of taxonomy pages (schema.org MedicalProcedure fields, adjunct timing…). */
export const details = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: {type: 'string'},
    fitzpatrick: {type: 'string'},
    timing: strings,
    cautions: {type: 'string'},
    procedureType: {type: 'string'},
    howPerformed: {type: 'string'},
    preparation: {type: 'string'},
    followup: {type: 'string'},
  },
} as const

/** Portable Text after sanitizing: blocks, spans, strong/em and safe absolute links. */
export const block = {
  type: 'object',
  additionalProperties: false,
  required: ['_type', '_key', 'style', 'children', 'markDefs'],
  properties: {
    _type: {const: 'block'},
    _key: nonEmpty,
    style: {enum: ['normal', 'h2', 'h3', 'blockquote']},
    listItem: {enum: ['bullet', 'number']},
    level: {type: 'integer', minimum: 1},
    children: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['_type', '_key', 'text', 'marks'],
        properties: {
          _type: {const: 'span'},
          _key: nonEmpty,
          text: {type: 'string'},
          marks: strings,
        },
      },
    },
    markDefs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['_type', '_key', 'href'],
        properties: {
          _type: {const: 'link'},
          _key: nonEmpty,
          href: role('url', {type: 'string', pattern: '^(https?|mailto):'} as const),
        },
      },
    },
  },
} as const

/** A medical reviewer as pages show them. */
export const person = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: {$ref: '#/$defs/documentId'},
    name: nonEmpty,
    slug: {type: 'string'},
    credentials: {type: 'string'},
    url: {$ref: '#/$defs/httpUrl'},
  },
} as const

/** Whether a review vouches for the content now (`current`), is too old (`expired`) or is missing. */
export const reviewStatus = {enum: REVIEW_STATES} as const

/** Medical review as far as it is known, and its status on the export's review date. */
export const review = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {lastReviewed: date, reviewedBy: {$ref: '#/$defs/person'}, status: reviewStatus},
} as const

/** A link to another page as web pages show it. Shared: one object per linked page and export. */
export const pageLink = shared({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'slug', 'title', 'url'],
  properties: {
    id: {$ref: '#/$defs/documentId'},
    type: {$ref: '#/$defs/pageType'},
    slug: nonEmpty,
    title: nonEmpty,
    url: {$ref: '#/$defs/httpUrl'},
    kind: {type: 'string'},
  },
} as const)

/** The related links of a page, both ways, one list per page type (RELATED_KEYS order). */
export const relatedOf = <const L extends object>(link: L) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['articles', 'benefits', 'treatments', 'concerns', 'skinTypes', 'serums'],
    properties: {
      articles: {type: 'array', items: link},
      benefits: {type: 'array', items: link},
      treatments: {type: 'array', items: link},
      concerns: {type: 'array', items: link},
      skinTypes: {type: 'array', items: link},
      serums: {type: 'array', items: link},
    },
  }) as const

/** What a caution is about: a page (skin type, concern, adjunct…) or a contraindication, which has none. */
export const CAUTION_TARGET_TYPES = [...PAGE_TYPES, 'contraindication'] as const

/**
 * Who a page is not for, or only with care (`kind`), apart from its benefits and related links:
 * a caution never reads as "good for". `id`/`url` are the output's own id and URL nodes.
 */
export const cautionsOf = <const I extends object, const U extends object>(id: I, url: U) =>
  ({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'about'],
      properties: {
        kind: {enum: ['caution', 'contraindicated']},
        about: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'type', 'title'],
          properties: {
            id,
            type: {enum: CAUTION_TARGET_TYPES},
            title: nonEmpty,
            url,
            description: {type: 'string'},
          },
        },
        advice: {type: 'string'},
      },
    },
  }) as const
