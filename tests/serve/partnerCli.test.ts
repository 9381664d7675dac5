/**
 * `npm run partner` as a real process against a dataset holding partner documents, and its tokens
 * against a running feed server: a new token opens the partner's folder, a rotation revokes the
 * old one on the running server, and no token or secret is ever written anywhere but stdout once.
 */
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {credentialsPath, hashToken} from '../../scripts/serve/credentials.ts'
import {startFeedServer, type FeedServer} from '../../scripts/serve/server.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {runScript} from '../helpers/run.ts'
import {request} from './http.ts'
import {writeOutput} from './outputFixture.ts'

const dir = mkdtempSync(join(tmpdir(), 'partner-cli-'))
const datasetPath = join(dir, 'dataset.sqlite')
const credentials = credentialsPath(datasetPath)
const out = join(dir, 'dist')
const feed = '/partners/clinic-network/rss.xml'
/** Every token and secret the CLI printed, and everything else it wrote. */
const issued: string[] = []
const stderrs: string[] = []
const log: string[] = []
let server: FeedServer

function cli(args: string[], dataset = datasetPath) {
  const r = runScript('scripts/partner/cli.ts', [...args, '--dataset', dataset])
  stderrs.push(r.stderr)
  return r
}

const status = async (target: string, token?: string) =>
  (
    await request(server.url, target, {
      headers: token ? {authorization: `Bearer ${token}`} : {},
    })
  ).status

/** Poll until `check` holds (the server re-reads credentials at most every 500 ms). */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50))
    if (await check()) return true
  return check()
}

