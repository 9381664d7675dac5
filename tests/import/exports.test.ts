/** The importer's public surface stays as intended (npm start and other stages import it). */
import {expect, it} from 'vitest'
import * as api from '../../scripts/import/index.ts'

it('exports the public API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'TAXONOMY_TYPES',
    'compose',
    'effectiveTaxonomy',
    'formatReport',
    'importChecked',
    'importSource',
    'importSources',
    'loadTaxonomy',
    'parseTaxonomy',
    'prepareSource',
    'readSources',
    'sourceFiles',
    'taxonomyId',
  ])
})

it('lists the sample sources', async () => {
  expect((await api.sourceFiles()).map((f) => f.split('/').pop())).toContain(
    'microneedling-benefits.txt',
  )
})
