/**
 * Who a benefit or treatment is not for reaches every output apart from its benefits: web pages,
 * the app bundle, partner content and JSON-LD list the cautions, and a skin type the benefit is
 * contraindicated for is never shown as one it suits, even when the document links it both ways.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ExportSummary} from '../../scripts/feeds/export.ts'
import {importSources} from '../../scripts/import/importer.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {exportTo, fixtureDataset, fixtureText, tempDir} from './helpers.ts'

const NOW = '2024-07-01T00:00:00Z'
const BENEFIT = 'benefit-fades-acne-scars'

const contraindication = {
  _id: 'contraindication-isotretinoin',
  _type: 'contraindication',
  title: 'Isotretinoin in the last 6 months',
  slug: {_type: 'slug', current: 'isotretinoin'},
  description: 'Skin heals slowly while on it and for months after.',
}

/** The fixture with cautions: the benefit suits and is contraindicated for Fitzpatrick IV–VI. */
function withCautions(): string {
  const lines = fixtureText()
    .trim()
    .split('\n')
    .map((line) => {
      const doc = JSON.parse(line) as Record<string, unknown>
      if (doc._id === BENEFIT)
        return JSON.stringify({
          ...doc,
          skinTypes: [
            {_key: 'p1', _type: 'link', target: {_type: 'reference', _ref: 'skinType-sensitive'}},
            {
              _key: 'p2',
              _type: 'link',
              target: {_type: 'reference', _ref: 'skinType-fitzpatrick-iv-vi'},
            },
          ],
          cautions: [
            {
              _key: 'c1',
              _type: 'caution',
              kind: 'contraindicated',
              target: {_type: 'reference', _ref: 'skinType-fitzpatrick-iv-vi'},
              source: 'Deeper treatments are not suitable for darker skin tones.',
            },
            {
              _key: 'c2',
              _type: 'caution',
              kind: 'caution',
              target: {_type: 'reference', _ref: 'serum-vitamin-c'},
              advice: 'Pause vitamin C for 3 days after treatment.',
            },
          ],
        })
      if (doc._id === 'treatment-microneedling')
        return JSON.stringify({
          ...doc,
          cautions: [
            {
              _key: 't1',
              _type: 'caution',
              kind: 'contraindicated',
              target: {_type: 'reference', _ref: contraindication._id},
              advice: 'Wait six months after the last dose.',
            },
          ],
        })
      return line
    })
  return `${[...lines, JSON.stringify(contraindication)].join('\n')}\n`
}

let tmp: ReturnType<typeof tempDir>
let out: string
let summary: ExportSummary
const read = (path: string) => JSON.parse(readFileSync(join(out, path), 'utf8')) as any

beforeAll(async () => {
  tmp = tempDir('cautions-')
  out = join(tmp.dir, 'dist')
  summary = await exportTo(out, fixtureDataset(tmp.dir, withCautions()), {
    now: NOW,
    partners: [
      {
        name: 'clinic',
        title: 'Clinic',
        formats: ['json', 'jsonld'],
        types: ['benefit', 'treatment'],
        fields: {exclude: ['related', 'body']},
        attribution: 'From the skincare guide.',
      },
    ],
  })
})
afterAll(() => tmp.cleanup())

