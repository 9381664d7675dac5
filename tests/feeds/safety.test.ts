/**
 * Hostile input (`<script>`, `onerror=`, `javascript:` in titles, bodies and link hrefs) never
 * yields executable markup in any output file, drafts never appear, and the final checker stops
 * an export when a renderer would let markup through.
 */
import {join} from 'node:path'
import {parseFragment} from 'parse5'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {syndicationFiles, webFile} from '../../scripts/feeds/build.ts'
import {unsafeMarkupProblems} from '../../scripts/feeds/safety.ts'
import {parseXml, walk} from '../../scripts/feeds/xmlTree.ts'
import {
  exportTo,
  fixtureDataset,
  fixtureDocs,
  fixtureModel,
  readTree,
  sampleProfiles,
  tempDir,
} from './helpers.ts'

let tmp: ReturnType<typeof tempDir>
let files: Map<string, string>

beforeAll(async () => {
  tmp = tempDir()
  const out = join(tmp.dir, 'dist')
  const everything = {
    name: 'everything',
    title: 'All',
    formats: ['rss', 'atom', 'jsonfeed', 'json', 'jsonld'] as const,
    types: ['article', 'benefit', 'treatment', 'concern', 'skinType', 'serum'] as const,
    attribution: 'x',
  }
  await exportTo(out, fixtureDataset(tmp.dir), {
    partners: [
      ...sampleProfiles(),
      {...everything, formats: [...everything.formats], types: [...everything.types]},
    ],
  })
  files = new Map([...readTree(out)].map(([p, b]) => [p, b.toString('utf8')]))
})
afterAll(() => tmp.cleanup())

interface HtmlNode {
  nodeName: string
  attrs?: Array<{name: string; value: string}>
  childNodes?: HtmlNode[]
}
/** Elements and attributes of an HTML string as a browser parses it (parse5). */
function htmlElements(html: string): HtmlNode[] {
  const out: HtmlNode[] = []
  const visit = (n: HtmlNode) => {
    if (!n.nodeName.startsWith('#')) out.push(n)
    n.childNodes?.forEach(visit)
  }
  visit(parseFragment(html) as unknown as HtmlNode)
  return out
}
const SCRIPT_URL = /^(javascript|vbscript|data):/i
// eslint-disable-next-line no-control-regex -- what browsers drop inside URLs
const compact = (s: string) => s.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')

/** What a browser would run in this HTML, if anything. */
function executable(html: string, allowLdJson = false): string[] {
  const found: string[] = []
  for (const el of htmlElements(html)) {
    const type = el.attrs?.find((a) => a.name === 'type')?.value
    if (el.nodeName === 'script' && !(allowLdJson && type === 'application/ld+json'))
      found.push(`<script>`)
    for (const a of el.attrs ?? []) {
      if (/^on/i.test(a.name)) found.push(`${a.name}=`)
      if (SCRIPT_URL.test(compact(a.value))) found.push(`${a.name}=${a.value}`)
    }
  }
  return found
}

