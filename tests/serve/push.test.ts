/**
 * Push against a real receiver (node:http): every delivery is checked with the `standardwebhooks`
 * package's own `Webhook.verify`, retries, dead letters and restarts go through the real state
 * folder, and no file the pusher writes holds the signing secret.
 */
import {createHash} from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Webhook} from 'standardwebhooks'
import {afterEach, describe, expect, it} from 'vitest'
import {newWebhookSecret, saveCredentials} from '../../scripts/serve/credentials.ts'
import {createPusher, type PushEvent, type PushPartner} from '../../scripts/serve/push/index.ts'
import {strongEtag} from '../../scripts/serve/rules.ts'
import {startReceiver, type Answer, type Receiver} from './push-receiver.ts'

const P = 'clinic-network'
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function setup(answer?: (n: number) => Answer) {
  const dir = mkdtempSync(join(tmpdir(), 'push-'))
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
  const out = join(dir, 'out')
  const folder = join(out, 'partners', P)
  mkdirSync(folder, {recursive: true})
  writeFileSync(join(folder, 'rss.xml'), '<rss>one</rss>')
  writeFileSync(join(folder, 'atom.xml'), '<feed>one</feed>')
  const secret = newWebhookSecret()
  const credentialsPath = join(dir, 'ds.sqlite-partner-credentials.json')
  saveCredentials(credentialsPath, {version: 1, partners: {[P]: {webhookSecret: secret}}})
  const stateDir = join(dir, 'ds.sqlite-deliveries')
  const events: PushEvent[] = []
  const write = (name: string, text: string) => writeFileSync(join(folder, name), text)
  const remove = (name: string) => rmSync(join(folder, name))
  const sha = (name: string) =>
    createHash('sha256')
      .update(readFileSync(join(folder, name)))
      .digest('hex')
  return {dir, out, secret, credentialsPath, stateDir, events, write, remove, sha, answer}
}

async function receiver(answer?: (n: number) => Answer): Promise<Receiver> {
  const r = await startReceiver(answer)
  cleanups.push(() => r.close())
  return r
}

type Setup = ReturnType<typeof setup>
function pusher(
  s: Setup,
  url: string | undefined,
  extra: Partial<Parameters<typeof createPusher>[0]> = {},
) {
  const partners: PushPartner[] = [{name: P, enabled: true, notifyUrl: url}]
  const p = createPusher({
    out: s.out,
    stateDir: s.stateDir,
    credentialsPath: s.credentialsPath,
    partners: () => partners,
    feedsUrl: 'http://feeds.test/',
    backoffMs: () => 20,
    onEvent: (e) => s.events.push(e),
    ...extra,
  })
  cleanups.push(() => p.close())
  return p
}

const verify = (secret: string, r: {body: string; headers: Record<string, unknown>}) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))

