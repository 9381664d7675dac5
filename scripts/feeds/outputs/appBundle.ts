/**
 * The app bundle (`app/bundle.json`): every page as a compact plain-text entry (no HTML),
 * relations as id lists and the reviewers once in `people`. One file, so the app loads it in one
 * request. Entries are written one by one (an incremental export reuses unchanged entries' bytes),
 * so the file is assembled from its head, each entry and its tail (appBundleParts).
 */
import {safeJson} from '../json.ts'
import {RELATED_KEY_OF} from '../relations.ts'
import {compareStrings} from '../text.ts'
import {
  RELATED_KEYS,
  type FeedModel,
  type Page,
  type PageType,
  type Person,
  type RelatedKey,
} from '../types.ts'
import type {Infer} from './declare.ts'
import {extraFields, EXTRAS, type PAGE_EXTRAS} from './page.ts'
import {
  CAUTION_TARGET_TYPES,
  date,
  dateTime,
  documentId,
  DRAFT_2020_12,
  httpUrl,
  nonEmpty,
  reviewStatus,
  SCHEMA_BASE,
  strings,
} from './defs.ts'
import {createWriter, declaredWriter, type Writer} from './write.ts'

const ID = `${SCHEMA_BASE}/app-bundle.v2.schema.json` as const

/** The groups (array members) pages' entries go to, in file order (one per page type). */
export const APP_GROUPS = RELATED_KEYS
export const appGroupOf = (type: PageType): RelatedKey => RELATED_KEY_OF[type]

/** Extra page fields go to the app too, except HTML (the bundle is plain text). */
const APP_EXTRAS = Object.fromEntries(
  EXTRAS.filter((e) => e.role !== 'html').map((e) => [e.key, e.node]),
) as typeof PAGE_EXTRAS

const entries = {type: 'array', items: {$ref: '#/$defs/entry'}} as const
const ids = {$ref: '#/$defs/ids'} as const

export const appBundleSchema = {
  $schema: DRAFT_2020_12,
  $id: ID,
  title: 'App bundle, version 2',
  description:
    'Everything the app shows, in one compact file: plain text only (no HTML), ids, slugs and relations as id lists; who a page is not for (cautions) apart from its relations. Version 2 added cautions and the review status.',
  type: 'object',
  additionalProperties: false,
  required: ['$schema', 'generatedAt', 'baseUrl', 'language', ...APP_GROUPS, 'people'],
  properties: {
    $schema: {const: ID},
    generatedAt: dateTime,
    baseUrl: httpUrl,
    language: {type: 'string', minLength: 2},
    articles: entries,
    benefits: entries,
    treatments: entries,
    concerns: entries,
    skinTypes: entries,
    serums: entries,
    people: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: {
          id: {$ref: '#/$defs/id'},
          name: nonEmpty,
          credentials: {type: 'string'},
          url: httpUrl,
        },
      },
    },
  },
  $defs: {
    id: documentId,
    ids: {type: 'array', items: {$ref: '#/$defs/id'}, uniqueItems: true},
    entry: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'slug', 'path', 'title', 'datePublished', 'dateModified', 'related'],
      properties: {
        id: {$ref: '#/$defs/id'},
        slug: nonEmpty,
        path: {type: 'string', pattern: '^/'},
        title: nonEmpty,
        summary: {type: 'string'},
        text: {type: 'string'},
        datePublished: dateTime,
        dateModified: dateTime,
        position: {type: 'integer', minimum: 1},
        bodyAreas: strings,
        synonyms: strings,
        details: {type: 'object', additionalProperties: {anyOf: [{type: 'string'}, strings]}},
        cautions: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'id', 'type'],
            properties: {
              kind: {enum: ['caution', 'contraindicated']},
              id: {$ref: '#/$defs/id'},
              type: {enum: CAUTION_TARGET_TYPES},
              title: nonEmpty,
              advice: {type: 'string'},
            },
          },
        },
        ...APP_EXTRAS,
        review: {
          type: 'object',
          additionalProperties: false,
          properties: {lastReviewed: date, reviewedBy: {$ref: '#/$defs/id'}, status: reviewStatus},
        },
        related: {
          type: 'object',
          additionalProperties: false,
          required: [...APP_GROUPS],
          properties: {
            articles: ids,
            benefits: ids,
            treatments: ids,
            concerns: ids,
            skinTypes: ids,
            serums: ids,
          },
        },
      },
    },
  },
} as const