describe('hostile input', () => {
  it('the fixture really is hostile', () => {
    const raw = JSON.stringify(fixtureDocs())
    for (const s of ['<script>', 'onerror=', 'javascript:', 'JaVa\\tScRiPt:'])
      expect(raw).toContain(s)
  })

  it('no file contains a literal <script (JSON escapes "<", XML escapes it)', () => {
    for (const [path, content] of files)
      expect(content.toLowerCase().includes('<script'), path).toBe(false)
  })

  it('no HTML carried by any JSON file can run script', () => {
    let htmlMembers = 0
    for (const [path, content] of files) {
      if (!path.endsWith('.json')) continue
      const visit = (v: unknown, key: string): void => {
        if (typeof v === 'string') {
          if (key === 'html' || key === 'content_html') {
            htmlMembers++
            expect(executable(v), `${path} ${key}`).toEqual([])
          } else if (key === 'jsonLdScript') {
            expect(executable(v, true), path).toEqual([])
            expect(htmlElements(v).map((e) => e.nodeName)).toEqual(['script'])
          } else if (/^(url|href|link|.*_url|homePageUrl|canonicalUrl)$/.test(key)) {
            expect(compact(v), `${path} ${key}`).not.toMatch(SCRIPT_URL)
          }
        } else if (Array.isArray(v)) v.forEach((x) => visit(x, key))
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k)
      }
      visit(JSON.parse(content), '')
    }
    expect(htmlMembers).toBeGreaterThan(20)
  })

  it('no XML element, attribute, or HTML inside feed elements can run script', () => {
    let htmlTexts = 0
    for (const [path, content] of files) {
      if (!path.endsWith('.xml')) continue
      for (const el of walk(parseXml(content))) {
        expect(el.name.toLowerCase().endsWith('script'), path).toBe(false)
        for (const [name, value] of Object.entries(el.attrs)) {
          expect(name.toLowerCase().startsWith('on'), `${path} ${name}`).toBe(false)
          expect(compact(value), `${path} ${name}`).not.toMatch(SCRIPT_URL)
        }
        // Readers render RSS descriptions and Atom type="html" as HTML: parse them again.
        if (el.name === 'description' || el.attrs.type === 'html') {
          htmlTexts++
          expect(executable(el.text), `${path} <${el.name}>`).toEqual([])
        }
        if (['link', 'guid', 'id', 'uri'].includes(el.name))
          expect(compact(el.text)).not.toMatch(SCRIPT_URL)
      }
    }
    expect(htmlTexts).toBeGreaterThan(10)
  })

  it('hostile text survives as text, escaped, and unsafe links keep only their words', () => {
    const pores = JSON.parse(files.get('web/benefits/minimizes-pores.json')!) as {
      title: string
      html: string
    }
    expect(pores.title).toBe('Minimizes Pores <script>alert("title")</script>')
    expect(pores.html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(pores.html).toContain(
      'Click me or me or <a href="mailto:editors@skincare.example">mail us</a>',
    )
    expect(pores.html).not.toMatch(/<a href="(?!mailto:|https?:)/)
  })

  it('drafts, release versions, internal reviewer notes and partner contacts never appear in any file', () => {
    for (const [path, content] of files) {
      for (const s of [
        'DRAFT-ONLY',
        'draft-only',
        'drafts.',
        'versions.',
        'INTERNAL-REVIEWER-NOTE',
        'INTERNAL-PARTNER',
      ])
        expect(content.includes(s), `${path}: ${s}`).toBe(false)
    }
  })
})

describe('the final checker', () => {
  const trips = (path: string, content: string) =>
    unsafeMarkupProblems([{path, content}]).map((p) => `${p.path ?? ''} ${p.message}`)

  it('passes what our renderers emit', () => {
    expect(unsafeMarkupProblems([...files].map(([path, content]) => ({path, content})))).toEqual([])
  })

  it.each([
    ['web/benefits/x.json', '{"title": "<script>alert(1)</script>"}', /literal "<"/],
    [
      'web/benefits/x.json',
      '{"html": "\\u003cimg src=x onerror=alert(1)\\u003e"}',
      /event handler/,
    ],
    [
      'feeds/feed.json',
      '{"items": [{"content_html": "\\u003ca href=\\"java\\tscript:alert(1)\\"\\u003ex\\u003c/a\\u003e"}]}',
      /not an http, https or mailto URL/,
    ],
    [
      'web/benefits/x.json',
      '{"html": "\\u003cp style=\\"x\\"\\u003ehi\\u003c/p\\u003e"}',
      /markup outside the allowlist/,
    ],
    [
      'web/benefits/x.json',
      '{"html": "\\u003ca href=\\"\u0026#106;avascript:alert(1)\\"\\u003ex\\u003c/a\\u003e"}',
      /not an http, https or mailto URL/,
    ],
    [
      'web/benefits/x.json',
      '{"html": "\\u003csvg\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}',
      /markup outside the allowlist/,
    ],
    [
      'web/benefits/x.json',
      '{"html": "\\u003c/p\\u003e\\u003cSCRIPT\\u003ealert(1)"}',
      /<script> is not allowed/,
    ],
    ['web/benefits/x.json', '{"url": "javascript:alert(1)"}', /not an http, https or mailto URL/],
    [
      'web/benefits/x.json',
      '{"related": {"concerns": [{"url": "javascript:alert(1)"}]}}',
      /related\/concerns\/0\/url/,
    ],
    [
      'web/benefits/x.json',
      '{"jsonLd": {"relatedLink": ["data:text/html,x"]}}',
      /"data:text\/html,x" is not an http/,
    ],
    [
      'partners/p/content.json',
      '{"items": [{"link": "vbscript:x"}]}',
      /not an http, https or mailto URL/,
    ],
    [
      'partners/p/jsonld.json',
      '{"@graph": [{"about": {"url": "javascript:x"}}]}',
      /@graph\/0\/about\/url/,
    ],
    ['x.json', '{"title": "fine"}', /no output declares this JSON file/],
    [
      'web/benefits/x.json',
      '{"jsonLdScript": "\\u003cscript type=\\"application/ld+json\\"\\u003e{}\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}',
      /JSON-LD script block/,
    ],
    [
      'f/rss.xml',
      '<rss><channel><description>&lt;script&gt;alert(1)&lt;/script&gt;</description></channel></rss>',
      /<script> is not allowed/,
    ],
    [
      'f/rss.xml',
      '<rss><channel><link>javascript:alert(1)</link></channel></rss>',
      /not an http\(s\) URL/,
    ],
    [
      'f/atom.xml',
      '<feed><content type="html">&lt;a href="javascript:x()" onclick="y()"&gt;a&lt;/a&gt;</content></feed>',
      /event handler|not an http, https or mailto/,
    ],
    [
      'f/atom.xml',
      '<feed><link href="javascript:alert(1)" onload="x()"/></feed>',
      /event handler attribute onload=/,
    ],
    ['f/atom.xml', '<feed><script>alert(1)</script></feed>', /script element in XML/],
    ['f/atom.xml', '<feed><unclosed></feed>', /not well-formed XML/],
    ['schemas/README.md', 'see <script>', /script-like/],
  ])('trips on %s %s', (path, content, message) => {
    expect(trips(path, content).join('\n')).toMatch(message)
  })

  it('stops the export when a renderer would let markup through', async () => {
    const {model} = await fixtureModel()
    // Simulate a renderer bug: HTML that bypassed sanitizing.
    model.pages[1]!.html = '<p><img src=x onerror=alert(1)></p>'
    const problems = [
      ...model.pages.flatMap((page) => webFile(model, page).problems),
      ...[...syndicationFiles(model, [])].flatMap((f) => f.problems),
    ]
    expect(problems.map((p) => `${p.file} ${p.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^web\/benefits\/improves-skin-texture\.json event handler.*onerror/),
        expect.stringMatching(/^feeds\/rss\.xml event handler.*onerror/),
      ]),
    )
  })
})