describe('push', () => {
  it('delivers a verifiable change within 2 s, and nothing for an unchanged publish', async () => {
    const s = setup()
    const r = await receiver()
    const p = pusher(s, r.url)
    await p.published()
    await p.idle()
    expect(r.requests).toHaveLength(0) // the first look is a baseline
    expect(s.events).toEqual([{type: 'baseline', partner: P, files: 2}])

    s.write('rss.xml', '<rss>two</rss>')
    s.write('new.json', '{}')
    s.remove('atom.xml')
    const started = performance.now()
    void p.published()
    await r.waitFor(1)
    expect(r.requests[0]!.at - started).toBeLessThan(2_000)

    const req = r.requests[0]!
    expect(req.method).toBe('POST')
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/)
    const payload = verify(s.secret, req)
    expect(payload).toEqual({
      type: 'partner.files.changed',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: {
        partner: P,
        files: [
          {path: `partners/${P}/atom.xml`, removed: true},
          {
            path: `partners/${P}/new.json`,
            url: `http://feeds.test/partners/${P}/new.json`,
            etag: strongEtag(s.sha('new.json')),
            sha256: s.sha('new.json'),
          },
          {
            path: `partners/${P}/rss.xml`,
            url: `http://feeds.test/partners/${P}/rss.xml`,
            etag: strongEtag(s.sha('rss.xml')),
            sha256: s.sha('rss.xml'),
          },
        ],
      },
    })
    expect(() => verify(newWebhookSecret(), req)).toThrow()

    await p.idle()
    s.write('rss.xml', '<rss>two</rss>') // same bytes again
    await p.published()
    await p.idle()
    expect(r.requests).toHaveLength(1)
    const log = lines(join(s.stateDir, `${P}.log.jsonl`))
    expect(log).toEqual([
      {
        time: expect.any(String),
        id: req.headers['webhook-id'],
        attempt: 1,
        status: 200,
        ms: expect.any(Number),
        result: 'delivered',
      },
    ])
  })

  it('retries with one webhook-id until delivered, logging every attempt', async () => {
    const s = setup()
    const r = await receiver((n) => (n <= 2 ? {status: n === 1 ? 500 : 503} : {status: 204}))
    const p = pusher(s, r.url)
    await p.published()
    s.write('rss.xml', '<rss>two</rss>')
    await p.published()
    await p.idle()
    expect(r.requests).toHaveLength(3)
    const ids = new Set(r.requests.map((q) => q.headers['webhook-id']))
    expect(ids.size).toBe(1)
    for (const q of r.requests) expect(verify(s.secret, q).data.partner).toBe(P)
    const log = lines(join(s.stateDir, `${P}.log.jsonl`))
    expect(log.map((l) => [l.attempt, l.status, l.result])).toEqual([
      [1, 500, 'retrying'],
      [2, 503, 'retrying'],
      [3, 204, 'delivered'],
    ])
    expect(s.events.map((e) => e.type)).toEqual([
      'baseline',
      'queued',
      'retrying',
      'retrying',
      'delivered',
    ])
  })

  it('counts a redirect (not followed) and a timeout as failures', async () => {
    const s = setup()
    const r = await receiver((n) =>
      n === 1 ? {status: 302, headers: {location: '/followed'}} : n === 2 ? 'hang' : {status: 200},
    )
    const p = pusher(s, r.url, {timeoutMs: 300})
    await p.published()
    s.write('rss.xml', '<rss>two</rss>')
    await p.published()
    await p.idle()
    expect(r.requests.map((q) => q.path)).toEqual(['/hooks/feeds', '/hooks/feeds', '/hooks/feeds'])
    const log = lines(join(s.stateDir, `${P}.log.jsonl`))
    expect(log.map((l) => [l.status ?? l.error, l.result])).toEqual([
      [302, 'retrying'],
      ['timeout', 'retrying'],
      [200, 'delivered'],
    ])
  })

  it('dead-letters after maxAttempts, and no file holds the secret', async () => {
    const s = setup()
    const r = await receiver(() => ({status: 500}))
    const p = pusher(s, r.url, {maxAttempts: 3})
    await p.published()
    s.write('rss.xml', '<rss>two</rss>')
    await p.published()
    await p.idle()
    expect(r.requests).toHaveLength(3)
    const [dead, ...more] = lines(join(s.stateDir, `${P}.dead.jsonl`))
    expect(more).toEqual([])
    expect(dead).toMatchObject({partner: P, attempts: 3, reason: '500'})
    expect(dead.id).toBe(r.requests[0]!.headers['webhook-id'])
    expect(dead.payload).toEqual(JSON.parse(r.requests[2]!.body))
    expect(Object.keys(dead.headers).sort()).toEqual([
      'content-type',
      'webhook-id',
      'webhook-timestamp',
    ])
    expect(lines(join(s.stateDir, `${P}.log.jsonl`)).map((l) => l.result)).toEqual([
      'retrying',
      'retrying',
      'dead-lettered',
    ])
    expect(s.events.at(-1)).toMatchObject({type: 'dead-lettered', attempts: 3})
    expect(
      JSON.parse(readFileSync(join(s.stateDir, 'state.json'), 'utf8')).partners[P].queue,
    ).toEqual([])

    expect(statSync(s.stateDir).mode & 0o777).toBe(0o700)
    for (const f of readdirSync(s.stateDir))
      expect(statSync(join(s.stateDir, f)).mode & 0o777).toBe(0o600)
    const key = s.secret.slice('whsec_'.length)
    const texts = [
      ...readdirSync(s.stateDir).map((f) => readFileSync(join(s.stateDir, f), 'utf8')),
      JSON.stringify(s.events),
    ]
    for (const text of texts) {
      expect(text).not.toContain(key)
      expect(text).not.toContain('webhook-signature')
    }
  })

  it('sends nothing to a disabled partner, one without notifyUrl, or one without a secret', async () => {
    const s = setup()
    const r = await receiver()
    const other = join(s.out, 'partners', 'wellness-app')
    mkdirSync(other)
    writeFileSync(join(other, 'feed.json'), '{}')
    mkdirSync(join(s.out, 'partners', 'no-secret'))
    let partners: PushPartner[] = [
      {name: P, enabled: true},
      {name: 'wellness-app', enabled: false, notifyUrl: r.url},
      {name: 'no-secret', enabled: true, notifyUrl: r.url},
    ]
    const p = pusher(s, undefined, {partners: () => partners})
    await p.published()
    s.write('rss.xml', '<rss>two</rss>')
    writeFileSync(join(other, 'feed.json'), '{"v":2}')
    writeFileSync(join(s.out, 'partners', 'no-secret', 'rss.xml'), '<rss/>')
    await p.published()
    await p.idle()
    expect(r.requests).toHaveLength(0)
    expect(s.events).toEqual([
      {type: 'baseline', partner: 'no-secret', files: 0},
      {type: 'skipped', partner: 'no-secret', reason: expect.stringContaining('no webhook secret')},
    ])

    // Enabled later: a fresh baseline first, then changes are sent.
    partners = [{name: 'wellness-app', enabled: true, notifyUrl: r.url}]
    saveCredentials(s.credentialsPath, {
      version: 1,
      partners: {'wellness-app': {webhookSecret: s.secret}},
    })
    await p.published()
    await p.idle()
    expect(r.requests).toHaveLength(0)
    writeFileSync(join(other, 'feed.json'), '{"v":3}')
    await p.published()
    await r.waitFor(1)
    expect(verify(s.secret, r.requests[0]!).data.files.map((f: any) => f.path)).toEqual([
      'partners/wellness-app/feed.json',
    ])
  })

  it('signs with the secret as it is at send time (rotation)', async () => {
    const s = setup()
    const r = await receiver()
    const p = pusher(s, r.url)
    await p.published()
    const rotated = newWebhookSecret()
    saveCredentials(s.credentialsPath, {version: 1, partners: {[P]: {webhookSecret: rotated}}})
    s.write('rss.xml', '<rss>two</rss>')
    await p.published()
    await r.waitFor(1)
    expect(verify(rotated, r.requests[0]!).type).toBe('partner.files.changed')
    expect(() => verify(s.secret, r.requests[0]!)).toThrow()
  })

  it('close() aborts the attempt under way without counting it; the next start sends it', async () => {
    const s = setup()
    const r = await receiver((n) => (n === 1 ? 'hang' : {status: 200}))
    const first = pusher(s, r.url)
    await first.published()
    s.write('rss.xml', '<rss>two</rss>')
    await first.published()
    await r.waitFor(1)
    await first.close()
    const [queued] = JSON.parse(readFileSync(join(s.stateDir, 'state.json'), 'utf8')).partners[P]
      .queue
    expect(queued).toMatchObject({id: r.requests[0]!.headers['webhook-id'], attempts: 0})

    const second = pusher(s, r.url)
    await second.idle()
    expect(r.requests[1]!.headers['webhook-id']).toBe(queued.id)
    const log = lines(join(s.stateDir, `${P}.log.jsonl`))
    expect(log.map((l) => [l.attempt, l.status ?? l.error, l.result])).toEqual([
      [1, 'aborted', 'stopped'],
      [1, 200, 'delivered'],
    ])
  })

  it('after a restart: sends nothing again, and resends what was undelivered under its id', async () => {
    const s = setup()
    let failing = false
    const r = await receiver(() => ({status: failing ? 500 : 200}))
    const first = pusher(s, r.url)
    await first.published()
    s.write('rss.xml', '<rss>two</rss>')
    await first.published()
    await first.idle()
    await first.close()
    expect(r.requests).toHaveLength(1)

    const second = pusher(s, r.url)
    await second.published()
    await second.idle()
    expect(r.requests).toHaveLength(1) // state remembered: no baseline, no resend
    await second.close()

    failing = true
    s.write('rss.xml', '<rss>three</rss>')
    let retrying: () => void
    const retried = new Promise<void>((resolve) => (retrying = resolve))
    const slow = pusher(s, r.url, {
      backoffMs: () => 300,
      onEvent: (e) => e.type === 'retrying' && retrying(),
    })
    await slow.published()
    await retried
    await slow.close() // undelivered: stays queued in the state, its next attempt 300 ms on
    const id = r.requests[1]!.headers['webhook-id']

    failing = false
    const third = pusher(s, r.url)
    await third.idle()
    expect(r.requests).toHaveLength(3)
    expect(r.requests[2]!.headers['webhook-id']).toBe(id)
    expect(verify(s.secret, r.requests[2]!).data.files[0].etag).toBe(strongEtag(s.sha('rss.xml')))
    const log = lines(join(s.stateDir, `${P}.log.jsonl`))
    expect(log.map((l) => [l.attempt, l.status, l.result])).toEqual([
      [1, 200, 'delivered'],
      [1, 500, 'retrying'],
      [2, 200, 'delivered'],
    ])
  })
})