describe('cautions', () => {
  it('a benefit page lists them apart, and a contraindicated skin type is not among those it suits', () => {
    const page = read('web/benefits/fades-acne-scars.json')
    expect(page.$schema).toBe('https://skincare.example/schemas/feeds/web-page.v2.schema.json')
    expect(page.cautions).toEqual([
      {
        kind: 'contraindicated',
        about: {
          id: 'skinType-fitzpatrick-iv-vi',
          type: 'skinType',
          title: expect.any(String),
          url: expect.stringMatching(/^https:\/\/skincare\.example\/skin-types\//),
        },
      },
      {
        kind: 'caution',
        about: {
          id: 'serum-vitamin-c',
          type: 'serum',
          title: 'Vitamin C',
          url: 'https://skincare.example/adjuncts/vitamin-c',
        },
        advice: 'Pause vitamin C for 3 days after treatment.',
      },
    ])
    expect(page.related.skinTypes.map((l: {id: string}) => l.id)).toEqual(['skinType-sensitive'])
    expect(summary.warnings).toContainEqual(
      expect.objectContaining({
        documentId: BENEFIT,
        path: 'skinTypes',
        message:
          'skinType-fitzpatrick-iv-vi is linked as suited and as contraindicated: shown as contraindicated only',
      }),
    )
  })

  it('the skin-type page does not list the benefit as good for it', () => {
    const skin = read('web/skin-types/fitzpatrick-iv-vi.json')
    expect(skin.related.benefits.map((l: {id: string}) => l.id)).not.toContain(BENEFIT)
    expect(skin.cautions).toBeUndefined()
    const sensitive = read('web/skin-types/sensitive.json')
    expect(sensitive.related.benefits.map((l: {id: string}) => l.id)).toContain(BENEFIT)
  })

  it("the app bundle entry carries them as ids, with a contraindication's title", () => {
    const bundle = read('app/bundle.json')
    expect(bundle.$schema).toBe('https://skincare.example/schemas/feeds/app-bundle.v2.schema.json')
    const benefit = bundle.benefits.find((e: {id: string}) => e.id === BENEFIT)
    expect(benefit.cautions).toEqual([
      {kind: 'contraindicated', id: 'skinType-fitzpatrick-iv-vi', type: 'skinType'},
      {
        kind: 'caution',
        id: 'serum-vitamin-c',
        type: 'serum',
        advice: 'Pause vitamin C for 3 days after treatment.',
      },
    ])
    expect(benefit.related.skinTypes).toEqual(['skinType-sensitive'])
    const treatment = bundle.treatments.find(
      (e: {id: string}) => e.id === 'treatment-microneedling',
    )
    expect(treatment.cautions).toEqual([
      {
        kind: 'contraindicated',
        id: 'contraindication-isotretinoin',
        type: 'contraindication',
        title: 'Isotretinoin in the last 6 months',
        advice: 'Wait six months after the last dose.',
      },
    ])
  })

  it('partner content always carries them, whatever field groups the profile excludes', () => {
    const content = read('partners/clinic/content.json')
    expect(content.$schema).toBe(
      'https://skincare.example/schemas/feeds/partner-content.v2.schema.json',
    )
    const item = content.items.find((i: {id: string}) => i.id === BENEFIT)
    expect(item.related).toBeUndefined()
    expect(
      item.cautions.map((c: {kind: string; about: {id: string}}) => [c.kind, c.about.id]),
    ).toEqual([
      ['contraindicated', 'skinType-fitzpatrick-iv-vi'],
      ['caution', 'serum-vitamin-c'],
    ])
  })

  it('JSON-LD gives the treatment schema.org contraindications', () => {
    const page = read('web/treatments/microneedling.json')
    expect(page.jsonLd.mainEntity.contraindication).toEqual([
      {
        '@type': 'MedicalContraindication',
        name: 'Isotretinoin in the last 6 months',
        description: 'Wait six months after the last dose.',
      },
    ])
    expect(page.cautions[0].about).toEqual({
      id: 'contraindication-isotretinoin',
      type: 'contraindication',
      title: 'Isotretinoin in the last 6 months',
      description: 'Skin heals slowly while on it and for months after.',
    })
    const graph = read('partners/clinic/jsonld.json')['@graph']
    const node = graph.find((n: {url: string}) => n.url.endsWith('/treatments/microneedling'))
    expect(node.mainEntity.contraindication).toHaveLength(1)
  })
})

/** A text no fixture has: who laser resurfacing is not for, in an editor's own words. */
const LASER_ARTICLE = `# Laser Resurfacing, Explained

Fractional laser resurfacing removes thin columns of skin so that new collagen fills them in.

## 1. Smooths Fine Lines

Laser resurfacing softens fine lines and wrinkles around the eyes and mouth.

## 2. Who Should Wait

Ablative laser treatment is not recommended for darker skin tones or for anyone with active acne.

## 3. Fades Sun Spots

It also fades sun spots and evens out lighter skin tones.
`

describe('from a text the importer has never seen to every output', () => {
  let dir: ReturnType<typeof tempDir>
  let dist: string
  const readOut = (path: string) => JSON.parse(readFileSync(join(dist, path), 'utf8')) as any
  beforeAll(async () => {
    dir = tempDir('cautions-e2e-')
    const source = join(dir.dir, 'laser.md')
    writeFileSync(source, LASER_ARTICLE)
    const dataset = join(dir.dir, 'dataset.sqlite')
    const ds = Dataset.open(dataset)
    await importSources(ds, [source])
    ds.close()
    dist = join(dir.dir, 'dist')
    await exportTo(dist, dataset, {
      now: NOW,
      partners: [
        {
          name: 'clinic',
          title: 'Clinic',
          formats: ['json', 'jsonld'],
          types: ['benefit', 'treatment'],
          attribution: 'From the skincare guide.',
        },
      ],
    })
  })
  afterAll(() => dir.cleanup())

  const WAIT = 'benefit-laser-resurfacing-who-should-wait'
  const DARKER = 'skinType-fitzpatrick-iv-vi'

  it('the benefit shows darker skin tones as contraindicated, never as suited', () => {
    const page = readOut('web/benefits/laser-resurfacing-who-should-wait.json')
    expect(page.id).toBe(WAIT)
    const notFor = page.cautions.filter((c: {kind: string}) => c.kind === 'contraindicated')
    expect(notFor.map((c: {about: {id: string}}) => c.about.id)).toContain(DARKER)
    expect(page.related.skinTypes.map((l: {id: string}) => l.id)).not.toContain(DARKER)
    // JSON-LD: the procedure as this page presents it, contraindicated for darker skin tones.
    expect(page.jsonLd.mainEntity).toMatchObject({
      '@type': 'MedicalProcedure',
      '@id': `${page.url}#procedure`,
      name: 'Laser resurfacing',
      url: 'https://skincare.example/treatments/laser-resurfacing',
    })
    expect(page.jsonLd.mainEntity.contraindication).toContainEqual({
      '@type': 'MedicalContraindication',
      name: notFor.find((c: {about: {id: string}}) => c.about.id === DARKER).about.title,
    })
    expect((page.jsonLd.mentions ?? []).map((m: {name: string}) => m.name)).not.toContain(
      notFor[0].about.title,
    )
    const bundle = readOut('app/bundle.json')
    const entry = bundle.benefits.find((e: {id: string}) => e.id === WAIT)
    expect(entry.cautions).toContainEqual({kind: 'contraindicated', id: DARKER, type: 'skinType'})
    expect(entry.related.skinTypes).not.toContain(DARKER)
    const item = readOut('partners/clinic/content.json').items.find(
      (i: {id: string}) => i.id === WAIT,
    )
    expect(item.cautions.map((c: {about: {id: string}}) => c.about.id)).toContain(DARKER)
  })

  it('no skin-type page lists a benefit of this article as good for darker skin tones', () => {
    const darker = readOut('web/skin-types/fitzpatrick-iv-vi.json')
    expect(
      darker.related.benefits.filter((l: {id: string}) => l.id.startsWith('benefit-laser')),
    ).toEqual([])
  })

  it('the treatment carries its curated contraindications into JSON-LD', () => {
    const page = readOut('web/treatments/laser-resurfacing.json')
    const names = page.jsonLd.mainEntity.contraindication.map((c: {name: string}) => c.name)
    expect(names.length).toBeGreaterThan(2)
    expect(names).toEqual(
      page.cautions
        .filter((c: {kind: string}) => c.kind === 'contraindicated')
        .map((c: {about: {title: string}}) => c.about.title),
    )
  })
})
