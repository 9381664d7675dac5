/**
 * Fixture folders (tests/fixtures/import/<case>/input.(txt|md) + expected.json), run in a loop:
 * good inputs are imported into a fresh dataset and compared with what expected.json lists; bad
 * inputs must fail with an InputError naming the file and line, leaving the dataset's NDJSON
 * export byte-for-byte unchanged.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {importSources} from '../../scripts/import/importer.ts'
import type {ImportReport} from '../../scripts/import/report.ts'
import {InputError} from '../../scripts/lib/errors.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {FIXTURES, SEED_FILE, taxonomy, tempDataset, type TempDataset} from './helpers.ts'

interface Expected {
  title?: string
  articleId?: string
  treatment?: string
  benefits?: string[]
  benefitIds?: string[]
  /** Positive links (suits) per benefit number. */
  links?: Record<string, string[]>
  /** Cautions per benefit number, as "<kind> <target id>". */
  cautions?: Record<string, string[]>
  sameLinksAsSeed?: boolean
  sameChecksumAsSeed?: boolean
  unlinked?: Array<{number: number; reason: string; phrase?: string}>
  warnings?: string[]
  warningRules?: Record<string, number>
  hrefs?: string[]
  literalText?: string[]
  blocks?: Record<string, Array<[string, string?, number?]>>
  errors?: Array<{line: number; message: string}>
}

const cases = readdirSync(FIXTURES, {withFileTypes: true})
  .filter((d) => d.isDirectory())
  .map((d) => {
    const dir = join(FIXTURES, d.name)
    const input = readdirSync(dir).find((n) => n.startsWith('input.'))!
    return {
      name: d.name,
      file: join(dir, input),
      expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected,
    }
  })

let open: TempDataset[] = []
afterEach(() => {
  for (const t of open) t.cleanup()
  open = []
})
const fresh = () => {
  const t = tempDataset()
  open.push(t)
  return t
}

const linksByNumber = (r: ImportReport) => {
  const out: Record<string, string[]> = {}
  for (const l of r.links) if (l.kind === 'suits') (out[String(l.number)] ??= []).push(l.targetId)
  return out
}

const cautionsByNumber = (r: ImportReport) => {
  const out: Record<string, string[]> = {}
  for (const l of r.links)
    if (l.kind !== 'suits') (out[String(l.number)] ??= []).push(`${l.kind} ${l.targetId}`)
  return out
}

let seedReport: Promise<ImportReport> | undefined
const seed = () =>
  (seedReport ??= (async () => {
    const t = tempDataset()
    try {
      return (await importSources(t.ds, [SEED_FILE], {taxonomy: await taxonomy()}))[0]!
    } finally {
      t.cleanup()
    }
  })())

