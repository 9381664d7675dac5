/**
 * `npm run serve` end to end, as a real process on a dataset `npm start` made: the shared
 * conformance checks against its feed server (the same ones nginx passes), a partner document
 * edited through the local API as the Studio does and the next publish changing that partner's
 * files, and a Standard Webhooks push to the partner's notify receiver, verified with the
 * `standardwebhooks` package — none for a publish that leaves the partner's files alone. Tokens
 * never reach a log, the output or the dataset's folder.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createClient, type SanityClient} from '@sanity/client'
import {Webhook} from 'standardwebhooks'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {NODE, runScript, testEnv} from '../helpers/run.ts'
import {CONFORMANCE_CHECKS, type PartnerToken} from './conformance.ts'
import {request} from './http.ts'
import {startReceiver, type Receiver} from './push-receiver.ts'

const DEADLINE_MS = 60_000
const CLINIC = 'clinic-network'
const BENEFIT = 'benefit-microneedling-minimizes-pores'

const dir = mkdtempSync(join(tmpdir(), 'serve-'))
const datasetPath = join(dir, 'dataset.sqlite')
const out = join(dir, 'dist')
let serve: ChildProcessWithoutNullStreams
let exited: Promise<number | null>
let stdout = ''
let stderr = ''
let info: {feedsUrl: string; apiHttpUrl: string; projectId: string; dataset: string; token: string}
let client: SanityClient
let receiver: Receiver
const partners: PartnerToken[] = []
let secret: string

/** Poll `check` until it returns a value (not undefined) or the deadline passes. */
async function eventually<T>(what: string, check: () => T | undefined, ms = DEADLINE_MS) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstderr:\n${stderr}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

function partnerCli(args: string[]): Record<string, string> {
  const r = runScript('scripts/partner/cli.ts', [...args, '--dataset', datasetPath, '--json'])
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Record<string, string>
}

/** Lines of stderr that report a publish, so far. */
const publishes = () => stderr.split('\n').filter((l) => /^(published|exported) /.test(l))

/** Every file under a folder, recursively. */
const filesUnder = (folder: string): string[] =>
  readdirSync(folder, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))

beforeAll(async () => {
  const started = runScript('scripts/start.ts', [
    '--dataset',
    datasetPath,
    '--out',
    join(dir, 'dist-start'),
    '--quiet',
  ])
  expect(started.status, started.stderr).toBe(0)
  for (const name of [CLINIC, 'wellness-app'])
    partners.push({name, token: partnerCli(['token', name]).token!})
  secret = partnerCli(['webhook-secret', CLINIC]).secret!
  receiver = await startReceiver()
  serve = spawn(
    NODE,
    [
      join(ROOT, 'scripts/serve/cli.ts'),
      '--dataset',
      datasetPath,
      '--out',
      out,
      '--port',
      '0',
      '--json',
      '--verbose',
    ],
    {cwd: ROOT, env: testEnv()},
  )
  serve.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  serve.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  exited = new Promise((resolve) => serve.on('exit', resolve))
  const line = await eventually('the ready line', () =>
    stdout.includes('\n') ? stdout.slice(0, stdout.indexOf('\n')) : undefined,
  )
  info = JSON.parse(line) as typeof info
  client = createClient({
    projectId: info.projectId,
    dataset: info.dataset,
    apiHost: info.apiHttpUrl,
    apiVersion: '2025-02-19',
    token: info.token,
    useProjectHostname: false,
    useCdn: false,
  })
}, DEADLINE_MS * 2)

