/** `manifest.json`: every other file of one export with its byte size and sha256, sorted by path. */
import {safeJson} from '../json.ts'
import type {Infer} from './declare.ts'
import {dateTime, DRAFT_2020_12, SCHEMA_BASE} from './defs.ts'

const ID = `${SCHEMA_BASE}/manifest.v1.schema.json` as const

export const manifestSchema = {
  $schema: DRAFT_2020_12,
  $id: ID,
  title: 'Export manifest, version 1',
  description:
    'Every file of one export (except this manifest) with its size and sha256, sorted by path.',
  type: 'object',
  additionalProperties: false,
  required: ['$schema', 'generatedAt', 'files'],
  properties: {
    $schema: {const: ID},
    generatedAt: dateTime,
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'size', 'sha256'],
        properties: {
          path: {type: 'string', pattern: '^(?!/)(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9._%/-]+$'},
          size: {type: 'integer', minimum: 0},
          sha256: {type: 'string', pattern: '^[0-9a-f]{64}$'},
        },
      },
    },
  },
} as const

export type Manifest = Infer<typeof manifestSchema>
export type ManifestEntry = Manifest['files'][number]

/**
 * The manifest's text around its entries, and one entry's text: exactly what jsonFile of the
 * manifest writes (2-space JSON), assembled from parts so an incremental export can reuse the
 * entries of unchanged files.
 */
export const manifestParts = (generatedAt: string) => {
  const head = `{\n  "$schema": ${safeJson(ID)},\n  "generatedAt": ${safeJson(generatedAt)},\n  "files": `
  return {open: `${head}[\n`, separator: ',\n', close: '\n  ]\n}\n', empty: `${head}[]\n}\n`}
}

export const manifestEntryText = (e: ManifestEntry): string =>
  `    {\n      "path": ${safeJson(e.path)},\n      "size": ${e.size},\n      "sha256": ${safeJson(e.sha256)}\n    }`
