/**
 * The Studio in a real browser (Debian Chromium driven by playwright-core), end to end:
 * import the sample → `npm run studio` → log in with the printed link → list the benefits →
 * edit a title → publish → a CLI write from another process shows up live → `npm run export`
 * carries the new title. The certificate is checked for real: `npm run studio` adds its CA to
 * the NSS database of a throwaway HOME, and Chromium runs with that HOME and without
 * --ignore-certificate-errors (the flag is only added where certutil is missing).
 * Screenshots go to test-results/ (ignored by git).
 */
import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {BrowserContext, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import {runScript} from '../helpers/run.ts'
import {
  CHROMIUM,
  closeSession,
  openTrustedSession,
  RESULTS,
  until,
  type StudioInfo,
} from './session.ts'

const BENEFIT_ID = 'benefit-microneedling-minimizes-pores'
const NEW_TITLE = 'Minimizes Pores (edited in the Studio)'
const CLI_TITLE = 'Softens Fine Lines (written by a CLI script)'

const dir = mkdtempSync(join(tmpdir(), 'studio-browser-'))
const home = join(dir, 'home')
const datasetPath = join(dir, 'dataset.sqlite')
let studio: ChildProcessWithoutNullStreams
let info: StudioInfo
let context: BrowserContext
let page: Page
const pageErrors: string[] = []

const titleOf = (id: string) => {
  const ds = Dataset.open(datasetPath)
  try {
    return ds.get(id)?.title
  } finally {
    ds.close()
  }
}

beforeAll(async () => {
  const session = openTrustedSession({dir, datasetPath, home, pageErrors})
  studio = session.process
  ;({info, context, page} = await session.ready)
}, 240_000)

afterAll(() => closeSession(dir, studio, context))

describe.skipIf(!existsSync(CHROMIUM))('Studio in Chromium', () => {
  it('logs in with the printed link and lists the benefits with their linked concerns', async () => {
    await page.goto(info.loginUrl, {waitUntil: 'domcontentloaded'})
    await page.getByText('Benefits').first().waitFor({timeout: 60_000})
    // The token moved from the URL into the Studio's storage.
    expect(page.url()).not.toContain('token=')
    await page.goto(`${info.studioUrl}/structure/benefit`, {waitUntil: 'domcontentloaded'})
    await page.getByText('Fades Acne Scars').first().waitFor({timeout: 60_000})
    for (const title of ['Minimizes Pores', 'Softens Fine Lines', 'Safe For All Skin Types'])
      await expect(page.getByText(title, {exact: true}).first().isVisible()).resolves.toBe(true)
    // Previews show linked concerns (the benefit preview's subtitle).
    await expect(
      page.getByText('Acne scars · Hyperpigmentation').first().isVisible(),
    ).resolves.toBe(true)
    await page.screenshot({path: join(RESULTS, 'studio-benefits.png')})
  }, 120_000)

  it('edits a title and publishes it', async () => {
    await page.getByText('Minimizes Pores', {exact: true}).first().click()
    const title = page.locator('input#title')
    await title.waitFor({timeout: 60_000})
    expect(await title.inputValue()).toBe('Minimizes Pores')
    await title.click()
    await title.press('Control+A')
    await title.pressSequentially(NEW_TITLE, {delay: 10})
    const publish = page.locator('[data-testid="action-publish"]').first()
    await publish.click({timeout: 60_000})
    await until(() => titleOf(BENEFIT_ID) === NEW_TITLE, 'the published title in the dataset')
    await until(() => titleOf(`drafts.${BENEFIT_ID}`) === undefined, 'the draft to be gone')
    await page.screenshot({path: join(RESULTS, 'studio-published.png')})
  }, 120_000)

  it('shows a write made by a CLI script in another process, live', async () => {
    const ds = Dataset.open(datasetPath)
    const doc = ds.get('benefit-microneedling-softens-fine-lines')!
    ds.close()
    const r = runScript(
      'scripts/store/cli.ts',
      ['import', '-', '--dataset', datasetPath, '--replace', '--quiet'],
      {input: `${JSON.stringify({...doc, title: CLI_TITLE, _rev: undefined})}\n`},
    )
    expect(r.status, r.stderr).toBe(0)
    await page.getByText(CLI_TITLE).first().waitFor({timeout: 30_000})
    await page.screenshot({path: join(RESULTS, 'studio-live-update.png')})
  }, 60_000)

  it('Vision runs GROQ against the local dataset', async () => {
    await page.goto(`${info.studioUrl}/vision`, {waitUntil: 'domcontentloaded'})
    const editor = page.locator('.cm-content').first()
    await editor.waitFor({timeout: 60_000})
    await editor.click()
    await page.keyboard.type('*[_type == "concern"] | order(title asc) [0].title', {delay: 5})
    await page.keyboard.press('Control+Enter')
    await page.getByText('"Acne scars"').first().waitFor({timeout: 30_000})
  }, 90_000)

  it('the next export carries the new title; the Studio stops cleanly', async () => {
    expect(pageErrors).toEqual([])
    const code = await new Promise<number | null>((resolve) => {
      studio.on('close', resolve)
      studio.kill('SIGTERM')
    })
    expect(code).toBe(0)
    const out = join(dir, 'out')
    const r = runScript('scripts/feeds/cli.ts', [
      '--dataset',
      datasetPath,
      '--out',
      out,
      '--json',
      '--quiet',
    ])
    expect(r.status, r.stderr).toBe(0)
    const page = JSON.parse(
      readFileSync(join(out, 'web', 'benefits', 'microneedling-minimizes-pores.json'), 'utf8'),
    ) as unknown
    expect(JSON.stringify(page)).toContain(NEW_TITLE)
    expect(readFileSync(join(out, 'feeds', 'feed.json'), 'utf8')).toContain(CLI_TITLE)
  }, 60_000)
})