afterAll(async () => {
  if (serve && serve.exitCode === null) serve.kill('SIGKILL')
  await receiver?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('npm run serve', () => {
  it('prints one ready line naming the feed server, the API and its dataset', () => {
    expect(info.feedsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(info.apiHttpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(info.dataset).toBe('production')
  })

  describe('serves the output folder as every server of it must', () => {
    for (const check of CONFORMANCE_CHECKS)
      it(check.name, () => check.run({baseUrl: info.feedsUrl, out, partners, logs: () => stderr}))
  })

  it(
    "a partner edited through the API changes that partner's files on the next publish",
    async () => {
      const rss = join(out, 'partners', CLINIC, 'rss.xml')
      const items = () => readFileSync(rss, 'utf8').split('<item>').length - 1
      expect(items()).toBeGreaterThan(2)
      await client.patch(`partner-${CLINIC}`).set({maxItems: 2}).commit()
      await eventually('the partner feed cut to 2 items', () => (items() === 2 ? true : undefined))
      await client
        .patch('partner-wellness-app')
        .set({formats: ['jsonfeed']})
        .commit()
      await eventually('content.json gone', () => {
        const names = readdirSync(join(out, 'partners', 'wellness-app'))
        return names.join() === 'feed.json' ? true : undefined
      })
    },
    DEADLINE_MS,
  )

  it(
    'pushes a signed delivery when a publish changes the partner files, and only then',
    async () => {
      // Turning push on changes no file: the pusher records its baseline, sends nothing.
      await client.patch(`partner-${CLINIC}`).set({notifyUrl: receiver.url}).commit()
      await eventually('the baseline', () =>
        stderr.includes(`push: ${CLINIC}: watching`) ? true : undefined,
      )
      // A document the partner does not receive (wellness-app's only): its files stay as they were.
      const before = publishes().length
      await client.patch('partner-wellness-app').set({maxItems: 3}).commit()
      await eventually('that publish', () => (publishes().length > before ? true : undefined))
      // A benefit the clinic network's RSS and Atom feeds carry.
      await client.patch(BENEFIT).set({title: 'Minimizes Pores (served)'}).commit()
      const published = publishes().length
      await eventually('the benefit published', () =>
        publishes().length > published ? performance.now() : undefined,
      )
      const publishedAt = performance.now()
      await receiver.waitFor(1, 10_000)
      expect(receiver.requests).toHaveLength(1)
      const [delivery] = receiver.requests
      // Within 2 s of the publish that changed the files (the bound partners are promised).
      expect(delivery!.at - publishedAt).toBeLessThan(2_000)
      const headers = delivery!.headers as Record<string, string>
      const payload = new Webhook(secret).verify(delivery!.body, headers) as {
        type: string
        data: {partner: string; files: Array<{path: string; etag: string; url: string}>}
      }
      expect(payload.type).toBe('partner.files.changed')
      expect(payload.data.partner).toBe(CLINIC)
      expect(payload.data.files.map((f) => f.path).sort()).toEqual([
        `partners/${CLINIC}/atom.xml`,
        `partners/${CLINIC}/rss.xml`,
      ])
      // The ETags it names are the ones the feed server now sends.
      const token = partners.find((p) => p.name === CLINIC)!.token
      for (const f of payload.data.files) {
        const res = await request(info.feedsUrl, `/${f.path}`, {
          headers: {authorization: `Bearer ${token}`},
        })
        expect(res.status).toBe(200)
        expect(res.headers.etag).toBe(f.etag)
        expect(f.url).toBe(`${info.feedsUrl}/${f.path}`)
      }
      // Nothing else arrives: the earlier publishes left the clinic network's files alone.
      await new Promise((r) => setTimeout(r, 500))
      expect(receiver.requests).toHaveLength(1)
    },
    DEADLINE_MS,
  )

  it(
    'stops on SIGTERM (exit 0); no token in its output, the published files or beside the dataset',
    async () => {
      serve.kill('SIGTERM')
      expect(await exited).toBe(0)
      const places = [...filesUnder(out), ...filesUnder(dir).filter((f) => !f.startsWith(out))]
      expect(places.length).toBeGreaterThan(10)
      for (const {name, token} of partners) {
        expect(stdout.includes(token) || stderr.includes(token), `${name}'s token printed`).toBe(
          false,
        )
        for (const file of places)
          if (statSync(file).size < 64 * 1024 * 1024)
            expect(readFileSync(file).includes(token), `${name}'s token in ${file}`).toBe(false)
      }
      expect(stdout.includes(secret) || stderr.includes(secret)).toBe(false)
    },
    DEADLINE_MS,
  )
})
