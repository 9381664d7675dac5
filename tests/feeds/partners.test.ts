/**
 * Partner profiles: validation (every problem at once, safe folder names), partner documents as
 * profiles (document id and field path in every problem), and each partner's view.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {Partner} from '../../sanity.types.ts'
import type {PartnerProfile} from '../../scripts/feeds/outputs/partnerProfile.ts'
import {
  isSafePartnerName,
  parsePartnerProfile,
  parsePartnerProfiles,
  partnerProfileOf,
  profilesFromDocuments,
} from '../../scripts/feeds/partners.ts'
import {partnerView} from '../../scripts/feeds/partnerView.ts'
import {BASE_URL, fixtureDocs, fixtureModel, PROFILES_DIR, sampleProfileFiles} from './helpers.ts'

const valid: PartnerProfile = {
  name: 'test-partner',
  title: 'Test partner',
  formats: ['rss'],
  types: ['benefit'],
  attribution: 'Credit line.',
}
const parse = (value: unknown, expectedName?: string) =>
  parsePartnerProfile(JSON.stringify(value), 'p.json', expectedName)

describe('partner profile validation', () => {
  it("accepts the example profiles (the partners migration's input)", () => {
    const {profiles, problems} = parsePartnerProfiles(sampleProfileFiles())
    expect(problems).toEqual([])
    expect(profiles.map((p) => p.name)).toEqual(
      readdirSync(PROFILES_DIR)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort(),
    )
    expect(profiles.length).toBeGreaterThanOrEqual(2)
  })

  it.each([
    '../x',
    '..',
    '.',
    'a/b',
    'a\\b',
    '/etc',
    'UPPER',
    '-lead',
    'trail-',
    '',
    'x'.repeat(65),
    'nul\u0000',
  ])('refuses the unsafe partner name %j', (name) => {
    expect(isSafePartnerName(name)).toBe(false)
    const r = parse({...valid, name})
    expect(r.profile).toBeUndefined()
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        level: 'error',
        path: '/name',
        message: expect.stringContaining('not a safe folder name'),
      }),
    )
  })

  it('reports every problem of a profile at once', () => {
    const r = parse({
      name: 'ok',
      formats: ['rss', 'pdf'],
      types: [],
      fields: {exclude: ['password']},
      utm: {source: 'a b'},
      baseUrl: 'javascript:alert(1)',
      extra: 1,
    })
    const paths = r.problems.map((p) => p.path)
    expect(r.profile).toBeUndefined()
    for (const path of [
      '/',
      '/formats/1',
      '/types',
      '/fields/exclude/0',
      '/utm',
      '/utm/source',
      '/baseUrl',
    ])
      expect(paths).toContain(path)
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(
      /title[\s\S]*attribution[\s\S]*"extra"/,
    )
  })

  it('requires the name to equal the file name, and reports problems of all files together', () => {
    expect(parse(valid, 'other').problems).toEqual([
      expect.objectContaining({message: 'name "test-partner" must equal the file name "other"'}),
    ])
    const {profiles, problems} = parsePartnerProfiles([
      {file: 'dir/b.json', text: '{not json'},
      {file: 'dir/a.json', text: JSON.stringify({...valid, name: '../a'})},
      {file: 'dir/test-partner.json', text: JSON.stringify(valid)},
    ])
    expect(profiles.map((p) => p.name)).toEqual(['test-partner'])
    expect(problems.map((p) => p.file)).toEqual(['dir/a.json', 'dir/a.json', 'dir/b.json'])
  })
})

/** A partner document as the Studio stores it. */
const doc = (id: string, fields: Record<string, unknown> = {}): Partner =>
  ({
    _id: id,
    _type: 'partner',
    _rev: 'r1',
    _createdAt: '2026-01-01T00:00:00Z',
    _updatedAt: '2026-01-01T00:00:00Z',
    title: 'A partner',
    name: {_type: 'slug', current: id.replace(/^partner-/, '')},
    formats: ['rss'],
    types: ['benefit'],
    attribution: 'Credit line.',
    ...fields,
  }) as Partner

