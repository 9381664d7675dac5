/**
 * The feeds checked the way partners check them, with independent tools: python3 feedparser for
 * RSS and Atom, jing with the RFC 4287 RELAX NG schema, xmllint, ajv with the schemas shipped in
 * the output, and the jsonld processor (offline document loader) for JSON-LD.
 */
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import type {FormatsPlugin} from 'ajv-formats'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {PartnerProfile} from '../../scripts/feeds/outputs/partnerProfile.ts'
import {
  BASE_URL,
  FIXTURE_DIR,
  fixtureDataset,
  exportTo,
  python,
  readTree,
  sampleProfiles,
  tempDir,
} from './helpers.ts'

const require = createRequire(import.meta.url)
const addFormats = require('ajv-formats') as FormatsPlugin
interface JsonLdProcessor {
  expand(
    doc: unknown,
    opts: {documentLoader: (url: string) => Promise<unknown>},
  ): Promise<Array<Record<string, unknown>>>
}
const jsonld = require('jsonld') as JsonLdProcessor

const BENEFIT_TITLES = [
  'Improves Skin Texture',
  'Minimizes Pores <script>alert("title")</script>',
  'Fades Acne Scars',
  'Evens Skin Tone',
]
const EVERY_FORMAT: PartnerProfile = {
  name: 'every-format',
  title: 'Every format',
  formats: ['rss', 'atom', 'jsonfeed', 'json', 'jsonld'],
  types: ['article', 'benefit', 'treatment', 'concern', 'skinType', 'serum'],
  attribution: 'Test attribution.',
  utm: {source: 'test', medium: 'feed'},
}

let tmp: ReturnType<typeof tempDir>
let out: string
let files: Map<string, Buffer>
const text = (path: string) => {
  const b = files.get(path)
  if (!b) throw new Error(`missing ${path}`)
  return b.toString('utf8')
}
const json = <T = Record<string, unknown>>(path: string) => JSON.parse(text(path)) as T
const paths = (re: RegExp) => [...files.keys()].filter((p) => re.test(p))

beforeAll(async () => {
  tmp = tempDir()
  out = join(tmp.dir, 'dist')
  await exportTo(out, fixtureDataset(tmp.dir), {
    partners: [...sampleProfiles(), EVERY_FORMAT],
  })
  files = readTree(out)
})
afterAll(() => tmp.cleanup())

interface Parsed {
  bozo: number
  bozo_exception: string
  version: string
  feed: {title: string; author: string | null; links: Array<{rel: string; href: string}>}
  entries: Array<{
    title: string
    link: string
    id: string
    tags: string[]
    published: string | null
    author: string | null
  }>
}
const FEEDPARSER = `
import sys, json, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": int(d.bozo), "bozo_exception": str(d.get("bozo_exception", "")), "version": d.version,
  "feed": {"title": d.feed.get("title"), "author": d.feed.get("author"), "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in d.feed.get("links", [])]},
  "entries": [{"title": e.get("title"), "link": e.get("link"), "id": e.get("id"),
               "tags": [t.get("term") for t in e.get("tags", [])], "published": e.get("published"),
               "author": e.get("author")} for e in d.entries],
}))
`

