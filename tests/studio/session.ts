/**
 * A Studio session for the browser tests: `npm run studio` on a fresh import of the sample, and
 * Debian Chromium (playwright-core) with a persistent profile in which only loopback names resolve.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'
import {expect} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {firstLine} from '../helpers/firstLine.ts'
import {NODE, runScript, testEnv} from '../helpers/run.ts'

export const CHROMIUM = '/usr/bin/chromium'
/** Where the screenshots go (ignored by git). */
export const RESULTS = join(ROOT, 'test-results')

/** The JSON line `npm run studio --json` prints first. */
export interface StudioInfo {
  studioUrl: string
  loginUrl: string
  token: string
  trust: {trusted: boolean}
}

/**
 * Import the sample into `datasetPath`, then start `npm run studio` on it with its TLS files in
 * `dir/tls` and HOME set to `home`: the process at once, its first JSON line once printed.
 */
export function startStudio(opts: {
  dir: string
  datasetPath: string
  home: string
  /** Pass --skip-trust: the CA is not added to the NSS database of `home`. */
  skipTrust?: boolean
}): {process: ChildProcessWithoutNullStreams; info: Promise<StudioInfo>} {
  const imported = runScript('scripts/import/cli.ts', ['--dataset', opts.datasetPath, '--quiet'])
  expect(imported.status, imported.stderr).toBe(0)
  const studio = spawn(
    NODE,
    [
      join(ROOT, 'scripts/studio/cli.ts'),
      '--dataset',
      opts.datasetPath,
      '--port',
      '0',
      '--tls-dir',
      join(opts.dir, 'tls'),
      ...(opts.skipTrust ? ['--skip-trust'] : []),
      '--json',
    ],
    {cwd: ROOT, env: testEnv({HOME: opts.home})},
  )
  let stderr = ''
  studio.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const info = firstLine(studio, (code) => `npm run studio exited ${code}:\n${stderr}`).then(
    (line) => JSON.parse(line) as StudioInfo,
  )
  return {process: studio, info}
}

/**
 * Headless Chromium with a persistent profile at `profile` and its first page. Nothing may leave
 * the machine: every name but localhost, *.localhost and 127.0.0.1 fails to resolve.
 */
export async function launchChromium(
  profile: string,
  opts: {
    /** Add --ignore-certificate-errors (where the Studio's CA is not trusted). */
    ignoreCertificateErrors: boolean
    /** Run Chromium with this HOME (the one whose NSS database holds the Studio's CA). */
    home?: string
  },
): Promise<{context: BrowserContext; page: Page}> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1',
  ]
  if (opts.ignoreCertificateErrors) args.push('--ignore-certificate-errors')
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1400, height: 900},
    args,
    ...(opts.home === undefined ? {} : {env: {...process.env, HOME: opts.home}}),
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {context, page}
}

/**
 * The session of browser.test.ts and partners.test.ts: RESULTS and `home` made, the Studio started
 * with its CA added to the NSS database of `home`, then Chromium run with that HOME (and with
 * --ignore-certificate-errors only where the CA could not be trusted); page errors go to
 * `pageErrors`. The Studio process comes at once, for afterAll to stop; the rest once it is all up.
 */
export function openTrustedSession(opts: {
  dir: string
  datasetPath: string
  home: string
  pageErrors: string[]
}): {
  process: ChildProcessWithoutNullStreams
  ready: Promise<{info: StudioInfo; context: BrowserContext; page: Page}>
} {
  mkdirSync(RESULTS, {recursive: true})
  mkdirSync(opts.home, {recursive: true})
  const studio = startStudio(opts)
  const ready = (async () => {
    const info = await studio.info
    const {context, page} = await launchChromium(join(opts.dir, 'profile'), {
      ignoreCertificateErrors: !info.trust.trusted,
      home: opts.home,
    })
    page.on('pageerror', (e) => opts.pageErrors.push(e.message))
    return {info, context, page}
  })()
  return {process: studio.process, ready}
}

/** After a session: close Chromium, kill the Studio if it still runs, remove `dir`. */
export async function closeSession(
  dir: string,
  studio: ChildProcessWithoutNullStreams | undefined,
  context: BrowserContext | undefined,
): Promise<void> {
  await context?.close()
  if (studio && studio.exitCode === null) studio.kill('SIGKILL')
  rmSync(dir, {recursive: true, force: true})
}

/** Poll `check` every 200 ms until it holds; throws after `ms`. */
export async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
