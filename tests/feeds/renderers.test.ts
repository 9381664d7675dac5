/**
 * The renderers' fast paths write what the straightforward code gives: the declared writer is
 * JSON.stringify of the data it is given (HTML-safe, or raw and escaped as bytes), pages rendered
 * on the writer thread from the wire format are the same bytes, the streamed app bundle is the
 * in-memory one, HTML of simple Portable Text is @portabletext/to-html's, and the bounded
 * newest-N selection is a full sort's.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHTML} from '@portabletext/to-html'
import {describe, expect, it} from 'vitest'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {fetchFeedInput} from '../../scripts/feeds/input.ts'
import {escapeJsonBytes, htmlSafeJsonText, safeJson} from '../../scripts/feeds/json.ts'
import {compareNewest, newestPages} from '../../scripts/feeds/limits.ts'
import {buildFeedModel} from '../../scripts/feeds/model.ts'
import {
  appEntryData,
  appEntryText,
  renderAppBundleWithLayout,
} from '../../scripts/feeds/outputs/appBundle.ts'
import {
  createWebPageParts,
  webPageData,
  webPagePath,
  webPagePieces,
  type WebPageParts,
} from '../../scripts/feeds/outputs/webPage.ts'
import {createWriter, JsonText} from '../../scripts/feeds/outputs/write.ts'
import {blocksToHtml, plainBlocksHtml, sanitizeBlocks} from '../../scripts/feeds/portableText.ts'
import {WireDecoder, WireEncoder} from '../../scripts/feeds/render/webWire.ts'
import type {Block, FeedModel, Page, PageLink} from '../../scripts/feeds/types.ts'
import {createLocalSource, runQuery} from '../../scripts/query/local.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {generateDataset} from '../../scripts/synthetic/generate.ts'
import {fixtureDocs} from './helpers.ts'

/** Reviews are judged on one fixed day by both the export and the in-memory model. */
const REVIEWED_AS_OF = '2026-01-01T00:00:00Z'

async function modelOf(docs: readonly StoredDocument[]) {
  const source = createLocalSource(docs)
  return buildFeedModel(
    await fetchFeedInput((q) => runQuery(source, q, {}, {perspective: 'published'})),
    {baseUrl: 'https://skincare.example', reviewedAsOf: REVIEWED_AS_OF},
  ).model
}

/** The hostile fixture and a generated dataset (of this seed): what the equivalence tests run on. */
const datasets = (seed: number): Array<[string, () => StoredDocument[]]> => [
  ['the hostile fixture', () => fixtureDocs() as unknown as StoredDocument[]],
  ['a generated dataset', () => generateDataset({size: 600, seed})],
]

/** A related link as web pages show it: the declared members of the page's link object. */
const webLink = ({id, type, slug, title, url, kind}: PageLink) => ({
  id,
  type,
  slug,
  title,
  url,
  kind,
})

/**
 * The reference text: JSON.stringify of a page's data, its pre-serialized JSON-LD and body spliced
 * in and its links cut to what web pages show (the writer writes a shared link as declared).
 */
function referenceText(model: FeedModel, page: Page): string {
  const data = webPageData(model, page, createWebPageParts()) as unknown as Record<string, unknown>
  const jsonLd = JSON.parse((data.jsonLd as JsonText).text) as unknown
  const body = data.body instanceof JsonText ? JSON.parse(data.body.text) : data.body
  const related = Object.fromEntries(
    Object.entries(page.related).map(([key, links]) => [key, links.map(webLink)]),
  )
  return `${safeJson({...data, body, related, jsonLd})}\n`
}

/** The page's text is `expected`, escaped as text and, in raw mode, escaped as bytes. */
function expectPageText(
  model: FeedModel,
  page: Page,
  parts: WebPageParts,
  expected: string,
  opts: {bodyJson?: string} = {},
): void {
  expect(webPagePieces(model, page, parts, opts).join(''), page.id).toBe(expected)
  const raw = Buffer.from(webPagePieces(model, page, parts, {raw: true, ...opts}).join(''))
  const out = Buffer.alloc(raw.length * 6)
  expect(out.subarray(0, escapeJsonBytes(raw, out, 0)).toString('utf8'), page.id).toBe(expected)
}

