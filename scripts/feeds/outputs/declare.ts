/**
 * How an output is declared: as the JSON Schema it publishes (draft 2020-12, written as a TS
 * literal `as const`), whose TypeScript type is TypeBox's `Static` of that literal. What the
 * schema cannot say travels beside it under symbol keys, which JSON.stringify never writes, so
 * the published file is the declaration itself:
 *
 * - ROLE: what a string is to a consumer (`url`, `html`, `script`, `id`, `text`). The safety
 *   checker (check.ts) reads roles; a string with `format: 'uri'` is a URL without saying so.
 * - SHARED: values of this node are the same objects on many pages (a link, a site's publisher);
 *   the writer (write.ts) serializes each object once per export.
 * - PARTNER_FIELD: the group a partner profile includes or excludes the field by (page.ts).
 * - JSON_LD: the schema.org property a page field is published as in JSON-LD (page.ts extras).
 * - DESCRIBED_BY: a node published loosely (JSON-LD: schema.org is the vocabulary) whose values
 *   the checker and the writer read through a full declaration of their own.
 */
import type {Static, TSchema} from 'typebox'

export const ROLE = Symbol('role')
export const SHARED = Symbol('shared')
export const PARTNER_FIELD = Symbol('partnerField')
export const DESCRIBED_BY = Symbol('describedBy')
export const JSON_LD = Symbol('jsonLd')

/** A string's meaning to whoever reads the output: what must be checked before it ships. */
export type Role = 'url' | 'html' | 'script' | 'id' | 'text'

/** A JSON Schema node as the toolkit reads it (the declarations are narrower `as const` literals). */
export interface SchemaNode {
  readonly [keyword: string]: unknown
  readonly $ref?: string
  readonly type?: string | readonly string[]
  readonly format?: string
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly additionalProperties?: boolean | SchemaNode
  readonly items?: SchemaNode
  readonly anyOf?: readonly SchemaNode[]
  readonly $defs?: Readonly<Record<string, SchemaNode>>
  readonly [ROLE]?: Role
  readonly [SHARED]?: true
  readonly [PARTNER_FIELD]?: string
  readonly [DESCRIBED_BY]?: SchemaNode
  readonly [JSON_LD]?: string
}

/** The value type a declaration describes. */
export type Infer<S extends TSchema> = Static<S>

/** `node` with a role: `role('html', {type: 'string'})`. */
export const role = <R extends Role, const S extends object>(
  r: R,
  node: S,
): S & {readonly [ROLE]: R} => ({...node, [ROLE]: r})

/** `node`, whose values are objects shared across pages (serialized once each per export). */
export const shared = <const S extends object>(node: S): S & {readonly [SHARED]: true} => ({
  ...node,
  [SHARED]: true,
})

/** The node a `$ref` of `root` points at (only local `#/$defs/<name>` references are used). */
export function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  if (node[DESCRIBED_BY]) return node[DESCRIBED_BY]
  if (node.$ref === undefined) return node
  const name = /^#\/\$defs\/([^/]+)$/.exec(node.$ref)?.[1]
  const target = name === undefined ? undefined : root.$defs?.[name]
  if (!target) throw new Error(`unresolvable $ref ${node.$ref}`)
  // A role given beside the reference wins over the target's.
  return node[ROLE] ? {...resolve(target, root), [ROLE]: node[ROLE]} : resolve(target, root)
}

const URL_FORMATS = new Set(['uri', 'iri'])

/** A node's role: declared, or `url` for URI formats, or undefined (plain data). */
export function roleOf(node: SchemaNode): Role | undefined {
  return (
    node[ROLE] ?? (node.format !== undefined && URL_FORMATS.has(node.format) ? 'url' : undefined)
  )
}
