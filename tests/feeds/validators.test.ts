/**
 * The precompiled validators (scripts/feeds/schemas/validators.generated.cjs): generated from the
 * schemas as they are now, and reporting exactly what ajv compiling the same schema reports.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {Ajv2020} from 'ajv/dist/2020.js'
import type {FormatsPlugin} from 'ajv-formats'
import {describe, expect, it} from 'vitest'
import {
  ajvOptions,
  SCHEMAS,
  schemasHash,
  usableValidators,
  validateAgainst,
  type SchemaName,
} from '../../scripts/feeds/schemas.ts'
import {VALIDATORS_FILE, validatorsSource} from '../../scripts/feeds/validatorsSource.ts'

const require = createRequire(import.meta.url)

/** One invalid and one odd-but-valid value per schema, and an empty object for all. */
const SAMPLES: Record<SchemaName, unknown[]> = {
  webPage: [
    {$schema: 'x', id: 1, type: 'nope', url: 'javascript:alert(1)', extra: true},
    {title: 'a'.repeat(3), related: {benefits: [{id: 'b', url: 'not a url'}]}},
  ],
  appBundle: [{pages: 'none'}, {$schema: SCHEMAS.appBundle.$id, benefits: [{id: 3}]}],
  partnerContent: [{items: [{url: 'ftp://x', title: ''}]}],
  partnerProfile: [
    {name: '../up', formats: ['rss', 'gopher'], types: []},
    {
      name: 'ok-name',
      formats: ['rss'],
      types: ['benefit'],
      fields: {include: ['text'], exclude: ['nope']},
    },
  ],
  manifest: [{files: [{path: 'a', size: -1, sha256: 'zz'}]}],
  jsonFeed: [
    {version: 'https://jsonfeed.org/version/1.1', title: 't', items: [{id: 'i'}]},
    {
      version: 'https://jsonfeed.org/version/1',
      title: 1,
      items: [{id: 'i', content_text: 'x', url: 'no'}],
    },
  ],
}

describe('precompiled JSON Schema validators', () => {
  it('the generated module is what `npm run validators` writes from the schemas now', () => {
    expect(
      readFileSync(VALIDATORS_FILE, 'utf8') === validatorsSource(),
      'run `npm run validators`',
    ).toBe(true)
  })

  it('report the same problems as ajv compiling the schema, for every schema', () => {
    const addFormats = require('ajv-formats') as FormatsPlugin
    const ajv = new Ajv2020(ajvOptions)
    addFormats(ajv)
    let errors = 0
    for (const [name, values] of Object.entries(SAMPLES) as Array<[SchemaName, unknown[]]>) {
      const compiled = ajv.compile(SCHEMAS[name])
      for (const value of [{}, ...values]) {
        const got = validateAgainst(name, value, 'f.json')
        compiled(value)
        const want = (compiled.errors ?? []).map((e) => [e.instancePath || '/', e.message])
        expect(
          got.map((p) => [p.path, p.message.replace(/(: .*)? \[[^\]]+\]$/, '')]),
          `${name} ${JSON.stringify(value)}`,
        ).toEqual(want.map(([path, message]) => [path, message]))
        errors += got.length
      }
    }
    expect(errors).toBeGreaterThan(20)
  })

  it('are used only when made from these schemas', () => {
    const generated = require(VALIDATORS_FILE.pathname) as {schemasHash: string; webPage: unknown}
    expect(generated.schemasHash).toBe(schemasHash())
    expect(usableValidators(generated, schemasHash()).webPage).toBe(generated.webPage)
    expect(usableValidators({...generated, schemasHash: 'an older schema'}, schemasHash())).toEqual(
      {},
    )
    expect(usableValidators(null, schemasHash())).toEqual({})
  })
})