beforeAll(async () => {
  const ds = Dataset.open(datasetPath)
  ds.transaction([
    {
      createOrReplace: {
        _id: 'partner-clinic-network',
        _type: 'partner',
        title: 'Clinic network waiting rooms',
        name: {_type: 'slug', current: 'clinic-network'},
        enabled: true,
      },
    },
    {
      createOrReplace: {
        _id: 'partner-wellness-app',
        _type: 'partner',
        title: 'Wellness app',
        name: {_type: 'slug', current: 'wellness-app'},
        enabled: false,
        notifyUrl: 'https://wellness.example/hooks/feeds',
      },
    },
    {
      createOrReplace: {
        _id: 'drafts.partner-new-clinic',
        _type: 'partner',
        title: 'New clinic',
        name: {_type: 'slug', current: 'new-clinic'},
      },
    },
  ])
  ds.close()
  writeOutput(out, 'a')
  server = await startFeedServer({
    out,
    credentialsPath: credentials,
    logRequest: (line) => log.push(line),
  })
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('npm run partner', () => {
  it('--help prints the usage', () => {
    const r = runScript('scripts/partner/cli.ts', ['--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Usage: npm run partner -- token <name>')
    expect(r.stdout).toContain('webhook-secret <name>')
  })

  it('list: every published partner document, nothing set yet', () => {
    const r = cli(['list', '--json'])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      dataset: datasetPath,
      partners: [
        {
          name: 'clinic-network',
          title: 'Clinic network waiting rooms',
          enabled: true,
          document: true,
          tokenSet: false,
          webhookSecretSet: false,
        },
        {
          name: 'wellness-app',
          title: 'Wellness app',
          enabled: false,
          notifyUrl: 'https://wellness.example/hooks/feeds',
          document: true,
          tokenSet: false,
          webhookSecretSet: false,
        },
      ],
    })
  })

  it('token: printed once as {"partner","token"}, only its hash stored (0600)', async () => {
    const r = cli(['token', 'clinic-network', '--json'])
    expect(r.status).toBe(0)
    const printed = JSON.parse(r.stdout) as {partner: string; token: string}
    expect(Object.keys(printed)).toEqual(['partner', 'token'])
    expect(printed.partner).toBe('clinic-network')
    expect(printed.token).toMatch(/^skp_[A-Za-z0-9_-]{43}$/)
    issued.push(printed.token)
    expect(r.stderr).toContain('clinic-network has a token now')

    const stored = readFileSync(credentials, 'utf8')
    expect(stored).toContain(hashToken(printed.token))
    expect(statSync(credentials).mode & 0o777).toBe(0o600)

    expect(await status(feed)).toBe(401)
    expect(await eventually(async () => (await status(feed, printed.token)) === 200)).toBe(true)
    expect(await status(`${feed}?access_token=${printed.token}`)).toBe(200)
    expect(await status('/partners/wellness-app/feed.json', printed.token)).toBe(404)
  })

  it('token again: rotates; the running server stops accepting the old one', async () => {
    const old = issued[0]!
    const r = cli(['token', 'clinic-network'])
    expect(r.status).toBe(0)
    const fresh = /^ {2}(skp_\S+)$/m.exec(r.stdout)?.[1]
    expect(fresh).toBeDefined()
    issued.push(fresh!)
    expect(r.stdout.split(fresh!).length).toBe(2)
    expect(r.stderr).toContain('replaced the token of clinic-network')
    expect(await eventually(async () => (await status(feed, old)) === 404)).toBe(true)
    expect(await status(`${feed}?access_token=${old}`)).toBe(404)
    expect(await status(feed, fresh)).toBe(200)
  })

  it('webhook-secret: a whsec_ secret printed once as {"partner","secret"}', () => {
    const r = cli(['webhook-secret', 'wellness-app', '--json'])
    expect(r.status).toBe(0)
    const printed = JSON.parse(r.stdout) as {partner: string; secret: string}
    expect(Object.keys(printed)).toEqual(['partner', 'secret'])
    expect(printed.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    issued.push(printed.secret)
    expect(r.stderr).toContain('wellness-app is disabled')
    const again = cli(['webhook-secret', 'wellness-app'])
    expect(again.status).toBe(0)
    expect(again.stderr).toContain('replaced the webhook secret of wellness-app')
    const secret = /^ {2}(whsec_\S+)$/m.exec(again.stdout)?.[1]
    expect(secret).toBeDefined()
    expect(secret).not.toBe(printed.secret)
  })

  it('list: whether a token and a secret are set, never what they are', () => {
    const json = cli(['list', '--json'])
    const human = cli(['list'])
    expect(json.status).toBe(0)
    expect(human.status).toBe(0)
    const partners = (JSON.parse(json.stdout) as {partners: Array<Record<string, unknown>>})
      .partners
    expect(partners.map((p) => [p.name, p.enabled, p.tokenSet, p.webhookSecretSet])).toEqual([
      ['clinic-network', true, true, false],
      ['wellness-app', false, false, true],
    ])
    expect(human.stdout).toMatch(/^clinic-network\s+yes\s+set\s+-\s+-\s+Clinic network/m)
    expect(human.stdout).toMatch(/^wellness-app\s+no\s+-\s+set\s+https:\/\/wellness/m)
    for (const secret of issued) {
      expect(json.stdout).not.toContain(secret)
      expect(human.stdout).not.toContain(secret)
    }
  })

  it('unknown or draft-only partners, wrong usage and a missing dataset: clear errors', () => {
    const unknown = cli(['token', 'nobody'])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain('no published partner document named "nobody"')
    expect(unknown.stderr).toContain('partners: clinic-network, wellness-app')
    const draft = cli(['token', 'new-clinic'])
    expect(draft.status).toBe(1)
    expect(draft.stderr).toContain('exists only as a draft')
    const asJson = cli(['webhook-secret', 'nobody', '--json'])
    expect(asJson.status).toBe(1)
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      ok: false,
      error: {code: 'PARTNER_NOT_FOUND'},
    })
    expect(cli(['token']).status).toBe(2)
    expect(cli(['list', 'extra']).status).toBe(2)
    expect(cli(['frobnicate']).status).toBe(2)
    const missing = cli(['list'], join(dir, 'none.sqlite'))
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('dataset not found')
  })

  it('no token or secret in the credentials file (tokens), stderr or the request log', () => {
    const stored = readFileSync(credentials, 'utf8')
    const everything = [...stderrs, log.join('\n')].join('\n')
    for (const value of issued) {
      if (value.startsWith('skp_')) expect(stored).not.toContain(value)
      expect(everything).not.toContain(value)
    }
    expect(log.some((line) => line.startsWith(`GET ${feed} 200 `))).toBe(true)
  })
})
