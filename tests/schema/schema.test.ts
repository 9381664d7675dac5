/** The content model as Sanity's own CLI sees it: valid schema, and generated types that match it. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {schemaTypes, DOCUMENT_TYPES} from '../../schemas/index.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import {runSanity} from '../helpers/run.ts'

// Strip ANSI colour codes the CLI prints even when piped.
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')

describe('schema', () => {
  it('passes `sanity schema validate` with 0 errors and 0 warnings', () => {
    const r = runSanity(['schema', 'validate'])
    const out = plain(r.stdout + r.stderr)
    expect(out, out).toMatch(/Errors:\s+0 errors/)
    expect(out).toMatch(/Warnings:\s+0 warnings/)
    expect(r.status).toBe(0)
  }, 180_000)

  it('defines one type per file, the file named as the type', () => {
    for (const type of schemaTypes) {
      const folder = DOCUMENT_TYPES.includes(type.name as never) ? 'documents' : 'objects'
      const source = readFileSync(join(ROOT, 'schemas', folder, `${type.name}.ts`), 'utf8')
      expect(source).toContain(`name: '${type.name}'`)
    }
  })

  it('has generated types (sanity.types.ts) for every document type and query', () => {
    const types = readFileSync(join(ROOT, 'sanity.types.ts'), 'utf8')
    for (const name of DOCUMENT_TYPES)
      expect(types).toMatch(
        new RegExp(`export type ${name[0]!.toUpperCase()}${name.slice(1)} = \\{`),
      )
    expect(types).toMatch(/_QUERY_?Result = /i)
  })
})

describe('generated schema', () => {
  it('schema.json is what `sanity schema extract` produces from schemas/ (run `npm run typegen` after a schema change)', () => {
    // sanity 6.9.2 resolves --path against the cwd even when it is absolute: pass it relative to ROOT.
    const relative = join('node_modules', '.cache', 'schema-check', 'schema.json')
    const r = runSanity([
      'schema',
      'extract',
      '--force',
      '--workspace',
      'local',
      '--enforce-required-fields',
      '--path',
      relative,
    ])
    expect(r.status, plain(r.stderr)).toBe(0)
    const fresh = JSON.parse(readFileSync(join(ROOT, relative), 'utf8'))
    const committed = JSON.parse(readFileSync(join(ROOT, 'schema.json'), 'utf8'))
    expect(committed).toEqual(fresh)
  }, 180_000)
})
