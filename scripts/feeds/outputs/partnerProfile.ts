/**
 * A partner profile: what one partner receives in `dist/partners/<name>/`. An input: the exporter
 * makes one from each enabled `partner` document (partners.ts) and checks it against this schema,
 * which is published too; the partner document type (schemas/documents/partner.ts) takes its
 * lists and limits from here. The fields a profile includes or excludes are the page's partner
 * field groups (page.ts).
 */
import {PAGE_TYPES} from '../pageTypes.ts'
import type {Format} from '../formats.ts'
import type {FeedModel} from '../types.ts'
import {PARTNER_FIELD, role, type Infer, type SchemaNode} from './declare.ts'
import {DRAFT_2020_12, partnerName, SCHEMA_BASE} from './defs.ts'
import {EXTRA_KEYS, PAGE_EXTRAS, pageSchema} from './page.ts'

export const PARTNER_FORMATS = [
  'rss',
  'atom',
  'jsonfeed',
  'json',
  'jsonld',
] as const satisfies readonly Format[]
export type PartnerFormat = (typeof PARTNER_FORMATS)[number]

type PageProps = (typeof pageSchema)['properties']
type Extras = typeof PAGE_EXTRAS
/** A group of page fields a profile can include or exclude (`summary`, `body`, `related`, …). */
export type PartnerField =
  | {
      [K in keyof PageProps]: PageProps[K] extends {readonly [PARTNER_FIELD]: infer G} ? G : never
    }[keyof PageProps]
  | {
      [K in keyof Extras]: Extras[K] extends {readonly [PARTNER_FIELD]: string} ? never : K
    }[keyof Extras]

/** A page field's group: declared, or an extra field's own name (built-in fields without one always go out). */
const groupOf = (key: string, node: SchemaNode): PartnerField | undefined =>
  (node[PARTNER_FIELD] ?? ((EXTRA_KEYS as string[]).includes(key) ? key : undefined)) as
    PartnerField | undefined

const grouped = Object.entries(pageSchema.properties as Record<string, SchemaNode>).flatMap(
  ([key, node]) => {
    const group = groupOf(key, node)
    return group === undefined ? [] : [[key, group] as const]
  },
)

/** The groups, in the order the page declares them; identity, title, links and dates always go out. */
export const PARTNER_FIELDS = [
  ...new Set(grouped.map(([, group]) => group)),
] as unknown as readonly [PartnerField, ...PartnerField[]]

/** Which partner field group each page field belongs to. */
export const PARTNER_FIELD_OF = Object.fromEntries(grouped) as Partial<
  Record<keyof PageProps, PartnerField>
>

const ID = `${SCHEMA_BASE}/partner-profile.v1.schema.json` as const

export const partnerProfileSchema = {
  $schema: DRAFT_2020_12,
  $id: ID,
  title: 'Partner profile, version 1',
  description:
    "What one partner receives in dist/partners/<name>/: a partner document's profile fields, with its name.current as name.",
  type: 'object',
  additionalProperties: false,
  required: ['name', 'title', 'formats', 'types', 'attribution'],
  properties: {
    $schema: {type: 'string'},
    name: {
      description: 'Folder name under dist/partners/: lowercase letters, digits and inner hyphens.',
      ...partnerName,
    },
    title: {type: 'string', minLength: 1, maxLength: 120},
    formats: {type: 'array', minItems: 1, uniqueItems: true, items: {enum: PARTNER_FORMATS}},
    types: {type: 'array', minItems: 1, uniqueItems: true, items: {enum: PAGE_TYPES}},
    fields: {
      description:
        'Optional fields to send: `include` limits them (default: all), `exclude` removes some. id, type, slug, url, link, title and dates always go out.',
      type: 'object',
      additionalProperties: false,
      properties: {include: {$ref: '#/$defs/fieldList'}, exclude: {$ref: '#/$defs/fieldList'}},
    },
    baseUrl: role('url', {
      description:
        "Web frontend URL the partner's links point to (default: the export's base URL).",
      type: 'string',
      pattern: '^https?://[^\\s?#]+$',
    } as const),
    utm: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'medium'],
      properties: {
        source: {$ref: '#/$defs/utmValue'},
        medium: {$ref: '#/$defs/utmValue'},
        campaign: {$ref: '#/$defs/utmValue'},
        content: {$ref: '#/$defs/utmValue'},
      },
    },
    attribution: {type: 'string', minLength: 1, maxLength: 300},
    reviewedOnly: {
      description: 'Send only content with a medical review date and reviewer.',
      type: 'boolean',
    },
    maxItems: {
      description: "Items per file, newest first (default: the export's feed item limit, 50).",
      type: 'integer',
      minimum: 1,
      maximum: 100000,
    },
  },
  $defs: {
    fieldList: {type: 'array', uniqueItems: true, items: {enum: PARTNER_FIELDS}},
    utmValue: {type: 'string', pattern: '^[A-Za-z0-9._~-]{1,100}$'},
  },
} as const

export type PartnerProfile = Infer<typeof partnerProfileSchema>

/** One partner's view of the model (partnerView.ts): its profile, the field groups it receives, its pages. */
export interface PartnerView {
  profile: PartnerProfile
  fields: Set<PartnerField>
  model: FeedModel
}
