/** The pure core: query results → feed model (relations both ways, dates from data, drafts out). */
import {describe, expect, it} from 'vitest'
import {isoDateTime} from '../../scripts/feeds/model.ts'
import {blocksToHtml, sanitizeBlocks} from '../../scripts/feeds/portableText.ts'
import type {FeedModel, Page} from '../../scripts/feeds/types.ts'
import {BASE_URL, fixtureDocs, fixtureModel, type FixtureDoc} from './helpers.ts'

const model = (docs?: FixtureDoc[], now?: string) => fixtureModel(docs, now)
const page = (m: FeedModel, id: string): Page => {
  const p = m.pages.find((x) => x.id === id)
  if (!p) throw new Error(`no page ${id}`)
  return p
}
const ids = (links: Array<{id: string}>) => links.map((l) => l.id)

describe('buildFeedModel', () => {
  it('makes one page per published document with a slug, never a draft or version', async () => {
    const {model: m, problems} = await model()
    expect(problems.filter((p) => p.level === 'error')).toEqual([])
    expect(m.pages.map((p) => p.id).filter((id) => id.includes('.'))).toEqual([])
    expect(JSON.stringify(m)).not.toMatch(/DRAFT-ONLY|draft-only|INTERNAL-REVIEWER-NOTE/)
    expect(m.pages.map((p) => `${p.type}:${p.slug}`)).toEqual([
      'article:microneedling-benefits',
      'benefit:improves-skin-texture',
      'benefit:minimizes-pores',
      'benefit:fades-acne-scars',
      'benefit:evens-skin-tone',
      'treatment:microneedling',
      'concern:acne-scars',
      'concern:fine-lines',
      'concern:hyperpigmentation',
      'skinType:active-acne',
      'skinType:fitzpatrick-iv-vi',
      'skinType:sensitive',
      'serum:hyaluronic-acid',
      'serum:prp',
      'serum:vitamin-c',
    ])
  })

  it('links pages both ways and keeps the article order of benefits', async () => {
    const {model: m} = await model()
    const article = page(m, 'article-microneedling-benefits')
    // benefit-draft-only exists only as a draft: the published article's reference to it is dropped.
    expect(ids(article.related.benefits)).toEqual([
      'benefit-improves-skin-texture',
      'benefit-minimizes-pores',
      'benefit-fades-acne-scars',
    ])
    expect(ids(article.related.treatments)).toEqual(['treatment-microneedling'])
    const scars = page(m, 'benefit-fades-acne-scars')
    expect(ids(scars.related.articles)).toEqual(['article-microneedling-benefits'])
    expect(ids(scars.related.treatments)).toEqual(['treatment-microneedling'])
    expect(ids(scars.related.concerns)).toEqual(['concern-acne-scars', 'concern-hyperpigmentation'])
    expect(ids(scars.related.serums)).toEqual(['serum-prp', 'serum-vitamin-c'])
    // Reverse: concern → benefits that link it (in article order, then the rest by slug).
    expect(ids(page(m, 'concern-hyperpigmentation').related.benefits)).toEqual([
      'benefit-fades-acne-scars',
      'benefit-orphan',
    ])
    expect(ids(page(m, 'concern-acne-scars').related.treatments)).toEqual([
      'treatment-microneedling',
    ])
    expect(ids(page(m, 'serum-prp').related.benefits)).toEqual(['benefit-fades-acne-scars'])
    expect(ids(page(m, 'treatment-microneedling').related.articles)).toEqual([
      'article-microneedling-benefits',
    ])
    expect(page(m, 'serum-prp').related.benefits[0]!.url).toBe(
      `${BASE_URL}/benefits/fades-acne-scars`,
    )
    expect(scars.related.serums[0]!.kind).toBe('procedure')
  })

  it('dates pages from the data: article publishedAt for its benefits, _createdAt otherwise', async () => {
    const {model: m} = await model()
    expect(page(m, 'article-microneedling-benefits').datePublished).toBe('2024-05-01T09:00:00.000Z')
    expect(page(m, 'benefit-fades-acne-scars').datePublished).toBe('2024-05-01T09:00:00.000Z')
    expect(page(m, 'benefit-orphan').datePublished).toBe('2024-03-01T00:00:00.000Z')
    expect(page(m, 'benefit-orphan').dateModified).toBe('2024-03-05T00:00:00.000Z')
    expect(m.generatedAt).toBe('2024-06-02T12:00:00.000Z')
    expect((await model(undefined, '2030-01-01T00:00:00.000Z')).model.generatedAt).toBe(
      '2030-01-01T00:00:00.000Z',
    )
  })

  it('keeps review facts (never the internal notes) and positions', async () => {
    const {model: m} = await model()
    const texture = page(m, 'benefit-improves-skin-texture')
    expect(texture.review).toEqual({
      lastReviewed: '2024-06-01',
      reviewedBy: {
        id: 'person-ada-lee',
        name: 'Dr. Ada Lee',
        slug: 'ada-lee',
        credentials: 'MD, board-certified dermatologist',
        url: 'https://clinic.example/ada-lee',
      },
      status: 'current',
    })
    expect(texture.position).toBe(1)
    expect(page(m, 'benefit-fades-acne-scars').position).toBe(3)
    expect(page(m, 'benefit-orphan').position).toBeUndefined()
  })

  it('falls back to the title and summary for SEO fields', async () => {
    const {model: m} = await model()
    expect(page(m, 'benefit-fades-acne-scars').seo).toEqual({
      title: 'Fades Acne Scars',
      description: 'Remodels scar tissue and evens out dark marks.',
      noIndex: false,
    })
    expect(page(m, 'benefit-minimizes-pores').seo.title).toBe('Minimize pores')
    expect(page(m, 'article-microneedling-benefits').seo.description).toBe(
      'Ten ways microneedling helps, reviewed by a dermatologist.',
    )
    expect(page(m, 'benefit-orphan').seo.description).toBe('Not in any article yet.')
  })

  it('drops unsafe links (keeping their words), resolves relative ones, strips XML-illegal characters', async () => {
    const {model: m, problems} = await model()
    const pores = page(m, 'benefit-minimizes-pores')
    expect(pores.blocks!.flatMap((b) => b.markDefs.map((d) => d.href))).toEqual([
      'mailto:editors@skincare.example',
    ])
    expect(pores.text).toContain('Click me or me or mail us')
    expect(pores.summary).not.toContain('\u0001')
    expect(pores.text).not.toMatch(/\uFFFE/)
    expect(page(m, 'article-microneedling-benefits').html).toContain(
      `<a href="${BASE_URL}/treatments/microneedling">the guide</a>`,
    )
    expect(
      problems.filter((p) => p.level === 'warning').map((p) => `${p.documentId} ${p.path}`),
    ).toEqual([
      'article-microneedling-benefits intro[_key=="i1"].markDefs[_key=="lk2"].href',
      'benefit-minimizes-pores body[_key=="p1"].markDefs[_key=="bad1"].href',
      'benefit-minimizes-pores body[_key=="p1"].markDefs[_key=="bad2"].href',
    ])
  })

  it('reports a slug used twice as an error naming both documents', async () => {
    const docs = fixtureDocs()
    docs.push({...docs.find((d) => d._id === 'benefit-orphan')!, _id: 'benefit-orphan-2'})
    const {problems} = await model(docs)
    expect(problems.filter((p) => p.level === 'error')).toEqual([
      expect.objectContaining({
        documentId: 'benefit-orphan-2',
        path: 'slug.current',
        message: expect.stringContaining('benefit-orphan'),
      }),
    ])
  })

  it('is deterministic: same input, same model, whatever the input order', async () => {
    const a = await model()
    const b = await model(fixtureDocs().reverse())
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })
})