describe.each(cases.filter((c) => !c.expected.errors))('fixture $name', ({file, expected}) => {
  it('imports as expected', async () => {
    const {ds} = fresh()
    const [report] = await importSources(ds, [file], {taxonomy: await taxonomy()})
    const r = report!
    const article = ds.get(r.articleId)!
    const benefits = r.benefits.map((b) => ds.get(b.id)!)

    if (expected.benefits) expect(benefits.map((b) => b.title)).toEqual(expected.benefits)
    if (expected.benefitIds) expect(r.benefits.map((b) => b.id)).toEqual(expected.benefitIds)
    if (expected.title) expect(article.title).toBe(expected.title)
    if (expected.articleId) expect(r.articleId).toBe(expected.articleId)
    if (expected.treatment)
      expect((article.treatment as {_ref: string})._ref).toBe(expected.treatment)
    if (expected.links) expect(linksByNumber(r)).toEqual(expected.links)
    if (expected.cautions) expect(cautionsByNumber(r)).toEqual(expected.cautions)
    if (expected.sameLinksAsSeed) expect(linksByNumber(r)).toEqual(linksByNumber(await seed()))
    if (expected.sameChecksumAsSeed)
      expect((article.source as {checksum: string}).checksum).toBe(
        ds.get(r.articleId) && (await seedChecksum()),
      )
    for (const u of expected.unlinked ?? [])
      expect(r.unlinked).toContainEqual(expect.objectContaining(u))
    if (expected.warnings)
      expect(r.warnings.map((w) => w.rule).sort()).toEqual([...expected.warnings].sort())
    for (const [rule, n] of Object.entries(expected.warningRules ?? {})) {
      expect(
        r.warnings.filter((w) => w.rule === rule),
        rule,
      ).toHaveLength(n)
    }

    const blocks = [article, ...benefits].flatMap((d) => [
      ...((d.intro as Block[]) ?? []),
      ...((d.body as Block[]) ?? []),
    ])
    if (expected.hrefs)
      expect(blocks.flatMap((b) => b.markDefs.map((m) => m.href))).toEqual(expected.hrefs)
    const allText = blocks.map((b) => b.children.map((c) => c.text).join('')).join('\n')
    for (const t of expected.literalText ?? []) expect(allText).toContain(t)
    for (const [n, shapes] of Object.entries(expected.blocks ?? {})) {
      const body = benefits[Number(n) - 1]!.body as Block[]
      expect(body.map((b) => [b.style, ...(b.listItem ? [b.listItem, b.level] : [])])).toEqual(
        shapes,
      )
    }
    expectSafePortableText([article, ...benefits])

    // Importing the same file again writes nothing.
    const [again] = await importSources(ds, [file], {taxonomy: await taxonomy()})
    expect([again!.created, again!.updated, again!.deleted]).toEqual([0, 0, 0])
    expect(again!.transactionId).toBeUndefined()
  })
})

describe.each(cases.filter((c) => c.expected.errors))('bad input $name', ({file, expected}) => {
  it('fails with every problem located, and leaves the dataset as it was', async () => {
    const {ds} = fresh()
    await importSources(ds, [SEED_FILE], {taxonomy: await taxonomy()})
    const before = exportNdjson(ds)
    const error = await importSources(ds, [file], {taxonomy: await taxonomy()}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InputError)
    const problems = (error as InputError).problems
    expect(problems).toHaveLength(expected.errors!.length)
    expected.errors!.forEach((e, i) => {
      expect(problems[i]).toMatchObject({file, line: e.line, level: 'error'})
      expect(problems[i]!.message).toContain(e.message)
    })
    expect((error as InputError).message).toContain(`${file}:${expected.errors![0]!.line}`)
    expect(exportNdjson(ds)).toBe(before)
  })
})

interface Block {
  _key: string
  style: string
  listItem?: string
  level?: number
  markDefs: Array<{_key: string; _type: string; href: string}>
  children: Array<{_key: string; _type: string; text: string; marks: string[]}>
}

let checksum: Promise<string> | undefined
async function seedChecksum(): Promise<string> {
  return (checksum ??= (async () => {
    const t = tempDataset()
    try {
      const [r] = await importSources(t.ds, [SEED_FILE], {taxonomy: await taxonomy()})
      return (t.ds.get(r!.articleId)!.source as {checksum: string}).checksum
    } finally {
      t.cleanup()
    }
  })())
}

/** Only blockContent's own vocabulary: link annotations with http(s)/mailto, strong/em, unique keys. */
function expectSafePortableText(docs: StoredDocument[]) {
  for (const doc of docs) {
    for (const field of ['intro', 'body']) {
      const blocks = (doc[field] as Block[] | undefined) ?? []
      expect(new Set(blocks.map((b) => b._key)).size, `${doc._id}.${field} keys`).toBe(
        blocks.length,
      )
      for (const b of blocks) {
        expect(['normal', 'h2', 'h3', 'blockquote']).toContain(b.style)
        const defs = new Set(b.markDefs.map((m) => m._key))
        for (const m of b.markDefs) {
          expect(m._type).toBe('link')
          expect(m.href).toMatch(/^(https?:|mailto:)/i)
        }
        for (const c of b.children) {
          expect(c._type).toBe('span')
          for (const mark of c.marks)
            expect(mark === 'strong' || mark === 'em' || defs.has(mark), mark).toBe(true)
        }
      }
    }
  }
}
