/** Taxonomy files are content: every mistake in them is reported at once, with file and path. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseTaxonomy} from '../../scripts/import/taxonomy.ts'
import {loadTaxonomy} from '../../scripts/import/taxonomyFiles.ts'
import {InputError} from '../../scripts/lib/errors.ts'
import {stableKey} from '../../scripts/lib/hash.ts'

const file = (name: string, value: unknown) => ({
  file: `tax/${name}`,
  name,
  text: typeof value === 'string' ? value : JSON.stringify(value),
})

describe('parseTaxonomy', () => {
  it('builds documents with deterministic ids and slugs', () => {
    const docs = parseTaxonomy([
      file('serums.json', [
        {
          slug: 'prp',
          title: 'PRP',
          kind: 'procedure',
          timing: ['during'],
          synonyms: ['platelet-rich plasma'],
        },
      ]),
    ])
    expect(docs).toEqual([
      {
        _id: 'serum-prp',
        _type: 'serum',
        title: 'PRP',
        slug: {_type: 'slug', current: 'prp'},
        kind: 'procedure',
        timing: ['during'],
        synonyms: ['platelet-rich plasma'],
      },
    ])
  })

  it('reports every problem in every file', () => {
    let error: unknown
    try {
      parseTaxonomy([
        file('concerns.json', [
          {slug: 'Bad.Slug', title: 'X'},
          {slug: 'pores', title: 'Pores', synonyms: ['pores', 'Pores']},
          {slug: 'pores', title: 'Again', colour: 'red'},
          {slug: 'large', title: 'Large', synonyms: ['pores']},
        ]),
        file('serums.json', [{slug: 'retinol', title: 'Retinol', timing: ['later']}]),
        file('people.json', []),
        file('skinTypes.json', '[{"slug": "x",'),
      ])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    const lines = (error as InputError).problems.map(
      (p) => `${p.file} ${p.path ?? ''} ${p.message}`,
    )
    expect(lines).toEqual([
      expect.stringMatching(/concerns\.json \[0\]\.slug slug must be/),
      expect.stringMatching(/concerns\.json \[1\]\.synonyms synonyms lists "pores" twice/),
      expect.stringMatching(/concerns\.json \[2\]\.slug slug "pores" is also used/),
      expect.stringMatching(/concerns\.json \[2\]\.colour unknown field "colour"/),
      expect.stringMatching(/concerns\.json \[3\]\.synonyms "pores" already names "pores"/),
      expect.stringMatching(/serums\.json \[0\]\.timing timing every entry must be one of/),
      expect.stringMatching(/serums\.json \[0\]\.kind kind is required/),
      expect.stringMatching(/people\.json\s+unknown taxonomy file/),
      expect.stringMatching(/skinTypes\.json\s+invalid JSON/),
    ])
  })

  it('turns curated treatment cautions into caution objects, and checks their targets', () => {
    const contraindications = file('contraindications.json', [
      {slug: 'active-acne', title: 'Active acne', description: 'Inflamed breakouts.'},
    ])
    const [, treatment] = parseTaxonomy([
      contraindications,
      file('treatments.json', [
        {
          slug: 'peel',
          title: 'Peel',
          cautions: [
            {kind: 'contraindicated', target: 'contraindication:active-acne', advice: 'Wait.'},
          ],
        },
      ]),
    ])
    expect(treatment!.cautions).toEqual([
      {
        _key: stableKey('contraindicated:contraindication-active-acne'),
        _type: 'caution',
        kind: 'contraindicated',
        target: {_type: 'reference', _ref: 'contraindication-active-acne'},
        advice: 'Wait.',
      },
    ])
    const problems = (cautions: unknown[]) => {
      try {
        parseTaxonomy([
          contraindications,
          file('treatments.json', [{slug: 'p', title: 'P', cautions}]),
        ])
      } catch (e) {
        return (e as InputError).problems.map((p) => `${p.path} ${p.message}`)
      }
      return []
    }
    expect(problems([{kind: 'caution', target: 'contraindication:keloids'}])).toEqual([
      expect.stringMatching(
        /^\[0\]\.cautions\[0\]\.target "contraindication:keloids" names no entry/,
      ),
    ])
    expect(problems([{kind: 'maybe', target: 'skinType:dry'}])).toEqual([
      expect.stringMatching(/cautions every entry needs a kind/),
    ])
    expect(problems([{kind: 'caution', target: 'treatment:peel'}])).toEqual([
      expect.stringMatching(/needs a target "<type>:<slug>"/),
    ])
    expect(
      problems([
        {kind: 'caution', target: 'contraindication:active-acne'},
        {kind: 'caution', target: 'contraindication:active-acne', advice: 'Again.'},
      ]),
    ).toEqual([expect.stringMatching(/lists "caution contraindication:active-acne" twice/)])
  })

  it('loads a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taxonomy-'))
    try {
      writeFileSync(
        join(dir, 'concerns.json'),
        JSON.stringify([{slug: 'dullness', title: 'Dullness'}]),
      )
      writeFileSync(join(dir, 'README.txt'), 'ignored')
      expect((await loadTaxonomy(dir)).map((d) => d._id)).toEqual(['concern-dullness'])
      await expect(loadTaxonomy(join(dir, 'missing'))).rejects.toBeInstanceOf(InputError)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
