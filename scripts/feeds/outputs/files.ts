/**
 * Which declaration describes each JSON file of an export, by where it sits: the schema it is
 * validated with (schemas.ts) and the declaration whose roles the safety check reads.
 */
import type {SchemaName} from '../schemas.ts'
import {appBundleSchema} from './appBundle.ts'
import type {SchemaNode} from './declare.ts'
import {jsonFeedSchema} from './jsonFeed.ts'
import {jsonLdGraphSchema} from './jsonLd.ts'
import {manifestSchema} from './manifest.ts'
import {partnerContentSchema} from './partnerContent.ts'
import {webPageSchema} from './webPage.ts'

export const MANIFEST_PATH = 'manifest.json'
export const APP_BUNDLE_PATH = 'app/bundle.json'

/** A shipped JSON Schema: its `$schema` and `$id` are the URLs in it. */
const schemaDocument = {
  type: 'object',
  properties: {$schema: {type: 'string', format: 'uri'}, $id: {type: 'string', format: 'uri'}},
} as const

interface JsonFileKind {
  /** The published schema the file is validated against, if any. */
  schema?: SchemaName
  /** The declaration of its values' roles. */
  roles: SchemaNode
}

/** The kind of a JSON file of an export (undefined: not one the exporter writes). */
export function jsonFileKind(path: string): JsonFileKind | undefined {
  if (path.startsWith('web/')) return {schema: 'webPage', roles: webPageSchema}
  if (path === APP_BUNDLE_PATH) return {schema: 'appBundle', roles: appBundleSchema}
  if (path === MANIFEST_PATH) return {schema: 'manifest', roles: manifestSchema}
  if (path.endsWith('/feed.json')) return {schema: 'jsonFeed', roles: jsonFeedSchema}
  if (path.endsWith('/content.json')) return {schema: 'partnerContent', roles: partnerContentSchema}
  if (path.endsWith('/jsonld.json')) return {roles: jsonLdGraphSchema}
  if (path.startsWith('schemas/')) return {roles: schemaDocument}
  return undefined
}
