/**
 * Web page JSON (`web/<type>/<slug>.json`): one page of the web frontend with SEO fields (falling
 * back to title and summary), Portable Text and its sanitized HTML, plain text, related links both
 * ways and its schema.org JSON-LD, also as a `<script>` block ready to paste. Compact JSON: the
 * frontend parses it, nobody reads it, and at 100k pages indentation was a sixth of every byte.
 */
import {htmlSafeJsonText} from '../json.ts'
import type {FeedModel, Page} from '../types.ts'
import {slugFileName, TYPE_PATHS} from '../urls.ts'
import {DESCRIBED_BY, role, type Infer} from './declare.ts'
import {
  block,
  cautionsOf,
  dateTime,
  details,
  documentId,
  DRAFT_2020_12,
  httpUrl,
  nonEmpty,
  pageLink,
  pageType,
  person,
  relatedOf,
  review,
  SCHEMA_BASE,
  uniqueStrings,
} from './defs.ts'
import {
  createJsonLdParts,
  jsonLdSchema,
  jsonLdScript,
  pageJsonLd,
  type JsonLdParts,
} from './jsonLd.ts'
import {extraFields, PAGE_EXTRAS} from './page.ts'
import {createWriter, declaredWriter, JsonText, type Writer} from './write.ts'

const ID = `${SCHEMA_BASE}/web-page.v2.schema.json` as const

export const webPageSchema = {
  $schema: DRAFT_2020_12,
  $id: ID,
  title: 'Web page JSON, version 2',
  description:
    'One page of the web frontend (article, benefit, treatment, concern, skin type or adjunct): text, Portable Text, sanitized HTML, related links both ways, who it is not for (cautions, apart from the related links) and a schema.org JSON-LD block. Version 2 added cautions and the review status.',
  type: 'object',
  additionalProperties: false,
  required: [
    '$schema',
    'id',
    'type',
    'slug',
    'path',
    'url',
    'title',
    'seo',
    'body',
    'html',
    'text',
    'datePublished',
    'dateModified',
    'related',
    'jsonLd',
    'jsonLdScript',
  ],
  properties: {
    $schema: {const: ID},
    id: {$ref: '#/$defs/documentId'},
    type: {$ref: '#/$defs/pageType'},
    slug: nonEmpty,
    path: {type: 'string', pattern: '^/[a-z-]+/[^/]+$'},
    url: {$ref: '#/$defs/httpUrl'},
    title: nonEmpty,
    summary: nonEmpty,
    seo: {
      type: 'object',
      additionalProperties: false,
      required: ['title', 'noIndex', 'canonicalUrl'],
      properties: {
        title: nonEmpty,
        description: nonEmpty,
        noIndex: {type: 'boolean'},
        canonicalUrl: {$ref: '#/$defs/httpUrl'},
      },
    },
    body: {type: 'array', items: {$ref: '#/$defs/block'}},
    html: role('html', {type: 'string'} as const),
    text: {type: 'string'},
    datePublished: dateTime,
    dateModified: dateTime,
    review: {$ref: '#/$defs/review'},
    position: {type: 'integer', minimum: 1},
    bodyAreas: uniqueStrings,
    synonyms: uniqueStrings,
    details: {$ref: '#/$defs/details'},
    cautions: cautionsOf({$ref: '#/$defs/documentId'} as const, {$ref: '#/$defs/httpUrl'} as const),
    ...PAGE_EXTRAS,
    related: {$ref: '#/$defs/related'},
    // Published loosely (schema.org is the vocabulary); checked and written by its declaration.
    jsonLd: {
      type: 'object',
      required: ['@context', '@type', '@id', 'url', 'name'],
      properties: {
        '@context': {const: 'https://schema.org'},
        '@type': {const: 'MedicalWebPage'},
        '@id': {type: 'string', format: 'uri'},
        url: {$ref: '#/$defs/httpUrl'},
        name: nonEmpty,
      },
      [DESCRIBED_BY]: jsonLdSchema,
    },
    jsonLdScript: role('script', {
      type: 'string',
      pattern: '^<script type="application/ld\\+json">[^<]*</script>$',
    } as const),
  },
  $defs: {
    documentId,
    pageType,
    httpUrl,
    pageLink,
    related: relatedOf({$ref: '#/$defs/pageLink'} as const),
    person,
    review,
    details,
    block,
  },
} as const

export type WebPage = Infer<typeof webPageSchema>

export const webPagePath = (page: Pick<Page, 'type' | 'slug'>) =>
  `web/${TYPE_PATHS[page.type]}/${slugFileName(page.slug)}.json`

/** What the pages of one export share: JSON-LD parts, and one writer per mode. */
export interface WebPageParts {
  jsonLd: JsonLdParts
  escaped: Writer
  raw: Writer
}

export const createWebPageParts = (): WebPageParts => ({
  jsonLd: createJsonLdParts(),
  escaped: createWriter(),
  raw: createWriter(true),
})

const writeJsonLd = declaredWriter(jsonLdSchema)
const writeWebPage = declaredWriter(webPageSchema)

export interface WebPageOptions {
  /** Leave the `\u003c`… escapes to the caller, who applies them to the bytes (json.ts escapeJsonBytes). */
  raw?: boolean
  /** JSON.stringify(page.blocks), when the caller has it instead of the blocks (render/webWire.ts). */
  bodyJson?: string
}

/** The page as the file holds it; `jsonLd` is its JSON text (written once, also in the script block). */
export function webPageData(
  model: FeedModel,
  page: Page,
  parts: WebPageParts,
  opts: WebPageOptions = {},
): WebPage {
  const w = opts.raw ? parts.raw : parts.escaped
  const ld = writeJsonLd(pageJsonLd(model, page, parts.jsonLd), w).join('')
  const body =
    opts.bodyJson === undefined
      ? (page.blocks ?? [])
      : new JsonText(opts.raw ? opts.bodyJson : htmlSafeJsonText(opts.bodyJson))
  const data: WebPage = {
    $schema: ID,
    id: page.id,
    type: page.type,
    slug: page.slug,
    path: page.path,
    url: page.url,
    title: page.title,
    summary: page.summary || undefined,
    seo: {
      title: page.seo.title,
      description: page.seo.description || undefined,
      noIndex: page.seo.noIndex,
      canonicalUrl: page.url,
    },
    body: body as WebPage['body'],
    html: page.html ?? '',
    text: page.text ?? '',
    datePublished: page.datePublished,
    dateModified: page.dateModified,
    review: page.review,
    position: page.position || undefined,
    bodyAreas: page.bodyAreas,
    synonyms: page.synonyms,
    details: page.details,
    cautions: page.cautions,
  } as WebPage
  for (const [key, value] of extraFields(page)) (data as Record<string, unknown>)[key] = value
  // The page's own link objects: the closed pageLink declaration writes what web pages show of them.
  data.related = page.related
  data.jsonLd = new JsonText(ld) as unknown as WebPage['jsonLd']
  data.jsonLdScript = jsonLdScript(opts.raw ? htmlSafeJsonText(ld) : ld)
  return data
}

/**
 * The file text of one web page as pieces (compact JSON, newline-terminated), which writers encode
 * one by one into their buffers: joined first, a page is a rope V8 must flatten before encoding.
 */
export function webPagePieces(
  model: FeedModel,
  page: Page,
  parts: WebPageParts,
  opts: WebPageOptions = {},
): string[] {
  const out = writeWebPage(
    webPageData(model, page, parts, opts),
    opts.raw ? parts.raw : parts.escaped,
  )
  out.push('\n')
  return out
}