describe('RSS 2.0 and Atom 1.0', () => {
  it('feedparser reads every RSS and Atom file without errors (bozo 0)', () => {
    const xml = paths(/\.xml$/)
    expect(xml).toEqual([
      'feeds/atom.xml',
      'feeds/rss.xml',
      'partners/clinic-network/atom.xml',
      'partners/clinic-network/rss.xml',
      'partners/every-format/atom.xml',
      'partners/every-format/rss.xml',
    ])
    for (const p of xml) {
      const d = python<Parsed>(FEEDPARSER, [join(out, p)])
      expect(d.bozo, `${p}: ${d.bozo_exception}`).toBe(0)
      expect(d.version).toBe(p.endsWith('rss.xml') ? 'rss20' : 'atom10')
      expect(d.feed.links.some((l) => l.rel === 'self' && l.href === `${BASE_URL}/${p}`)).toBe(true)
    }
  })

  it('main feeds carry the article and the benefit titles, newest first, linking to the web frontend', () => {
    for (const p of ['feeds/rss.xml', 'feeds/atom.xml']) {
      const d = python<Parsed>(FEEDPARSER, [join(out, p)])
      expect(d.entries.map((e) => e.title)).toEqual([
        '10 Benefits of Microneedling',
        ...BENEFIT_TITLES,
      ])
      expect(d.entries[3]!.link).toBe(`${BASE_URL}/benefits/fades-acne-scars`)
      expect(d.entries[3]!.id).toBe(`${BASE_URL}/benefits/fades-acne-scars`)
      expect(d.entries[3]!.tags).toEqual(
        p.endsWith('rss.xml')
          ? [
              'Acne scars',
              'Hyperpigmentation',
              'PRP (platelet-rich plasma)',
              'Vitamin C',
              'Microneedling',
            ]
          : ['acne-scars', 'hyperpigmentation', 'prp', 'vitamin-c', 'microneedling'],
      )
      expect(d.entries[0]!.published).toMatch(/2024/)
      // RSS names the creator per item (dc:creator); Atom entries inherit the feed's author.
      expect(p.endsWith('rss.xml') ? d.entries[0]!.author : d.feed.author).toBe('Skincare Guide')
    }
  })

  it('the clinic network gets every benefit, with UTM links back and its attribution', () => {
    const d = python<Parsed>(FEEDPARSER, [join(out, 'partners/clinic-network/rss.xml')])
    expect(d.entries.map((e) => e.title)).toEqual(BENEFIT_TITLES)
    for (const e of d.entries)
      expect(e.link).toMatch(
        /^https:\/\/skincare\.example\/benefits\/[a-z-]+\?utm_source=clinic-network&utm_medium=feed&utm_campaign=benefits$/,
      )
    expect(text('partners/clinic-network/atom.xml')).toContain(
      '<rights type="text">Content by Skincare Guide, shared with the clinic network under licence.</rights>',
    )
  })

  it('Atom files are valid against the RFC 4287 RELAX NG schema (jing)', () => {
    let schema = join(FIXTURE_DIR, 'atom.rnc')
    let r = spawnSync('jing', ['-c', schema, ...paths(/atom\.xml$/).map((p) => join(out, p))], {
      encoding: 'utf8',
    })
    if (r.status !== 0 && /compact|syntax/i.test(r.stderr + r.stdout)) {
      // Older jing builds without compact syntax: convert with trang and validate the XML grammar.
      const rng = join(tmp.dir, 'atom.rng')
      expect(spawnSync('trang', [schema, rng], {encoding: 'utf8'}).status).toBe(0)
      schema = rng
      r = spawnSync('jing', [schema, ...paths(/atom\.xml$/).map((p) => join(out, p))], {
        encoding: 'utf8',
      })
    }
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('the RELAX NG check is real: an Atom category without term fails it', () => {
    const bad = join(tmp.dir, 'bad-atom.xml')
    writeFileSync(bad, text('feeds/atom.xml').replace(/<category term="[^"]*"/, '<category'))
    const r = spawnSync('jing', ['-c', join(FIXTURE_DIR, 'atom.rnc'), bad], {encoding: 'utf8'})
    expect(r.status).not.toBe(0)
    expect(r.stdout).toMatch(/missing required attribute "term"/)
  })

  it('every XML file is well-formed (xmllint --noout)', () => {
    const r = spawnSync('xmllint', ['--noout', ...paths(/\.xml$/).map((p) => join(out, p))], {
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})

describe('JSON outputs', () => {
  const ajv = () => {
    const a = new Ajv2020({allErrors: true, strictRequired: false})
    addFormats(a)
    for (const p of paths(/^schemas\/.*\.json$/)) a.addSchema(json(p))
    return a
  }

  it('every JSON file with a $schema is valid against the schema shipped next to it', () => {
    const a = ajv()
    const checked = paths(/\.json$/).filter((p) => !p.startsWith('schemas/') && json(p).$schema)
    // 15 web pages, the app bundle, 3 partner files (content.json, two feed.json) — the loop checks them all.
    expect(checked).toHaveLength(19)
    for (const p of checked) {
      const validate = a.getSchema(json(p).$schema as string)
      expect(validate?.schema, `${p}: schema ${String(json(p).$schema)} not shipped`).toMatchObject(
        {$id: json(p).$schema},
      )
      expect(validate!(json(p)) ? [] : validate!.errors, p).toEqual([])
    }
  })

  it('JSON Feed files are JSON Feed 1.1: schema-valid, with the required members', () => {
    const a = ajv()
    const validate = a.getSchema('https://skincare.example/schemas/feeds/jsonfeed-1.1.schema.json')!
    const feeds = paths(/feed\.json$/)
    expect(feeds).toEqual([
      'feeds/feed.json',
      'partners/every-format/feed.json',
      'partners/wellness-app/feed.json',
    ])
    const home = (utm: string) => ({name: 'Skincare Guide', url: `${BASE_URL}/${utm}`})
    expect(feeds.map((p) => [json(p).title, json(p).authors])).toEqual([
      ['Skincare Guide', [home('')]],
      ['Skincare Guide for Every format', [home('?utm_source=test&utm_medium=feed')]],
      [
        'Skincare Guide for Wellness app',
        [home('?utm_source=wellness-app&utm_medium=app&utm_campaign=skincare')],
      ],
    ])
    for (const p of feeds) {
      const feed = json<{
        version: string
        title: string
        authors: unknown[]
        language: string
        feed_url: string
        items: Array<Record<string, unknown>>
      }>(p)
      expect(validate(feed) ? [] : validate.errors, p).toEqual([])
      expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
      expect(feed.language).toBe('en')
      expect(feed.feed_url).toBe(`${BASE_URL}/${p}`)
      for (const item of feed.items) {
        expect(typeof item.id).toBe('string')
        expect(item.url).toMatch(/^https:\/\//)
        expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(
          true,
        )
        expect(Number.isNaN(Date.parse(item.date_published as string))).toBe(false)
        expect(Object.keys(item).filter((k) => k === 'author')).toEqual([])
      }
    }
    expect(
      json<{items: Array<{title: string}>}>('feeds/feed.json').items.map((i) => i.title),
    ).toEqual(['10 Benefits of Microneedling', ...BENEFIT_TITLES])
  })

  it('the JSON Feed schema rejects what JSON Feed 1.1 forbids', () => {
    const validate = ajv().getSchema(
      'https://skincare.example/schemas/feeds/jsonfeed-1.1.schema.json',
    )!
    const base = {
      version: 'https://jsonfeed.org/version/1.1',
      title: 't',
      items: [{id: '1', content_text: 'x'}],
    }
    expect(validate(base)).toBe(true)
    expect(validate({...base, version: 'https://jsonfeed.org/version/1'})).toBe(false)
    expect(validate({...base, items: [{id: '1'}]})).toBe(false)
    expect(validate({...base, items: [{content_text: 'x'}]})).toBe(false)
    expect(validate({...base, authors: [{}]})).toBe(false)
    expect(
      validate({...base, items: [{id: '1', content_text: 'x', attachments: [{url: 'a'}]}]}),
    ).toBe(false)
    expect(validate({...base, unknown_member: 1})).toBe(false)
    expect(validate({...base, _extension: {about: 'https://x'}})).toBe(true)
  })

  it('web pages: one per page, with HTML and Portable Text, SEO fallbacks and links both ways', () => {
    expect(paths(/^web\//)).toHaveLength(15)
    const treatment = json<Record<string, any>>('web/treatments/microneedling.json')
    expect(treatment.url).toBe(`${BASE_URL}/treatments/microneedling`)
    expect(treatment.related.articles.map((l: {id: string}) => l.id)).toEqual([
      'article-microneedling-benefits',
    ])
    const scars = json<Record<string, any>>('web/benefits/fades-acne-scars.json')
    expect(scars.html).toBe(
      '<p>Collagen stimulation remodels scar tissue. Read <a href="https://example.org/study?a=1&amp;b=2">the study</a>.</p>',
    )
    expect(scars.body[0]._type).toBe('block')
    expect(scars.seo).toEqual({
      title: 'Fades Acne Scars',
      description: 'Remodels scar tissue and evens out dark marks.',
      noIndex: false,
      canonicalUrl: `${BASE_URL}/benefits/fades-acne-scars`,
    })
    expect(scars.related.concerns.map((l: {slug: string}) => l.slug)).toEqual([
      'acne-scars',
      'hyperpigmentation',
    ])
    expect(
      json<Record<string, any>>('web/concerns/acne-scars.json').related.benefits.map(
        (l: {slug: string}) => l.slug,
      ),
    ).toEqual(['minimizes-pores', 'fades-acne-scars'])
  })

  it('the app bundle is plain text with ids and relations', () => {
    const bundle = json<Record<string, any>>('app/bundle.json')
    expect(text('app/bundle.json').split('\n')).toHaveLength(2)
    expect(bundle.benefits.map((b: {id: string}) => b.id)).toEqual([
      'benefit-improves-skin-texture',
      'benefit-minimizes-pores',
      'benefit-fades-acne-scars',
      'benefit-orphan',
    ])
    expect(
      bundle.concerns.find((c: {id: string}) => c.id === 'concern-hyperpigmentation').related
        .benefits,
    ).toEqual(['benefit-fades-acne-scars', 'benefit-orphan'])
    expect(bundle.people).toEqual([
      {
        id: 'person-ada-lee',
        name: 'Dr. Ada Lee',
        credentials: 'MD, board-certified dermatologist',
        url: 'https://clinic.example/ada-lee',
      },
    ])
    const keys = new Set<string>()
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect)
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          keys.add(k)
          collect(x)
        }
    }
    collect(bundle)
    for (const k of ['html', 'body', 'blocks', 'jsonLd']) expect(keys.has(k)).toBe(false)
    expect(bundle.benefits[2].text).toBe(
      'Collagen stimulation remodels scar tissue. Read the study.',
    )
  })

  it('the wellness app gets reviewed content only, without the excluded fields', () => {
    const content = json<{items: Array<Record<string, unknown>>}>(
      'partners/wellness-app/content.json',
    )
    expect(content.items.map((i) => i.id)).toEqual([
      'article-microneedling-benefits',
      'benefit-improves-skin-texture',
      'benefit-fades-acne-scars',
    ])
    for (const item of content.items) {
      expect(item).not.toHaveProperty('html')
      expect(item).not.toHaveProperty('text')
      expect(item).not.toHaveProperty('bodyAreas')
      expect(item.review).toMatchObject({
        lastReviewed: '2024-06-01',
        reviewedBy: {name: 'Dr. Ada Lee'},
      })
    }
    const all = text('partners/wellness-app/content.json') + text('partners/wellness-app/feed.json')
    // Body sentences of the selected benefits, and anything of the unreviewed ones, never appear.
    for (const absent of [
      'microscopic punctures',
      'Collagen stimulation remodels',
      'Minimizes Pores',
      'Evens Skin Tone',
      'nose',
    ])
      expect(all).not.toContain(absent)
  })
})

describe('JSON-LD', () => {
  const SCHEMA_CONTEXT = {'@context': {'@vocab': 'https://schema.org/'}}
  // No network: schema.org's context is replaced by a local minimal one; anything else fails.
  const documentLoader = async (url: string) => {
    if (/^https?:\/\/schema\.org\/?$/.test(url))
      return {contextUrl: null, documentUrl: url, document: SCHEMA_CONTEXT}
    throw new Error(`unexpected remote document ${url}`)
  }
  const S = (t: string) => `https://schema.org/${t}`
  type Expanded = Record<string, any>
  const expand = async (doc: unknown) => (await jsonld.expand(doc, {documentLoader}))[0] as Expanded

  it('the treatment page is a MedicalWebPage whose about and mainEntity are the MedicalProcedure', async () => {
    const page = json<Record<string, any>>('web/treatments/microneedling.json')
    const node = await expand(page.jsonLd)
    expect(node['@type']).toEqual([S('MedicalWebPage')])
    const main = node[S('mainEntity')][0]
    expect(main['@type']).toEqual([S('MedicalProcedure')])
    expect(main[S('name')][0]['@value']).toBe('Microneedling')
    expect(main[S('procedureType')][0]['@value']).toBe(S('PercutaneousProcedure'))
    expect(main[S('followup')][0]['@value']).toMatch(/sunscreen/)
    expect(node[S('about')][0]['@type']).toEqual([S('MedicalProcedure')])
  })

  it('reviewed pages carry lastReviewed and reviewedBy; the article is about the procedure', async () => {
    const node = await expand(
      json<Record<string, any>>('web/articles/microneedling-benefits.json').jsonLd,
    )
    expect(node[S('lastReviewed')][0]['@value']).toBe('2024-06-01')
    expect(node[S('reviewedBy')][0]['@type']).toEqual([S('Person')])
    expect(node[S('reviewedBy')][0][S('name')][0]['@value']).toBe('Dr. Ada Lee')
    expect(node[S('about')][0]['@type']).toEqual([S('MedicalProcedure')])
    expect(node[S('mainEntity')][0]['@type']).toEqual([S('MedicalProcedure')])
    const benefit = await expand(
      json<Record<string, any>>('web/benefits/fades-acne-scars.json').jsonLd,
    )
    expect(benefit[S('about')].map((n: Expanded) => n['@type'][0])).toEqual([
      S('MedicalProcedure'),
      S('MedicalCondition'),
      S('MedicalCondition'),
    ])
    const mentions = benefit[S('mentions')].map(
      (n: Expanded) => `${n['@type'][0]} ${n[S('name')][0]['@value']}`,
    )
    expect(mentions).toEqual([
      `${S('MedicalProcedure')} PRP (platelet-rich plasma)`,
      `${S('Substance')} Vitamin C`,
    ])
    const unreviewed = await expand(
      json<Record<string, any>>('web/benefits/evens-skin-tone.json').jsonLd,
    )
    expect(unreviewed[S('lastReviewed')]).toBeUndefined()
  })

  it('the embeddable script block holds the same data and cannot end its <script> early', async () => {
    for (const p of paths(/^web\//)) {
      const page = json<{jsonLd: unknown; jsonLdScript: string}>(p)
      const m = /^<script type="application\/ld\+json">(.*)<\/script>$/s.exec(page.jsonLdScript)
      expect(m, p).not.toBeNull()
      expect(m![1]).not.toContain('<')
      expect(JSON.parse(m![1]!)).toEqual(page.jsonLd)
    }
    expect(
      json<{jsonLdScript: string}>('web/benefits/minimizes-pores.json').jsonLdScript,
    ).toContain('\\u003cscript\\u003e')
  })

  it('the partner JSON-LD graph expands, one MedicalWebPage per page', async () => {
    const graph = await jsonld.expand(json('partners/every-format/jsonld.json'), {documentLoader})
    expect(graph).toHaveLength(15)
    expect(graph.every((n) => (n['@type'] as string[])[0] === S('MedicalWebPage'))).toBe(true)
  })
})