describe('web pages', () => {
  it.each(datasets(11))(
    'are safeJson of their data on every page of %s, escaped as text and as bytes',
    async (_name, docs) => {
      const model = await modelOf(docs())
      // One parts object for the whole model, as an export shares it: shared links are written once.
      const parts = createWebPageParts()
      for (const page of model.pages) expectPageText(model, page, parts, referenceText(model, page))
    },
  )
})

describe('web pages rendered on the writer thread', () => {
  it.each(datasets(12))(
    'render from the wire format to the same bytes, batch after batch (%s)',
    async (_name, docs) => {
      const model = await modelOf(docs())
      const encoder = new WireEncoder()
      const decoder = new WireDecoder()
      const parts = createWebPageParts()
      let linksSent = 0
      for (let at = 0; at < model.pages.length; at += 7) {
        const pages = model.pages.slice(at, at + 7)
        // Through a real structured clone, as postMessage sends it.
        const batch = structuredClone(encoder.encode(pages))
        linksSent += batch.links.length
        decoder.decode(batch).forEach(({page, bodyJson}, i) => {
          expectPageText(
            model,
            page,
            parts,
            referenceText(model, pages[i]!),
            bodyJson === undefined ? {} : {bodyJson},
          )
        })
      }
      // Each linked page crosses once, however many pages link to it.
      const distinct = new Set(model.pages.flatMap((p) => Object.values(p.related).flat()))
      expect(linksSent).toBe(distinct.size)
    },
  )

  it('refuses a link number it was never sent', () => {
    expect(() =>
      new WireDecoder().decode({links: [], pages: [{related: [1, 0, 0, 0, 0, 0, 0]} as never]}),
    ).toThrow(/link number 0 was never sent/)
  })

  it('an export shares its pages between the two threads and writes what the renderer gives', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'web-'))
    try {
      const docs = generateDataset({size: 2500, seed: 13})
      const progress: string[] = []
      await exportFeeds({
        documents: docs,
        out: join(tmp, 'dist'),
        baseUrl: 'https://skincare.example',
        reviewedAsOf: REVIEWED_AS_OF,
        onProgress: (m) => progress.push(m),
      })
      const [, here, there] =
        progress.join('\n').match(/web pages: (\d+) rendered here, (\d+) on the writer thread/) ??
        []
      expect(Number(there)).toBeGreaterThan(0)
      const model = await modelOf(docs)
      expect(Number(here) + Number(there)).toBe(model.pages.length)
      const parts = createWebPageParts()
      for (const page of model.pages) {
        expect(readFileSync(join(tmp, 'dist', webPagePath(page)), 'utf8'), page.id).toBe(
          webPagePieces(model, page, parts).join(''),
        )
      }
    } finally {
      rmSync(tmp, {recursive: true, force: true})
    }
  })
})

describe('app bundle entries', () => {
  it.each(datasets(14))(
    'are safeJson of their data on every page of %s, raw or escaped',
    async (_name, docs) => {
      const model = await modelOf(docs())
      const escaped = createWriter()
      const raw = createWriter(true)
      for (const page of model.pages) {
        const expected = safeJson(appEntryData(page))
        expect(appEntryText(page, escaped), page.id).toBe(expected)
        expect(appEntryText(page, raw), page.id).toBe(JSON.stringify(appEntryData(page)))
      }
    },
  )
})

describe('the streamed app bundle', () => {
  it('is byte for byte the bundle rendered in memory from the same model', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bundle-'))
    try {
      const docs = generateDataset({size: 700, seed: 9})
      await exportFeeds({
        documents: docs,
        out: join(tmp, 'dist'),
        baseUrl: 'https://skincare.example',
        reviewedAsOf: REVIEWED_AS_OF,
      })
      const model = await modelOf(docs)
      const content = readFileSync(join(tmp, 'dist', 'app', 'bundle.json'), 'utf8')
      expect(content).toBe(renderAppBundleWithLayout(model).content)
      expect(JSON.parse(content).benefits.length).toBe(
        model.pages.filter((p) => p.type === 'benefit').length,
      )
    } finally {
      rmSync(tmp, {recursive: true, force: true})
    }
  })
})

