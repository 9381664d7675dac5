/**
 * The JSON Feed 1.1 we write (feeds/feed.json, partners' feed.json), declared for its roles: the
 * published schema is JSON Feed's own (schemas/jsonfeed-1.1.schema.json), this one says which of
 * its members are URLs and HTML, and types the renderer's data (render/jsonFeed.ts).
 */
import {role, type Infer} from './declare.ts'

const uri = {type: 'string', format: 'uri'} as const
const html = role('html', {type: 'string'} as const)
const author = {
  type: 'object',
  required: ['name'],
  properties: {name: {type: 'string'}, url: uri},
} as const

export const jsonFeedSchema = {
  type: 'object',
  required: ['version', 'title', 'items'],
  properties: {
    version: uri,
    title: {type: 'string'},
    home_page_url: uri,
    feed_url: uri,
    description: {type: 'string'},
    language: {type: 'string'},
    authors: {type: 'array', items: author},
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'id',
          'url',
          'title',
          'content_html',
          'content_text',
          'date_published',
          'date_modified',
          'authors',
          'language',
          '_skincare',
        ],
        properties: {
          id: uri,
          url: uri,
          title: {type: 'string'},
          content_html: html,
          content_text: {type: 'string'},
          summary: {type: 'string'},
          date_published: {type: 'string'},
          date_modified: {type: 'string'},
          authors: {type: 'array', items: author},
          tags: {type: 'array', items: {type: 'string'}},
          language: {type: 'string'},
          _skincare: {
            type: 'object',
            required: ['about', 'type', 'attribution'],
            properties: {
              about: uri,
              type: {type: 'string'},
              attribution: {type: 'string'},
              last_reviewed: {type: 'string'},
              reviewed_by: author,
            },
          },
        },
      },
    },
  },
} as const

export type JsonFeed = Infer<typeof jsonFeedSchema>
