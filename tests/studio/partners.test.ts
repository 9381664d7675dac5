/**
 * Partner documents in the Studio, in a real browser (Debian Chromium driven by playwright-core),
 * end to end: import the sample → `npm run studio` → log in with the printed link → open the
 * desk's Partners group → create a partner through the form (title, generated name, formats,
 * content types, UTM, attribution, items per file, contact) → publish → the published document is
 * in the dataset → an export writes exactly that partner's formats to `partners/<name>/` → an
 * invalid edit (attribution cleared) is flagged by the Studio's validation and cannot be published
 * → a valid edit (one format unticked, new attribution, fewer items) → publish → the next export
 * drops the file and carries the new text → the partner disabled → its folder is gone.
 * Chromium runs as in browser.test.ts: throwaway HOME, only loopback names resolve.
 * Screenshots go to test-results/ (ignored by git).
 */
import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {BrowserContext, Locator, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {runScript} from '../helpers/run.ts'
import {
  CHROMIUM,
  closeSession,
  openTrustedSession,
  RESULTS,
  until,
  type StudioInfo,
} from './session.ts'

const TITLE = 'Dermatology Clinics Östergård'
const NAME = 'dermatology-clinics-ostergard'
const ATTRIBUTION = 'Shared with Östergård clinics by Skincare Guide.'
const NEW_ATTRIBUTION = 'Reviewed skincare content, courtesy of Skincare Guide.'
const EMAIL = 'feeds@ostergard-clinics.example'

const dir = mkdtempSync(join(tmpdir(), 'studio-partners-'))
const home = join(dir, 'home')
const datasetPath = join(dir, 'dataset.sqlite')
const out = join(dir, 'out')
const partnerDir = join(out, 'partners', NAME)
let studio: ChildProcessWithoutNullStreams
let info: StudioInfo
let context: BrowserContext
let page: Page
const pageErrors: string[] = []

/** Every stored version of the partner (published and draft), found by its name. */
function partnerVersions(): {published?: StoredDocument; draft?: StoredDocument} {
  const ds = Dataset.open(datasetPath)
  try {
    const docs = ds
      .documents({types: ['partner']})
      .filter((d) => (d.name as {current?: string} | undefined)?.current === NAME)
    return {
      published: docs.find((d) => !d._id.startsWith('drafts.')),
      draft: docs.find((d) => d._id.startsWith('drafts.')),
    }
  } finally {
    ds.close()
  }
}

interface ExportResult {
  ok: boolean
  partners: Array<{name: string; items: number; files: string[]}>
}

/** `npm run export` of the published documents into `out` (replaced each time). */
function exportFeeds(): ExportResult {
  const r = runScript('scripts/feeds/cli.ts', [
    '--dataset',
    datasetPath,
    '--out',
    out,
    '--json',
    '--quiet',
  ])
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as ExportResult
}

const partnerFiles = () => readdirSync(partnerDir).sort()

interface JsonFeed {
  title: string
  items: Array<{url: string; content_html: string}>
}
const jsonFeed = () => JSON.parse(readFileSync(join(partnerDir, 'feed.json'), 'utf8')) as JsonFeed

/** Every file under `root`, recursively. */
const filesUnder = (root: string): string[] =>
  readdirSync(root, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))

const field = (name: string): Locator => page.locator(`[data-testid="field-${name}"]`)
const publishButton = () => page.locator('[data-testid="action-publish"]').first()

/**
 * Publish once the Studio has saved the form's last change to the draft (`saved` holds for the
 * draft in the dataset), then wait for the published version (`published`) with its draft gone.
 * On a loaded 2-core machine the Studio now and then drops a Publish click (the button enabled, no
 * request sent, no error shown): the click is repeated, as an editor would, at most 4 times.
 */
