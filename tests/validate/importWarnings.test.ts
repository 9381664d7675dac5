/**
 * What the importer leaves for an editor shows up as Studio warnings (run headless, as
 * `npm run validate` does): a title made from the file name, and raw HTML kept as literal text.
 * Also the benefit preview that tells benefits with the same title apart.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {benefit} from '../../schemas/documents/benefit.ts'
import {findRawHtml} from '../../schemas/rules/rawHtml.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {
  FIXTURES,
  SEED,
  SEED_FILE,
  importText,
  tempDataset,
  type TempDataset,
} from '../import/helpers.ts'

let t: TempDataset
afterEach(() => t?.cleanup())

const CHECK_TITLE = /^Check the title: it was made from the file name/

async function problemsOf(
  filter: (p: {documentId?: string; path?: string}) => boolean = () => true,
) {
  const report = await validateDocuments(t.ds.documents())
  return report.problems.filter(filter)
}

describe('a title made from the file name', () => {
  it('warns on the title until an editor changes or confirms it', async () => {
    t = tempDataset()
    const r = await importText(t.ds, SEED_FILE, SEED)
    const onTitle = () => problemsOf((p) => p.documentId === r.articleId && p.path === 'title')
    expect(await onTitle()).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(CHECK_TITLE),
      }),
    ])
    const patch = (set: Record<string, unknown>) => {
      const doc = t.ds.get(r.articleId)!
      t.ds.transaction([{patch: {id: doc._id, ifRevisionID: doc._rev, set}}])
    }
    patch({titleConfirmed: true})
    expect(await onTitle()).toEqual([])
    patch({titleConfirmed: false, title: '10 Benefits of Microneedling'})
    expect(await onTitle()).toEqual([])
  })

  it('does not warn on a title from the text', async () => {
    t = tempDataset()
    const md = join(FIXTURES, 'seed-markdown', 'input.md')
    const r = await importText(t.ds, md, readFileSync(md))
    expect(t.ds.get(r.articleId)!.titleSource).toBe('text')
    const messages = (await problemsOf()).map((p) => (p as {message: string}).message)
    expect(messages.filter((m) => CHECK_TITLE.test(m))).toEqual([])
  })
})

describe('raw HTML kept as literal text', () => {
  it('is a warning on each block that holds it, in the body and in the intro', async () => {
    t = tempDataset()
    const html = join(FIXTURES, 'unsafe-html', 'input.md')
    const r = await importText(t.ds, html, readFileSync(html))
    expect(r.warnings.filter((w) => w.rule === 'raw-html')).toHaveLength(3)
    const raw = (await problemsOf()).filter((p) =>
      (p as {message: string}).message.startsWith('Raw HTML'),
    )
    const where = raw.map((p) => {
      const doc = t.ds.get(p.documentId!)!
      const key = /^body\[_key=="(.+)"\]$/.exec(p.path!)![1]
      const index = (doc.body as Array<{_key: string}>).findIndex((b) => b._key === key)
      return [doc.title, index, (p as {level: string}).level]
    })
    expect(where).toEqual([
      ['Improves Skin Texture', 0, 'warning'],
      ['Improves Skin Texture', 1, 'warning'],
      ['Third Benefit', 0, 'warning'],
    ])
    expect((raw[0] as {message: string}).message).toBe(
      'Raw HTML "<img src=x onerror="alert(1)">" shows as literal text to readers: rewrite it as plain text or remove it',
    )

    const intro = await importText(
      t.ds,
      'intro.md',
      '# Intro With HTML\n\nSee <b>this</b>.\n\n1. Improves Skin Texture\n\nSmoother.\n',
    )
    const onIntro = (await problemsOf((p) => p.documentId === intro.articleId)).filter((p) =>
      (p as {message: string}).message.startsWith('Raw HTML "<b>"'),
    )
    expect(onIntro.map((p) => p.path)).toEqual([expect.stringMatching(/^intro\[_key==".+"\]$/)])
  })

  it('is the raw HTML CommonMark knows, not a "<" in prose', () => {
    const html = [
      '<b>',
      '</div >',
      '<img src=x onerror="a()">',
      '<!-- a comment -->',
      '<?php echo 1 ?>',
      '<!DOCTYPE html>',
      '<![CDATA[ x ]]>',
      '<script', // an HTML block never closed
      '<!--', // a comment never closed
    ]
    for (const h of html) expect(findRawHtml(`a ${h} b`), h).toBe(h)
    for (const prose of ['a < b', '<3 weeks', 'pH <5.5', 'x <- y', '2<3>1', '<'])
      expect(findRawHtml(prose), prose).toBeUndefined()
    expect(SEED.toString().match(/</g)).toBeNull() // and the seed has none: no warnings there
  })
})

describe('the benefit preview', () => {
  const preview = benefit.preview as unknown as {
    select: Record<string, string>
    prepare: (v: Record<string, string | undefined>) => {title: string; subtitle: string}
  }

  it('selects the treatment and the article through the reference the importer sets', async () => {
    t = tempDataset()
    const r = await importText(t.ds, SEED_FILE, SEED)
    const b = t.ds.get(r.benefits[7]!.id)!
    expect(b.article).toEqual({_type: 'reference', _ref: r.articleId, _weak: true})
    expect(preview.select).toMatchObject({
      treatment: 'article.treatment.title',
      article: 'article.title',
    })
  })

  it('tells two "Erases Stretch Marks" apart by treatment and article first', () => {
    const a = preview.prepare({
      title: 'Erases Stretch Marks',
      treatment: 'Microneedling',
      article: 'Microneedling Benefits',
    })
    const b = preview.prepare({
      title: 'Erases Stretch Marks',
      treatment: 'Laser resurfacing',
      article: 'Lasers for the Body',
    })
    expect(a.subtitle).toMatch(/^Microneedling · Microneedling Benefits\b/)
    expect(b.subtitle).toMatch(/^Laser resurfacing · Lasers for the Body\b/)
    expect(a.title).toBe(b.title)
  })
})
