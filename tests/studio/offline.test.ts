/**
 * The Studio makes no request off the machine. Chromium runs with every name but loopback
 * unresolvable, so a request to an outside host could not succeed anyway: the test records every
 * request the page makes (page.on('request') sees them before resolution) through login, the
 * desk, opening a benefit and editing it, and asserts that all of them went to loopback. An
 * outside request the Studio starts later (a poll) would show up here as soon as it is made
 * during the walk-through.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {NODE, runScript, testEnv} from '../helpers/run.ts'

const CHROMIUM = '/usr/bin/chromium'
const RESULTS = join(ROOT, 'test-results')
const BENEFIT_ID = 'benefit-microneedling-minimizes-pores'
const EDITED = 'Minimizes Pores (edited offline)'

const dir = mkdtempSync(join(tmpdir(), 'studio-offline-'))
const datasetPath = join(dir, 'dataset.sqlite')
let studio: ChildProcessWithoutNullStreams
let stderr = ''
let info: {studioUrl: string; loginUrl: string}
let context: BrowserContext
let page: Page
/** Every URL the browser asked for, in order (http, https, ws, wss). */
const requested: string[] = []

/** localhost, its subdomains (the Studio's `<projectId>.localhost` API host) and 127.0.0.1. */
const isLoopback = (url: string): boolean => {
  const host = new URL(url).hostname
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1'
}

function firstLine(proc: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const nl = out.indexOf('\n')
      if (nl !== -1) resolve(out.slice(0, nl))
    })
    proc.on('close', (code) => reject(new Error(`npm run studio exited ${code}:\n${stderr}`)))
  })
}

const draftTitle = () => {
  const ds = Dataset.open(datasetPath)
  try {
    return ds.get(`drafts.${BENEFIT_ID}`)?.title
  } finally {
    ds.close()
  }
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

beforeAll(async () => {
  mkdirSync(RESULTS, {recursive: true})
  const imported = runScript('scripts/import/cli.ts', ['--dataset', datasetPath, '--quiet'])
  expect(imported.status, imported.stderr).toBe(0)
  studio = spawn(
    NODE,
    [
      join(ROOT, 'scripts/studio/cli.ts'),
      '--dataset',
      datasetPath,
      '--port',
      '0',
      '--tls-dir',
      join(dir, 'tls'),
      '--skip-trust',
      '--json',
    ],
    {cwd: ROOT, env: testEnv({HOME: join(dir, 'home')})},
  )
  studio.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  info = JSON.parse(await firstLine(studio)) as typeof info
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1400, height: 900},
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--ignore-certificate-errors',
      // Nothing can leave the machine; the request log shows whether anything tried.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1',
    ],
  })
  context.on('request', (r) => {
    if (/^(https?|wss?):/.test(r.url())) requested.push(r.url())
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.on('websocket', (ws) => requested.push(ws.url()))
}, 240_000)

afterAll(async () => {
  await context?.close()
  if (studio && studio.exitCode === null) studio.kill('SIGKILL')
  rmSync(dir, {recursive: true, force: true})
})

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
