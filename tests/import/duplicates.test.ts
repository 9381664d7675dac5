/**
 * `npm run import` with the same text under another file name, as a user runs it: it updates the
 * article that text made (no second article, no ten more benefits), and refuses with exit 1 when
 * the text is already in several articles.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import {runScript} from '../helpers/run.ts'
import {SEED, tempDataset, type TempDataset} from './helpers.ts'

const CLI = 'scripts/import/cli.ts'
let t: TempDataset
afterEach(() => t?.cleanup())

/** The seed saved twice: once from Windows (BOM, CRLF), once plain. The same text to the importer. */
function sources(dir: string) {
  const crlfBom = join(dir, 'crlf-bom.txt')
  const injection = join(dir, 'injection.txt')
  writeFileSync(
    crlfBom,
    new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(SEED.toString().replace(/\n/g, '\r\n'))]),
  )
  writeFileSync(injection, SEED)
  return {crlfBom, injection}
}

const count = (type: string) => {
  const n = t.reopen().count({type})
  t.ds.close()
  return n
}

describe('import CLI: the same text under another file name', () => {
  it('updates the article it made before, and says so', () => {
    t = tempDataset()
    t.ds.close()
    const {crlfBom, injection} = sources(t.dir)
    const first = runScript(CLI, [crlfBom, '--dataset', t.path, '--json', '--quiet'])
    expect(first.status, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({
      articleId: 'article-crlf-bom',
      title: 'Crlf Bom',
    })

    const second = runScript(CLI, [injection, '--dataset', t.path, '--json', '--quiet'])
    expect(second.status, second.stderr).toBe(0)
    const report = JSON.parse(second.stdout)
    expect(report).toMatchObject({
      articleId: 'article-crlf-bom',
      title: 'Injection',
      created: 0,
      updated: 1,
      deleted: 0,
    })
    expect(report.warnings[0]).toMatchObject({
      rule: 'same-text',
      level: 'info',
      message:
        'same text as article-crlf-bom (imported from crlf-bom.txt): this import updates it rather than adding article-injection',
    })
    expect(count('article')).toBe(1)
    expect(count('benefit')).toBe(10)

    // The human report says it too; the same file again writes nothing.
    const renamed = join(t.dir, 'renamed.txt')
    writeFileSync(renamed, SEED)
    const human = runScript(CLI, [renamed, '--dataset', t.path, '--dry-run', '--quiet'])
    expect(human.status).toBe(0)
    expect(human.stdout).toContain('→ article-crlf-bom "Renamed"')
    expect(human.stdout).toMatch(
      /info: .*renamed\.txt article-crlf-bom: same text as .* \[same-text\]/,
    )
    const again = runScript(CLI, [injection, '--dataset', t.path, '--json', '--quiet'])
    expect(JSON.parse(again.stdout)).toMatchObject({created: 0, updated: 0, deleted: 0})
    expect(count('article')).toBe(1)
  })

  it('refuses with exit 1 and writes nothing when the text is already in several articles', () => {
    t = tempDataset()
    t.ds.close()
    const {crlfBom, injection} = sources(t.dir)
    expect(runScript(CLI, [crlfBom, '--dataset', t.path, '--quiet']).status).toBe(0)
    // A duplicate an earlier importer made silently.
    const ds = t.reopen()
    ds.transaction([{create: {...ds.get('article-crlf-bom')!, _id: 'article-injection'}}])
    const before = exportNdjson(ds)
    ds.close()

    const elsewhere = join(t.dir, 'microneedling.txt')
    writeFileSync(elsewhere, SEED)
    const r = runScript(CLI, [elsewhere, '--dataset', t.path])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(
      `error: ${elsewhere}: has the same text as 2 articles (article-crlf-bom, article-injection); delete all but one, then import again`,
    )
    expect(r.stdout).toBe('')
    expect(exportNdjson(t.reopen())).toBe(before)
    t.ds.close()
    // Each duplicate's own file still updates it.
    expect(runScript(CLI, [injection, '--dataset', t.path, '--quiet']).status).toBe(0)
  })
})
