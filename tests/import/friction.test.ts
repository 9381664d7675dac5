/**
 * Import friction (issue 17, item 6): titles from the text, one slugify for the importer and the
 * Studio, and the same text under another file name updating its article instead of copying it.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {articleIdentity} from '../../scripts/import/documents.ts'
import {importSources} from '../../scripts/import/importer.ts'
import {prepareSource} from '../../scripts/import/prepare.ts'
import {isTitleLine, MAX_TITLE_LINE_LENGTH, slugify} from '../../scripts/import/text.ts'
import {InputError} from '../../scripts/lib/errors.ts'
import {schemaTypes} from '../../schemas/index.ts'
import {titleCheckMessage} from '../../schemas/rules/titles.ts'
import {SEED, tempDataset, importText, taxonomy, type TempDataset} from './helpers.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const BODY = '1. Improves Skin Texture\n\nMicroneedling smooths rough texture.\n'
const titleOf = (text: string | Uint8Array, file = 'clinic-notes.md') =>
  prepareSource(typeof text === 'string' ? bytes(text) : text, file).outline.title
const SEED_TEXT = SEED.toString('utf8')

describe('the article title', () => {
  it('is a `# Title` anywhere before section 1, with --title beating it and the file name last', () => {
    const out = prepareSource(bytes(`Lead.\n\n# The Title\n\n${BODY}`), 'a-b.md').outline
    expect(out.title).toEqual({text: 'The Title', line: 3})
    expect(articleIdentity('a-b.md', out)).toEqual({
      id: 'article-the-title',
      title: 'The Title',
      slug: 'the-title',
      titleSource: 'text',
    })
    expect(articleIdentity('a-b.md', out, ' Given ')).toMatchObject({
      title: 'Given',
      titleSource: 'option',
    })
    expect(articleIdentity('a-b.md', {})).toMatchObject({title: 'A B', titleSource: 'fileName'})
  })

  it('is a short first line standing alone, taken out of the intro', () => {
    const p = prepareSource(
      bytes(`10 Benefits of Microneedling\n\nMicroneedling is popular.\n\n${BODY}`),
      'x.txt',
    )
    expect(p.outline.title).toEqual({text: '10 Benefits of Microneedling', line: 1})
    expect(p.outline.intro).toBe('\n\nMicroneedling is popular.\n')
    // Emphasis is markup, not part of the title; a question is a title too.
    expect(titleOf(`**Why Microneedling Works**\n\n${BODY}`)?.text).toBe('Why Microneedling Works')
    expect(titleOf(`Is Microneedling Worth It?\n\n${BODY}`)?.text).toBe(
      'Is Microneedling Worth It?',
    )
    // Directly followed by section 1 (CommonMark lets a list starting at 1 interrupt a paragraph).
    expect(titleOf(`Microneedling Benefits\n${BODY}`)?.text).toBe('Microneedling Benefits')
  })

  it('survives a BOM and CRLF line endings', () => {
    const crlf = `Microneedling, Explained\r\n\r\nIntro text.\r\n\r\n${BODY.replace(/\n/g, '\r\n')}`
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(crlf)])
    expect(titleOf(withBom, 'crlf-bom.txt')).toEqual({text: 'Microneedling, Explained', line: 1})
    // The seed saved with a BOM and CRLF: its first line is a sentence, so the file name stays.
    const seed = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(SEED_TEXT.replace(/\n/g, '\r\n'))])
    expect(titleOf(seed, 'crlf-bom.txt')).toBeUndefined()
  })

  it('is not a first line that is a sentence, a lead-in, a label, too long, or part of a paragraph', () => {
    const none = [
      'Microneedling is a minimally invasive procedure.', // a sentence
      'Here is what it can do:', // a lead-in
      'Introduction', // labels a part, not the article
      'microneedling benefits', // does not start like a title
      'Microneedling Creates Thousands of Tiny Punctures Across the Whole Treatment Area Every Time', // 13 words
      '- A bullet', // a list, not a line
      '> Quoted', // a quote
      '<h1>Title</h1>', // raw HTML
    ]
    for (const first of none) expect(titleOf(`${first}\n\n${BODY}`), first).toBeUndefined()
    expect(
      titleOf(`Microneedling Benefits\nwrapped onto a second line.\n\n${BODY}`),
    ).toBeUndefined()
    // Section 1 on the first line is section 1.
    expect(titleOf(BODY)).toBeUndefined()
  })

  it('is short: at most 12 words and 100 characters', () => {
    expect(isTitleLine('One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve')).toBe(true)
    expect(isTitleLine('One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve 13')).toBe(
      false,
    )
    const long = `A${'b'.repeat(MAX_TITLE_LINE_LENGTH - 1)}`
    expect(isTitleLine(long)).toBe(true)
    expect(isTitleLine(`${long}c`)).toBe(false)
    expect(isTitleLine('“Glass Skin”, Explained.')).toBe(false)
    expect(isTitleLine('“Glass Skin” Explained')).toBe(true)
  })
})

describe('one slugify for the importer and the Studio', () => {
  const studioSlugify = () => {
    const article = schemaTypes.find((t) => t.name === 'article') as unknown as {
      fields: Array<{name: string; options?: {slugify?: (s: string) => string}}>
    }
    return article.fields.find((f) => f.name === 'slug')!.options!.slugify!
  }

  it('is the slug fields’ options.slugify on the types the importer writes', () => {
    for (const name of ['article', 'benefit', 'treatment', 'concern', 'skinType', 'serum']) {
      const type = schemaTypes.find((t) => t.name === name) as unknown as {
        fields: Array<{name: string; options?: {slugify?: unknown}}>
      }
      expect(type.fields.find((f) => f.name === 'slug')!.options?.slugify, name).toBe(slugify)
    }
  })

  it('gives the titles that used to differ, and more, one slug', () => {
    const cases: Record<string, string> = {
      "Doesn't": 'doesnt',
      Über: 'uber',
      'Ω-3 oil': 'o-3-oil',
      'Crow’s Feet': 'crows-feet',
      'Crème & Café — “Quotes”': 'creme-and-cafe-quotes',
      'Peels | Clinic': 'peels-clinic',
      'Straße Ærø Œuvre': 'strasse-aero-oeuvre',
      'Fitzpatrick IV–VI': 'fitzpatrick-iv-vi',
      'Safe For All Skin Types': 'safe-for-all-skin-types',
      '<script>alert(1)</script> Skin': 'script-alert-1-script-skin',
      日本語: '',
    }
    const generate = studioSlugify()
    for (const [title, slug] of Object.entries(cases)) {
      expect(slugify(title), title).toBe(slug)
      expect(generate(title), title).toBe(slug)
    }
    // Cut at a word boundary within the slug fields' maxLength.
    const long = slugify('Benefits '.repeat(20))
    expect(long.length).toBeLessThanOrEqual(96)
    expect(long.endsWith('benefits')).toBe(true)
  })

  it('makes the article slug a title gets from "Generate"', async () => {
    const t = tempDataset()
    try {
      const r = await importText(t.ds, 'x.md', `# Über Doesn't Ω-3 oil\n\n${BODY}`)
      expect(t.ds.get(r.articleId)!.slug).toEqual({
        _type: 'slug',
        current: studioSlugify()("Über Doesn't Ω-3 oil"),
      })
      expect(r.articleId).toBe('article-uber-doesnt-o-3-oil')
    } finally {
      t.cleanup()
    }
  })
})

describe('the same text under another file name', () => {
  let t: TempDataset
  beforeEach(() => {
    t = tempDataset()
  })
  afterEach(() => t.cleanup())
  const articles = () => t.ds.documents({types: ['article']})

  it('updates the article the text made: a file-name title follows the file while it is a placeholder', async () => {
    const first = await importText(t.ds, 'crlf-bom.txt', SEED)
    expect(t.ds.get(first.articleId)).toMatchObject({title: 'Crlf Bom', titleSource: 'fileName'})
    const again = await importText(t.ds, 'injection.txt', SEED)
    expect(again.articleId).toBe(first.articleId)
    expect(again).toMatchObject({created: 0, updated: 1, deleted: 0})
    expect(again.warnings[0]).toMatchObject({rule: 'same-text', documentId: first.articleId})
    expect(articles()).toHaveLength(1)
    expect(t.ds.count({type: 'benefit'})).toBe(10)
    expect(t.ds.get(first.articleId)).toMatchObject({
      title: 'Injection',
      slug: {current: 'injection'},
      source: {fileName: 'injection.txt'},
    })
  })

  it('keeps a title an editor changed or confirmed, and one --title gave', async () => {
    const first = await importText(t.ds, 'crlf-bom.txt', SEED)
    const edit = (set: Record<string, unknown>) => {
      const doc = t.ds.get(first.articleId)!
      t.ds.transaction([{patch: {id: doc._id, ifRevisionID: doc._rev, set}}])
    }
    edit({title: 'Ten Benefits of Microneedling', slug: {_type: 'slug', current: 'ten'}})
    await importText(t.ds, 'injection.txt', SEED)
    expect(t.ds.get(first.articleId)).toMatchObject({
      title: 'Ten Benefits of Microneedling',
      slug: {current: 'ten'},
      titleSource: 'fileName',
    })
    edit({title: 'Injection', titleConfirmed: true})
    await importText(t.ds, 'renamed-again.txt', SEED)
    expect(t.ds.get(first.articleId)!.title).toBe('Injection')

    const given = await importText(t.ds, 'x.txt', SEED, {title: 'Microneedling, Explained'})
    expect(given.articleId).toBe(first.articleId)
    expect(t.ds.get(first.articleId)).toMatchObject({
      title: 'Microneedling, Explained',
      titleSource: 'option',
    })
    await importText(t.ds, 'y.txt', SEED)
    expect(t.ds.get(first.articleId)).toMatchObject({
      title: 'Microneedling, Explained',
      titleSource: 'option',
    })
    expect(articles()).toHaveLength(1)
  })

  it('is refused within one batch, and when the text is already in several articles', async () => {
    const a = join(t.dir, 'a.txt')
    const b = join(t.dir, 'b.txt')
    writeFileSync(a, SEED)
    writeFileSync(b, SEED_TEXT.replace(/\n/g, '\r\n')) // the same words: the same checksum
    const batch = await importSources(t.ds, [a, b], {taxonomy: await taxonomy()}).catch(
      (e: unknown) => e,
    )
    expect(batch).toBeInstanceOf(InputError)
    expect((batch as InputError).problems).toEqual([
      expect.objectContaining({
        file: b,
        message: `has the same text as ${a}: import only one of them`,
      }),
    ])
    // With a title in the text they would also make one article id: still one message.
    const c = join(t.dir, 'c.md')
    const d = join(t.dir, 'd.md')
    for (const f of [c, d]) writeFileSync(f, `# One Title\n\n${BODY}`)
    const titled = await importSources(t.ds, [c, d], {taxonomy: await taxonomy()}).catch(
      (e: unknown) => e,
    )
    expect((titled as InputError).problems.map((p) => p.message)).toEqual([
      `has the same text as ${c}: import only one of them`,
    ])
    expect(t.ds.count()).toBe(0)

    // Two articles with one text (left by an importer without this check): which to update?
    await importText(t.ds, 'one.txt', SEED)
    const copy = {...t.ds.get('article-one')!, _id: 'article-two', title: 'Two'}
    t.ds.transaction([{create: copy}])
    const refused = await importText(t.ds, 'three.txt', readFileSync(a)).catch((e: unknown) => e)
    expect((refused as InputError).problems[0]!.message).toBe(
      'has the same text as 2 articles (article-one, article-two); delete all but one, then import again',
    )
    // Either article's own file still updates it.
    expect((await importText(t.ds, 'one.txt', SEED)).articleId).toBe('article-one')
  })
})

describe('the "check the title" warning', () => {
  const doc = (extra: Record<string, unknown>) => ({
    title: 'Crlf Bom',
    titleSource: 'fileName',
    source: {fileName: 'crlf-bom.txt'},
    ...extra,
  })

  it('stays until an editor changes the title or confirms it', () => {
    expect(titleCheckMessage(doc({}))).toBe(
      'Check the title: it was made from the file name "crlf-bom.txt". Change it, or tick "Title confirmed" to keep it.',
    )
    expect(titleCheckMessage(doc({title: 'Microneedling Benefits'}))).toBe(true)
    expect(titleCheckMessage(doc({titleConfirmed: true}))).toBe(true)
    expect(titleCheckMessage(doc({titleSource: 'text'}))).toBe(true)
    expect(titleCheckMessage(doc({titleSource: 'option'}))).toBe(true)
  })
})