describe('Portable Text rendering', () => {
  it('escapes text and emits only http/https/mailto hrefs', () => {
    const problems: never[] = []
    const blocks = sanitizeBlocks(
      [
        {
          _type: 'block',
          _key: 'a',
          children: [
            {_type: 'span', _key: 's1', text: '<b onmouseover="x()">hi</b>', marks: ['l1']},
            {_type: 'span', _key: 's2', text: ' ok', marks: ['l2', 'em', 'evil']},
          ],
          markDefs: [
            {_type: 'link', _key: 'l1', href: 'vbscript:msgbox(1)'},
            {_type: 'link', _key: 'l2', href: 'https://example.org/?q="><script>'},
          ],
        },
      ],
      {baseUrl: BASE_URL, documentId: 'd', field: 'body'},
      problems,
    )
    expect(blocksToHtml(blocks)).toBe(
      '<p>&lt;b onmouseover=&quot;x()&quot;&gt;hi&lt;/b&gt;<a href="https://example.org/?q=%22%3E%3Cscript%3E"><em> ok</em></a></p>',
    )
  })
})

describe('isoDateTime', () => {
  it('normalizes like toISOString, roll-overs included, and warns on what does not parse', () => {
    const at = {documentId: 'benefit-x', path: '_updatedAt'}
    const values = [
      '2024-06-01T10:20:30.123Z', // already canonical: returned as is
      '2024-02-28T23:59:59.999Z',
      '2024-02-29T00:00:00.000Z', // a real leap day, normalized the long way
      '2023-02-29T00:00:00.000Z', // rolls over to March 1st
      '2024-04-31T12:00:00.000Z',
      '2024-06-01T24:00:00.000Z',
      '2024-06-01', // a date: midnight UTC
      '2024-06-01T10:20:30+02:00',
      '0999-01-01T00:00:00.000Z',
    ]
    for (const v of values)
      expect(isoDateTime(v, at, []), v).toBe(new Date(Date.parse(v)).toISOString())
    const problems: Array<{message: string}> = []
    expect(isoDateTime('2024-13-01T00:00:00.000Z', at, problems as never)).toBeUndefined()
    expect(isoDateTime('soon', at, problems as never)).toBeUndefined()
    expect(problems.map((p) => p.message)).toEqual([
      '"2024-13-01T00:00:00.000Z" is not a date; ignored',
      '"soon" is not a date; ignored',
    ])
  })
})