describe('partner documents as profiles', () => {
  it('take the profile fields, name.current as name, without Sanity keys or the document-only fields', () => {
    const profile = partnerProfileOf(
      doc('partner-a', {
        _key: 'k',
        fields: {_type: 'fields', include: [], exclude: ['body']},
        utm: {_type: 'utm', source: 'a', medium: 'feed'},
        contact: {name: 'Desk', email: 'desk@a.example'},
        notifyUrl: 'https://hooks.a.example/',
        enabled: true,
        maxItems: 10,
      }),
    )
    // An empty list in fields is no list: the Studio leaves `[]` when the last box is unticked.
    expect(profile).toEqual({
      name: 'a',
      title: 'A partner',
      formats: ['rss'],
      types: ['benefit'],
      fields: {exclude: ['body']},
      utm: {source: 'a', medium: 'feed'},
      attribution: 'Credit line.',
      maxItems: 10,
    })
  })

  it('the fixture documents give the example profiles', () => {
    const partners = fixtureDocs().filter((d) => d._type === 'partner') as unknown as Partner[]
    const {$schema: _a, ...clinic} = parsePartnerProfiles(sampleProfileFiles()).profiles[0]!
    const {profiles, problems} = profilesFromDocuments(partners)
    expect(problems).toEqual([])
    expect(profiles[0]).toEqual(clinic)
    expect(profiles.map((p) => p.name)).toEqual(['clinic-network', 'wellness-app'])
  })

  it('skip disabled partners; an absent flag is enabled; sorted by name', () => {
    const {profiles, problems} = profilesFromDocuments([
      doc('partner-zed'),
      doc('partner-off', {enabled: false, formats: []}),
      doc('partner-alpha', {enabled: true}),
    ])
    expect(problems).toEqual([])
    expect(profiles.map((p) => p.name)).toEqual(['alpha', 'zed'])
  })

  it('report every problem of every document at once, by document id and field path', () => {
    const {profiles, problems} = profilesFromDocuments([
      doc('partner-bad', {
        title: undefined,
        name: {_type: 'slug', current: '../x'},
        formats: ['rss', 'pdf'],
        utm: {source: 'a b'},
        fields: {include: ['password']},
        maxItems: 0,
      }),
      doc('partner-one', {name: {_type: 'slug', current: 'same'}}),
      doc('partner-two', {name: {_type: 'slug', current: 'same'}}),
      doc('partner-ok'),
    ])
    expect(profiles.map((p) => p.name)).toEqual(['ok'])
    const where = problems.map((p) => `${p.documentId} ${p.path ?? ''}`)
    for (const at of [
      'partner-bad title',
      'partner-bad name',
      'partner-bad formats[1]',
      'partner-bad utm.source',
      'partner-bad utm.medium',
      'partner-bad fields.include[0]',
      'partner-bad maxItems',
      'partner-one name',
      'partner-two name',
    ])
      expect(where).toContain(at)
    expect(problems.every((p) => p.level === 'error' && p.file === undefined)).toBe(true)
    expect(problems.find((p) => p.documentId === 'partner-one')!.message).toMatch(
      /"same" is used by 2 enabled partners \(partner-one, partner-two\)/,
    )
  })
})

describe('partner view', () => {
  const model = async () => (await fixtureModel()).model

  it('sends only reviewed content when reviewedOnly, and no link titles of unreviewed pages', async () => {
    const m = await model()
    const view = partnerView(m, {...valid, types: ['article', 'benefit'], reviewedOnly: true})
    expect(view.model.pages.map((p) => p.id)).toEqual([
      'article-microneedling-benefits',
      'benefit-improves-skin-texture',
      'benefit-fades-acne-scars',
    ])
    expect(view.model.pages.map((p) => [p.review?.lastReviewed, p.review?.reviewedBy?.id])).toEqual(
      Array(3).fill(['2024-06-01', 'person-ada-lee']),
    )
    expect(JSON.stringify(view.model)).not.toContain('Minimizes Pores')
    // The shared model is not changed.
    expect(m.pages.some((p) => p.title.startsWith('Minimizes Pores'))).toBe(true)
  })

  it('removes excluded fields and appends UTM parameters to links back to the web frontend', async () => {
    const m = await model()
    const view = partnerView(m, {
      ...valid,
      types: ['benefit'],
      fields: {exclude: ['body', 'bodyAreas', 'review']},
      baseUrl: 'https://www.skincare.example/',
      utm: {source: 'clinic', medium: 'feed', campaign: 'spring'},
    })
    const pores = view.model.pages.find((p) => p.id === 'benefit-minimizes-pores')!
    expect(pores.html).toBeUndefined()
    expect(pores.text).toBeUndefined()
    expect(pores.blocks).toBeUndefined()
    expect(pores.bodyAreas).toBeUndefined()
    expect(view.model.pages.every((p) => p.review === undefined)).toBe(true)
    expect(pores.url).toBe(`${BASE_URL}/benefits/minimizes-pores`)
    expect(pores.link).toBe(
      'https://www.skincare.example/benefits/minimizes-pores?utm_source=clinic&utm_medium=feed&utm_campaign=spring',
    )
    expect(pores.related.concerns[0]!.link).toBe(
      'https://www.skincare.example/concerns/acne-scars?utm_source=clinic&utm_medium=feed&utm_campaign=spring',
    )
    expect(view.model.site.home).toBe(
      'https://www.skincare.example/?utm_source=clinic&utm_medium=feed&utm_campaign=spring',
    )
  })

  it('include limits the fields, exclude wins over include', async () => {
    const m = await model()
    const view = partnerView(m, {
      ...valid,
      fields: {include: ['summary', 'related'], exclude: ['related']},
    })
    const texture = view.model.pages.find((p) => p.id === 'benefit-improves-skin-texture')!
    expect(texture.summary).toBe('Collagen repair smooths rough texture over several sessions.')
    expect(texture.text).toBeUndefined()
    expect(texture.review).toBeUndefined()
    expect(Object.values(texture.related).flat()).toEqual([])
  })

  it('the example profiles describe what the report says', () => {
    const read = (name: string) =>
      JSON.parse(readFileSync(join(PROFILES_DIR, `${name}.json`), 'utf8')) as PartnerProfile
    expect(read('clinic-network')).toMatchObject({formats: ['rss', 'atom'], types: ['benefit']})
    expect(read('wellness-app')).toMatchObject({
      formats: ['jsonfeed', 'json'],
      reviewedOnly: true,
      fields: {exclude: ['body', 'bodyAreas']},
    })
  })
})
