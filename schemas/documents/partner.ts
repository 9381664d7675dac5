/** A syndication partner: what it receives in dist/partners/<name>/, and who to tell (never exported). */
import {defineArrayMember, defineField, defineType} from 'sanity'
import {
  PARTNER_FIELDS,
  PARTNER_FORMATS,
  partnerProfileSchema,
} from '../../scripts/feeds/outputs/partnerProfile.ts'
import {FORMATS} from '../../scripts/feeds/formats.ts'
import {PAGE_TYPES} from '../../scripts/feeds/pageTypes.ts'
import {slugify} from '../rules/slug.ts'

// Every list and limit comes from the partner profile's JSON Schema, which the exporter validates.
const profile = partnerProfileSchema.properties
const NAME = new RegExp(profile.name.pattern)
const BASE_URL = new RegExp(profile.baseUrl.pattern)
const UTM_VALUE = new RegExp(partnerProfileSchema.$defs.utmValue.pattern)

/**
 * An array of strings, each one of `values`: checkboxes in the Studio. Sanity checks every item
 * against the list itself (`valid()`), so its rules carry no message of their own (`.error(m)`
 * would name that check too).
 */
const choices = (values: readonly string[], titles: Partial<Record<string, string>> = {}) => ({
  of: [defineArrayMember({type: 'string'})],
  options: {list: values.map((value) => ({value, title: titles[value] ?? value}))},
})

/** Each format as editors know it ("RSS 2.0", "JSON Feed 1.1"). */
const FORMAT_TITLES = Object.fromEntries(
  PARTNER_FORMATS.map((format) => [format, FORMATS[format].title]),
)

const utmValue = (name: string, title: string, required: boolean) =>
  defineField({
    name,
    title,
    type: 'string',
    validation: (rule) => [
      ...(required ? [rule.required().error(`${title} is required when UTM is set`)] : []),
      rule.regex(UTM_VALUE).error('Letters, digits and . _ ~ - only, at most 100'),
    ],
  })

const fieldList = (name: string, title: string, description: string) =>
  defineField({
    name,
    title,
    type: 'array',
    description,
    ...choices(PARTNER_FIELDS),
    validation: (rule) => rule.unique(),
  })

export const partner = defineType({
  name: 'partner',
  title: 'Partner',
  type: 'document',
  fields: [
    defineField({
      name: 'title',
      title: 'Title',
      type: 'string',
      description: 'Shown as the title of the partner’s feeds.',
      validation: (rule) => [
        rule.required().error('Title is required'),
        rule.max(profile.title.maxLength),
      ],
    }),
    defineField({
      name: 'name',
      title: 'Name',
      type: 'slug',
      description: 'The partner’s folder: dist/partners/<name>/. Generate it from the title.',
      options: {source: 'title', slugify},
      validation: (rule) => [
        rule.required().error('Name is required: it is the partner’s folder'),
        rule.custom((slug?: {current?: string}) =>
          slug?.current === undefined || NAME.test(slug.current)
            ? true
            : 'Lowercase letters, digits and inner hyphens only, at most 64 characters',
        ),
      ],
    }),
    defineField({
      name: 'enabled',
      title: 'Enabled',
      type: 'boolean',
      description: 'Off: the partner gets no files (its folder is removed on the next publish).',
      initialValue: true,
    }),
    defineField({
      name: 'formats',
      title: 'Formats',
      type: 'array',
      ...choices(PARTNER_FORMATS, FORMAT_TITLES),
      validation: (rule) => rule.required().min(profile.formats.minItems).unique(),
    }),
    defineField({
      name: 'types',
      title: 'Content types',
      type: 'array',
      ...choices(PAGE_TYPES),
      validation: (rule) => rule.required().min(profile.types.minItems).unique(),
    }),
    defineField({
      name: 'fields',
      title: 'Fields',
      type: 'object',
      description: 'Id, type, slug, URL, link, title and dates always go out.',
      fields: [
        fieldList('include', 'Include only', 'Send only these optional fields (empty: all).'),
        fieldList('exclude', 'Exclude', 'Never send these (wins over "Include only").'),
      ],
    }),
    defineField({
      name: 'baseUrl',
      title: 'Web frontend URL',
      type: 'url',
      description: 'Where the partner’s links point (default: the export’s base URL).',
      validation: (rule) => [
        rule.uri({scheme: ['http', 'https']}),
        rule.custom((url?: string) =>
          url === undefined || BASE_URL.test(url)
            ? true
            : 'An http(s) URL without spaces, query or fragment',
        ),
      ],
    }),
    defineField({
      name: 'utm',
      title: 'UTM parameters',
      type: 'object',
      description: 'Added to every link back to the web frontend.',
      fields: [
        utmValue('source', 'Source', true),
        utmValue('medium', 'Medium', true),
        utmValue('campaign', 'Campaign', false),
        utmValue('content', 'Content', false),
      ],
    }),
    defineField({
      name: 'attribution',
      title: 'Attribution',
      type: 'text',
      rows: 2,
      description: 'The credit line partners show with each item.',
      validation: (rule) => [
        rule.required().error('Attribution is required'),
        rule.max(profile.attribution.maxLength),
      ],
    }),
    defineField({
      name: 'reviewedOnly',
      title: 'Reviewed content only',
      type: 'boolean',
      description: profile.reviewedOnly.description,
      initialValue: false,
    }),
    defineField({
      name: 'maxItems',
      title: 'Items per file',
      type: 'number',
      description: profile.maxItems.description,
      validation: (rule) =>
        rule.integer().min(profile.maxItems.minimum).max(profile.maxItems.maximum),
    }),
    defineField({
      name: 'contact',
      title: 'Contact',
      type: 'object',
      fields: [
        defineField({name: 'name', title: 'Name', type: 'string'}),
        defineField({
          name: 'email',
          title: 'Email',
          type: 'string',
          validation: (rule) => rule.email(),
        }),
      ],
    }),
    defineField({
      name: 'notifyUrl',
      title: 'Notify URL',
      type: 'url',
      description: 'Receives a signed webhook when any of the partner’s files changes.',
      validation: (rule) => rule.uri({scheme: ['http', 'https']}),
    }),
  ],
  preview: {
    select: {title: 'title', name: 'name.current', enabled: 'enabled'},
    prepare: ({title, name, enabled}: {title?: string; name?: string; enabled?: boolean}) => ({
      title: title ?? 'Untitled partner',
      subtitle: [name, enabled === false ? 'disabled' : ''].filter(Boolean).join(' · '),
    }),
  },
})