describe('byte-level escaping', () => {
  it('equals htmlSafeJsonText, including U+2028/2029 and other three-byte characters', () => {
    const samples = [
      '',
      'plain',
      '<p>a & b</p>',
      '\u2028\u2029',
      'x\u2013y\u2026z\u2028',
      '<<>>&&',
      'é<€>𝄞&',
      '\u20ac\u2028<',
    ]
    for (const s of samples) {
      const json = JSON.stringify({s, t: [s, s]})
      const src = Buffer.from(json)
      const dst = Buffer.alloc(src.length * 6 + 8)
      expect(dst.subarray(4, 4 + escapeJsonBytes(src, dst, 4)).toString('utf8'), s).toBe(
        htmlSafeJsonText(json),
      )
      expect(htmlSafeJsonText(json)).toBe(safeJson({s, t: [s, s]}))
    }
  })
})

const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const escape = (t: string) => t.replace(/[&<>"']/g, (c) => ESC[c]!)
/** @portabletext/to-html with the components the exporter gives it (portableText.ts). */
const viaToolkit = (blocks: Block[]) =>
  toHTML(blocks as never, {
    components: {
      marks: {
        link: ({children, value}) => {
          const href = (value as {href?: string} | undefined)?.href
          return href && /^https?:/.test(href)
            ? `<a href="${escape(href)}">${children}</a>`
            : children
        },
      },
      unknownMark: ({children}) => children,
      unknownType: () => '',
      hardBreak: () => '<br>',
      escapeHTML: escape,
    },
    onMissingComponent: false,
  })

describe('Portable Text HTML', () => {
  const block = (
    children: Array<{text: string; marks?: string[]}>,
    extra: Partial<Block> = {},
  ): Block => ({
    _type: 'block',
    _key: `k${Math.random().toString(36).slice(2, 8)}`,
    style: 'normal',
    markDefs: [{_type: 'link', _key: 'l1', href: 'https://example.org/a?b=1&c=2'}],
    children: children.map((c, i) => ({
      _type: 'span',
      _key: `s${i}`,
      text: c.text,
      marks: c.marks ?? [],
    })),
    ...extra,
  })
  const cases: Array<[string, Block[]]> = [
    ['plain', [block([{text: 'Hello <world> & "friends"'}])]],
    [
      'adjacent equal marks merge',
      [block([{text: 'a', marks: ['em']}, {text: 'b', marks: ['em']}, {text: 'c'}])],
    ],
    [
      'different marks',
      [
        block([
          {text: 'a', marks: ['strong']},
          {text: 'b', marks: ['em']},
          {text: 'c', marks: ['l1']},
        ]),
      ],
    ],
    ['line breaks', [block([{text: 'one\ntwo\n'}, {text: '\nthree', marks: ['em']}])]],
    [
      'styles and empty blocks',
      [
        block([{text: 'h'}], {style: 'h2'}),
        block([], {style: 'blockquote'}),
        block([{text: 'x'}], {style: 'h3'}),
      ],
    ],
    [
      'a mark key that is also a link key',
      [
        {
          ...block([{text: 'x', marks: ['em']}]),
          markDefs: [{_type: 'link', _key: 'em', href: 'https://example.org/'}],
        },
      ],
    ],
    ['nested marks (not simple)', [block([{text: 'a', marks: ['em', 'strong']}])]],
    [
      'lists (not simple)',
      [
        block([{text: 'a'}], {listItem: 'bullet', level: 1}),
        block([{text: 'b'}], {listItem: 'bullet', level: 2}),
      ],
    ],
  ]
  it.each(cases)('%s', (_name, blocks) => {
    const expected = viaToolkit(blocks)
    expect(blocksToHtml(blocks)).toBe(expected)
    const simple = plainBlocksHtml(blocks)
    if (simple !== undefined) expect(simple).toBe(expected)
  })

  it('every generated body takes the simple path and matches the toolkit', () => {
    for (const d of generateDataset({size: 300, seed: 5}).filter((x) => x._type === 'benefit')) {
      const blocks = sanitizeBlocks(
        d.body,
        {baseUrl: 'https://skincare.example', documentId: d._id, field: 'body'},
        [],
      )
      const simple = plainBlocksHtml(blocks)
      expect(simple).toBeDefined()
      expect(simple).toBe(viaToolkit(blocks))
    }
  })
})

describe('newest N', () => {
  it('equals sorting every page and taking the first N', async () => {
    const model = await modelOf(generateDataset({size: 800, seed: 2}))
    for (const n of [1, 3, 50, 400, 5000])
      expect(newestPages(model.pages, n).map((p) => p.id)).toEqual(
        [...model.pages]
          .sort(compareNewest)
          .slice(0, n)
          .map((p) => p.id),
      )
  })
})