async function publishWhenSaved(
  saved: (draft: StoredDocument) => boolean,
  published: (doc: StoredDocument) => boolean,
  what: string,
): Promise<void> {
  await until(() => {
    const {draft} = partnerVersions()
    return draft !== undefined && saved(draft)
  }, `the draft of ${what} saved`)
  const done = () => {
    const versions = partnerVersions()
    return versions.published !== undefined && published(versions.published) && !versions.draft
  }
  for (let attempt = 1; ; attempt++) {
    // A click the Studio acted on late may have published meanwhile: then there is nothing to click.
    if (attempt === 1) await publishButton().click({timeout: 60_000})
    else if (done()) return
    else if (await publishButton().isEnabled()) await publishButton().click({timeout: 10_000})
    try {
      await until(done, `${what} published and its draft gone`, 15_000)
      return
    } catch (e) {
      if (attempt === 4) {
        await page.screenshot({path: join(RESULTS, 'studio-partner-not-published.png')})
        throw e
      }
    }
  }
}

const errorIcon = (name: string) =>
  field(name).locator('[data-testid="input-validation-icon-error"]')

/** Replace a text input's or text area's value, as typed by an editor. */
async function typeInto(input: Locator, text: string): Promise<void> {
  await input.click()
  await input.press('Control+A')
  await input.press('Delete')
  await input.pressSequentially(text, {delay: 5})
  expect(await input.inputValue()).toBe(text)
}

beforeAll(async () => {
  const session = openTrustedSession({dir, datasetPath, home, pageErrors})
  studio = session.process
  ;({info, context, page} = await session.ready)
}, 240_000)

afterAll(() => closeSession(dir, studio, context))