export type AppBundle = Infer<typeof appBundleSchema>
type AppEntry = AppBundle['articles'][number]

/** One page's entry. */
export function appEntryData(page: Page): AppEntry {
  const related = {} as AppEntry['related']
  for (const key of RELATED_KEYS) related[key] = page.related[key].map((l) => l.id)
  const review = page.review && {
    lastReviewed: page.review.lastReviewed,
    reviewedBy: page.review.reviewedBy?.id,
    status: page.review.status,
  }
  const entry: AppEntry = {
    id: page.id,
    slug: page.slug,
    path: page.path,
    title: page.title,
    summary: page.summary || undefined,
    text: page.text || undefined,
    datePublished: page.datePublished,
    dateModified: page.dateModified,
    position: page.position || undefined,
    bodyAreas: page.bodyAreas,
    synonyms: page.synonyms,
    details: page.details,
    cautions: page.cautions?.map((c) => ({
      kind: c.kind,
      id: c.about.id,
      type: c.about.type,
      // A contraindication has no entry of its own in the bundle: its title travels here.
      title: c.about.type === 'contraindication' ? c.about.title : undefined,
      advice: c.advice,
    })),
  } as AppEntry
  for (const [key, value] of extraFields(page, {html: false}))
    (entry as Record<string, unknown>)[key] = value
  entry.review = review
  entry.related = related
  return entry
}

const writeEntry = declaredWriter(appBundleSchema.$defs.entry, appBundleSchema)

/** One page's entry exactly as it appears inside bundle.json (compact, HTML-safe unless `w` is raw). */
export const appEntryText = (page: Page, w: Writer): string =>
  writeEntry(appEntryData(page), w).join('')

/** Reviewers of these pages, once each (the first page's copy; every copy comes from the same document). */
export function bundlePeople(pages: Iterable<Page>): Person[] {
  const people = new Map<string, Person>()
  for (const page of pages) {
    const by = page.review?.reviewedBy
    if (by && !people.has(by.id)) people.set(by.id, by)
  }
  return [...people.values()]
}

const appPeople = (people: readonly Person[]): AppBundle['people'] =>
  [...people]
    .sort((a, b) => compareStrings(a.id, b.id))
    .map((p) => ({
      id: p.id,
      name: p.name,
      credentials: p.credentials || undefined,
      url: p.url || undefined,
    }))

/**
 * bundle.json around its entries: JSON.stringify of the whole bundle is `{` + members joined by
 * `,` + `}`, and the HTML-safe escapes only touch characters inside strings, so the file is these
 * parts with each group's entries (joined by `,`) in between.
 */
export const appBundleParts = (
  model: Pick<FeedModel, 'site' | 'generatedAt'>,
  people: readonly Person[],
) => {
  const head = safeJson({
    $schema: ID,
    generatedAt: model.generatedAt,
    baseUrl: model.site.baseUrl,
    language: model.site.language,
  })
  return {
    /** Up to and including `"articles":[`. */
    open: `${head.slice(0, -1)},"${APP_GROUPS[0]}":[`,
    /** Between groups i and i+1: `],"benefits":[` … */
    between: APP_GROUPS.slice(1).map((g) => `],"${g}":[`),
    /** After the last group. */
    close: `],"people":${safeJson(appPeople(people))}}\n`,
  }
}

/** Where each page's entry sits in a bundle: ids and byte lengths per group, in file order. */
export interface AppBundleLayout {
  content: string
  open: string
  groups: Array<{keys: string[]; lengths: number[]}>
}

/** The whole bundle in memory, with its layout (the full export streams it instead: full.ts). */
export function renderAppBundleWithLayout(model: FeedModel): AppBundleLayout {
  const entries: string[][] = APP_GROUPS.map(() => [])
  const groups = APP_GROUPS.map(() => ({keys: [] as string[], lengths: [] as number[]}))
  const w = createWriter()
  for (const page of model.pages) {
    const g = APP_GROUPS.indexOf(RELATED_KEY_OF[page.type])
    const text = appEntryText(page, w)
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
