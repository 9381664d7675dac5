/**
 * The Studio makes no request off the machine. Chromium runs with every name but loopback
 * unresolvable, so a request to an outside host could not succeed anyway: the test records every
 * request the page makes (page.on('request') sees them before resolution) through login, the
 * desk, opening a benefit and editing it, and asserts that all of them went to loopback. An
 * outside request the Studio starts later (a poll) would show up here as soon as it is made
 * during the walk-through.
 */
import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {BrowserContext, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import {
  CHROMIUM,
  closeSession,
  launchChromium,
  RESULTS,
  startStudio,
  until,
  type StudioInfo,
} from './session.ts'

const BENEFIT_ID = 'benefit-microneedling-minimizes-pores'
const EDITED = 'Minimizes Pores (edited offline)'

const dir = mkdtempSync(join(tmpdir(), 'studio-offline-'))
const datasetPath = join(dir, 'dataset.sqlite')
let studio: ChildProcessWithoutNullStreams
let info: StudioInfo
let context: BrowserContext
let page: Page
/** Every URL the browser asked for, in order (http, https, ws, wss). */
const requested: string[] = []

/** localhost, its subdomains (the Studio's `<projectId>.localhost` API host) and 127.0.0.1. */
const isLoopback = (url: string): boolean => {
  const host = new URL(url).hostname
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1'
}

const draftTitle = () => {
  const ds = Dataset.open(datasetPath)
  try {
    return ds.get(`drafts.${BENEFIT_ID}`)?.title
  } finally {
    ds.close()
  }
}

beforeAll(async () => {
  mkdirSync(RESULTS, {recursive: true})
  const started = startStudio({dir, datasetPath, home: join(dir, 'home'), skipTrust: true})
  studio = started.process
  info = await started.info
  // Nothing can leave the machine; the request log shows whether anything tried.
  const browser = await launchChromium(join(dir, 'profile'), {ignoreCertificateErrors: true})
  context = browser.context
  context.on('request', (r) => {
    if (/^(https?|wss?):/.test(r.url())) requested.push(r.url())
  })
  page = browser.page
  page.on('websocket', (ws) => requested.push(ws.url()))
}, 240_000)

afterAll(() => closeSession(dir, studio, context))

describe.skipIf(!existsSync(CHROMIUM))('Studio offline', () => {
  it('logs in, lists benefits, opens and edits one, asking only loopback hosts', async () => {
    await page.goto(info.loginUrl, {waitUntil: 'domcontentloaded'})
    await page.getByText('Benefits').first().waitFor({timeout: 60_000})
    await page.goto(`${info.studioUrl}/structure/benefit`, {waitUntil: 'domcontentloaded'})
    await page.getByText('Minimizes Pores', {exact: true}).first().click({timeout: 60_000})
    const title = page.locator('input#title')
    await title.waitFor({timeout: 60_000})
    await title.click()
    await title.press('Control+A')
    await title.pressSequentially(EDITED, {delay: 10})
    await until(() => draftTitle() === EDITED, 'the edit to reach the dataset as a draft')
    await page.screenshot({path: join(RESULTS, 'studio-offline.png')})

    expect(requested.length).toBeGreaterThan(0)
    expect(requested.filter((url) => !isLoopback(url))).toEqual([])
  }, 180_000)
})