describe.skipIf(!existsSync(CHROMIUM))('Partner documents in the Studio', () => {
  it('creates a partner in the Partners group and publishes it', async () => {
    await page.goto(info.loginUrl, {waitUntil: 'domcontentloaded'})
    const group = page.locator('[data-testid="pane-item-Partners"]')
    await group.waitFor({timeout: 60_000})
    expect(page.url()).not.toContain('token=')
    await group.click()
    // The Partners list pane's own "create" button (the sample has no partners yet).
    const pane = page.locator('[data-testid="pane"]').filter({hasText: 'Partners'}).last()
    await pane.locator('[data-testid="action-intent-button"]').click({timeout: 60_000})

    const title = page.locator('input#title')
    await title.waitFor({timeout: 60_000})
    await typeInto(title, TITLE)
    await field('name').getByRole('button', {name: 'Generate'}).click()
    await expect.poll(() => page.locator('input#name').inputValue()).toBe(NAME)
    // A new partner starts enabled.
    expect(await page.locator('input#enabled').isChecked()).toBe(true)

    await field('formats')
      .getByLabel(/^rss( 2\.0)?$/i)
      .check()
    await field('formats')
      .getByLabel(/^json ?feed( 1\.1)?$/i)
      .check()
    await field('types')
      .getByLabel(/^article$/i)
      .check()
    await field('types')
      .getByLabel(/^benefit$/i)
      .check()
    await typeInto(page.locator('input[id="utm.source"]'), 'ostergard')
    await typeInto(page.locator('input[id="utm.medium"]'), 'partner-feed')
    await typeInto(page.locator('textarea#attribution'), ATTRIBUTION)
    await typeInto(page.locator('input#maxItems'), '5')
    await typeInto(page.locator('input[id="contact.name"]'), 'Feeds desk')
    await typeInto(page.locator('input[id="contact.email"]'), EMAIL)
    await page.screenshot({path: join(RESULTS, 'studio-partner-new.png')})

    // Publish waits for the form to be valid (Playwright waits for the button to be enabled).
    await publishWhenSaved(
      (draft) => (draft.contact as {email?: string} | undefined)?.email === EMAIL,
      () => true,
      'the new partner',
    )
    const {published} = partnerVersions()
    expect(published).toMatchObject({
      _type: 'partner',
      title: TITLE,
      name: {current: NAME},
      enabled: true,
      types: ['article', 'benefit'],
      utm: {source: 'ostergard', medium: 'partner-feed'},
      attribution: ATTRIBUTION,
      maxItems: 5,
      contact: {name: 'Feeds desk', email: EMAIL},
    })
    expect([...(published!.formats as string[])].sort()).toEqual(['jsonfeed', 'rss'])
    await page.screenshot({path: join(RESULTS, 'studio-partner-published.png')})
  }, 180_000)

  it('the next export writes exactly its formats to partners/<name>/, and nothing private', () => {
    const result = exportFeeds()
    expect(result.partners.map((p) => p.name)).toContain(NAME)
    expect(partnerFiles()).toEqual(['feed.json', 'rss.xml'])
    const feed = jsonFeed()
    expect(feed.title).toContain(TITLE)
    expect(feed.items).toHaveLength(5)
    for (const item of feed.items) {
      expect(item.content_html).toContain(ATTRIBUTION)
      expect(item.url).toContain('utm_source=ostergard')
      expect(item.url).toContain('utm_medium=partner-feed')
    }
    const rss = readFileSync(join(partnerDir, 'rss.xml'), 'utf8')
    expect(rss.match(/<item>/g)).toHaveLength(5)
    expect(rss).toContain(ATTRIBUTION)
    // The contact stays in the dataset: no output file carries it.
    for (const file of filesUnder(out)) expect(readFileSync(file, 'utf8')).not.toContain(EMAIL)
  }, 60_000)

  it('flags an invalid edit: a cleared attribution is an error and Publish is disabled', async () => {
    const attribution = page.locator('textarea#attribution')
    await attribution.waitFor({timeout: 30_000})
    expect(await attribution.inputValue()).toBe(ATTRIBUTION)
    await attribution.click()
    await attribution.press('Control+A')
    await attribution.press('Delete')
    await errorIcon('attribution').waitFor({timeout: 30_000})
    await errorIcon('attribution').hover()
    await page.getByText('Attribution is required').first().waitFor({timeout: 30_000})
    await expect.poll(() => publishButton().isDisabled(), {timeout: 30_000}).toBe(true)
    await page.screenshot({path: join(RESULTS, 'studio-partner-invalid.png')})
    // The edit is a draft; the published partner is untouched.
    await until(() => {
      const {draft} = partnerVersions()
      return draft !== undefined && !('attribution' in draft)
    }, 'the draft without an attribution')
    expect(partnerVersions().published?.attribution).toBe(ATTRIBUTION)
  }, 90_000)

  it('publishes a valid edit; the next export drops the unticked format and carries the new text', async () => {
    await typeInto(page.locator('textarea#attribution'), NEW_ATTRIBUTION)
    await expect.poll(() => errorIcon('attribution').count(), {timeout: 30_000}).toBe(0)
    await field('formats')
      .getByLabel(/^rss( 2\.0)?$/i)
      .uncheck()
    await typeInto(page.locator('input#maxItems'), '3')
    await publishWhenSaved(
      (draft) => draft.maxItems === 3 && draft.attribution === NEW_ATTRIBUTION,
      (doc) => doc.attribution === NEW_ATTRIBUTION,
      'the edited partner',
    )
    const {published} = partnerVersions()
    expect(published).toMatchObject({formats: ['jsonfeed'], maxItems: 3, enabled: true})
    await page.screenshot({path: join(RESULTS, 'studio-partner-edited.png')})

    const result = exportFeeds()
    expect(result.partners.find((p) => p.name === NAME)?.files).toEqual([
      `partners/${NAME}/feed.json`,
    ])
    expect(partnerFiles()).toEqual(['feed.json'])
    const feed = jsonFeed()
    expect(feed.items).toHaveLength(3)
    for (const item of feed.items) {
      expect(item.content_html).toContain(NEW_ATTRIBUTION)
      expect(item.content_html).not.toContain(ATTRIBUTION)
    }
  }, 180_000)

  it('a disabled partner loses its folder on the next export; the Studio stops cleanly', async () => {
    const enabled = page.locator('input#enabled')
    await enabled.uncheck()
    await publishWhenSaved(
      (draft) => draft.enabled === false,
      (doc) => doc.enabled === false,
      'the disabled partner',
    )

    const result = exportFeeds()
    expect(result.partners.map((p) => p.name)).not.toContain(NAME)
    expect(existsSync(partnerDir)).toBe(false)

    expect(pageErrors).toEqual([])
    const code = await new Promise<number | null>((resolve) => {
      studio.on('close', resolve)
      studio.kill('SIGTERM')
    })
    expect(code).toBe(0)
  }, 120_000)
})
