/**
 * The feed server over a real port: validators and 304s, HEAD, content types, gzip and br,
 * partner tokens, the auth_request endpoint, traversal and other path tricks, and a tree swapped
 * by renames while requests run.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {Agent} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  credentialsPath,
  hashToken,
  newToken,
  saveCredentials,
} from '../../scripts/serve/credentials.ts'
import {AUTH_PATH, strongEtag} from '../../scripts/serve/rules.ts'
import {startFeedServer, type FeedServer} from '../../scripts/serve/server.ts'
import {decoded, rawExchange, rawGet, request} from './http.ts'
import {sha256, writeOutput} from './outputFixture.ts'

const dir = mkdtempSync(join(tmpdir(), 'feed-server-'))
const out = join(dir, 'dist')
const credentials = credentialsPath(join(dir, 'dataset.sqlite'))
const files = writeOutput(out, 'a')
const tokens = {'clinic-network': newToken(), 'wellness-app': newToken()}
const OUTSIDE = 'OUTSIDE-THE-TREE'
const log: string[] = []
const warnings: string[] = []
let server: FeedServer
let base: string

const get = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
  request(base, target, {method, headers})
const bearer = (token: string) => ({authorization: `Bearer ${token}`})
const fileEtag = (path: string) => strongEtag(sha256(files.get(path)!))

beforeAll(async () => {
  saveCredentials(credentials, {
    version: 1,
    partners: Object.fromEntries(
      Object.entries(tokens).map(([name, token]) => [name, {tokenSha256: hashToken(token)}]),
    ),
  })
  // What the server must never hand out: dotfiles, and files reached through symlinks.
  writeFileSync(join(out, '.hidden'), OUTSIDE)
  writeFileSync(join(out, 'feeds', '.draft.xml'), OUTSIDE)
  writeFileSync(join(dir, 'secret.json'), OUTSIDE)
  mkdirSync(join(dir, 'elsewhere'))
  writeFileSync(join(dir, 'elsewhere', 'page.json'), OUTSIDE)
  symlinkSync(join(dir, 'secret.json'), join(out, 'feeds', 'escape.json'))
  symlinkSync(join(dir, 'elsewhere'), join(out, 'web', 'linked'))
  symlinkSync('../partners/clinic-network/rss.xml', join(out, 'feeds', 'partner.xml'))
  spawnSync('mkfifo', [join(out, 'feeds', 'pipe.xml')])
  server = await startFeedServer({
    out,
    credentialsPath: credentials,
    logRequest: (line) => log.push(line),
    onWarning: (message) => warnings.push(message),
  })
  base = server.url
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('public files', () => {
  it('200 with a strong sha256 ETag, Last-Modified and Cache-Control; 304 on If-None-Match', async () => {
    const res = await get('/feeds/rss.xml')
    expect(res.status).toBe(200)
    expect(res.body).toEqual(files.get('feeds/rss.xml'))
    expect(res.headers.etag).toBe(fileEtag('feeds/rss.xml'))
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(res.headers['cache-control']).toBe('public, max-age=60, must-revalidate')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(Date.parse(res.headers['last-modified']!)).toBeGreaterThan(0)

    const again = await get('/feeds/rss.xml', {'if-none-match': res.headers.etag!})
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    expect(again.headers.etag).toBe(res.headers.etag)
    expect(again.headers['cache-control']).toBe(res.headers['cache-control'])
    // Weak comparison, lists, and `*`.
    for (const inm of [`W/${res.headers.etag}`, `"nope", ${res.headers.etag}`, '*'])
      expect((await get('/feeds/rss.xml', {'if-none-match': inm})).status).toBe(304)
    expect((await get('/feeds/rss.xml', {'if-none-match': '"nope"'})).status).toBe(200)
  })

  it('304 on If-Modified-Since by mtime; If-None-Match takes precedence', async () => {
    const path = join(out, 'web', 'concerns', 'acne.json')
    utimesSync(path, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'))
    const res = await get('/web/concerns/acne.json')
    expect(res.headers['last-modified']).toBe('Fri, 02 Jan 2026 03:04:05 GMT')
    const since = (d: string) => get('/web/concerns/acne.json', {'if-modified-since': d})
    expect((await since('Fri, 02 Jan 2026 03:04:05 GMT')).status).toBe(304)
    expect((await since('Sat, 03 Jan 2026 00:00:00 GMT')).status).toBe(304)
    expect((await since('Thu, 01 Jan 2026 00:00:00 GMT')).status).toBe(200)
    expect((await since('not a date')).status).toBe(200)
    const both = await get('/web/concerns/acne.json', {
      'if-modified-since': 'Sat, 03 Jan 2026 00:00:00 GMT',
      'if-none-match': '"other"',
    })
    expect(both.status).toBe(200)
    expect(both.body).toEqual(files.get('web/concerns/acne.json'))
  })

  it('HEAD: the same headers as GET, no body; from a stat, streamed files too', async () => {
    for (const path of ['/feeds/atom.xml', '/app/bundle.json']) {
      const getRes = await get(path)
      const head = await get(path, {}, 'HEAD')
      expect(head.status).toBe(200)
      expect(head.body.length).toBe(0)
      for (const h of [
        'etag',
        'last-modified',
        'cache-control',
        'content-type',
        'content-length',
        'vary',
      ])
        expect([path, h, head.headers[h]]).toEqual([path, h, getRes.headers[h]])
      expect((await get(path, {'if-none-match': getRes.headers.etag!}, 'HEAD')).status).toBe(304)
    }
  })

  it('content types by format', async () => {
    const types: Record<string, string> = {
      '/feeds/rss.xml': 'application/rss+xml; charset=utf-8',
      '/feeds/atom.xml': 'application/atom+xml; charset=utf-8',
      '/feeds/feed.json': 'application/feed+json',
      '/web/benefits/collagen.json': 'application/json',
      '/app/bundle.json': 'application/json',
      '/manifest.json': 'application/json',
      '/schemas/web-page.v2.schema.json': 'application/json',
      '/partners/wellness-app/content.json': 'application/json',
    }
    for (const [path, type] of Object.entries(types)) {
      const res = await get(path, bearer(tokens['wellness-app']))
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, type])
    }
    const schema = await get('/schemas/web-page.v2.schema.json')
    expect(schema.headers['cache-control']).toBe('public, max-age=3600')
  })

  it('gzip and br by Accept-Encoding, each with its own strong ETag; any of them revalidates', async () => {
    for (const path of ['feeds/rss.xml', 'feeds/feed.json', 'app/bundle.json']) {
      const identityTag = fileEtag(path)
      const seen = new Set<string>()
      for (const [accept, coding] of [
        ['gzip', 'gzip'],
        ['br', 'br'],
        ['gzip, deflate, br', 'br'],
        ['br;q=0.5, gzip', 'gzip'],
        ['br;q=0, gzip;q=0', undefined],
        ['identity', undefined],
        ['*', 'br'],
      ] as const) {
        const res = await get(`/${path}`, {'accept-encoding': accept})
        expect([path, accept, res.headers['content-encoding']]).toEqual([path, accept, coding])
        expect(res.headers.vary).toBe('accept-encoding')
        expect(decoded(res)).toEqual(files.get(path))
        const tag = coding ? `${identityTag.slice(0, -1)}-${coding}"` : identityTag
        expect(res.headers.etag).toBe(tag)
        seen.add(res.headers.etag!)
        const revalidated = await get(`/${path}`, {'accept-encoding': accept, 'if-none-match': tag})
        expect(revalidated.status).toBe(304)
        expect(revalidated.headers.etag).toBe(tag)
      }
      expect(seen.size).toBe(3)
      // A cache holding the gzip copy revalidates with its tag whatever it now accepts.
      const gzipTag = `${identityTag.slice(0, -1)}-gzip"`
      expect((await get(`/${path}`, {'if-none-match': gzipTag})).status).toBe(304)
    }
    // Too small to be worth compressing: one representation, no Vary.
    const small = await get('/web/concerns/acne.json', {'accept-encoding': 'br, gzip'})
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(small.headers.vary).toBeUndefined()
  })
})

describe('partner folders', () => {
  const feed = '/partners/clinic-network/rss.xml'

  it('401 with a Bearer challenge without a Bearer token, whether or not the partner or file exists', async () => {
    for (const path of [
      feed,
      '/partners/clinic-network/missing.xml',
      '/partners/nobody/rss.xml',
      '/partners/x',
      '/Partners/clinic-network/rss.xml',
      '/partners',
    ]) {
      const res = await get(path, {authorization: 'Basic Y2xpbmljOm5ldHdvcms='})
      expect([path, res.status]).toEqual([path, 401])
      expect(res.headers['www-authenticate']).toBe('Bearer realm="partners"')
      expect(res.body.length).toBe(0)
    }
  })

  it('200 with its own token, as a Bearer header or as ?access_token=', async () => {
    const byHeader = await get(feed, bearer(tokens['clinic-network']))
    expect(byHeader.status).toBe(200)
    expect(byHeader.body).toEqual(files.get('partners/clinic-network/rss.xml'))
    expect(byHeader.headers['cache-control']).toBe('private, no-cache')
    const byUrl = await get(`${feed}?access_token=${tokens['clinic-network']}`)
    expect(byUrl.status).toBe(200)
    expect(byUrl.headers.etag).toBe(byHeader.headers.etag)
    const notModified = await get(feed, {
      ...bearer(tokens['clinic-network']),
      'if-none-match': byHeader.headers.etag!,
    })
    expect(notModified.status).toBe(304)
  })

  it("404 with another partner's token or an unknown one, exactly like a missing file", async () => {
    const missing = await get(
      '/partners/clinic-network/missing.xml',
      bearer(tokens['clinic-network']),
    )
    for (const [target, headers] of [
      [feed, bearer(tokens['wellness-app'])],
      [`${feed}?access_token=${tokens['wellness-app']}`, {}],
      [feed, bearer(newToken())],
      ['/partners/nobody/rss.xml', bearer(tokens['clinic-network'])],
      ['/partners/wellness-app/feed.json', bearer(tokens['clinic-network'])],
    ] as const) {
      const res = await get(target, headers)
      expect([target, res.status, res.body.length]).toEqual([target, 404, 0])
      expect(res.headers['www-authenticate']).toBeUndefined()
      expect(res.headers['content-type']).toBe(missing.headers['content-type'])
    }
  })

  it('no listing of a partner folder, even with its token', async () => {
    for (const path of ['/partners/clinic-network/', '/partners/clinic-network', '/partners/'])
      expect((await get(path, bearer(tokens['clinic-network']))).status).toBe(404)
  })
})

describe('the auth_request endpoint', () => {
  const auth = (uri: string | undefined, headers: Record<string, string> = {}) =>
    get(AUTH_PATH, {...(uri === undefined ? {} : {'x-original-uri': uri}), ...headers})

  it('204 where the file route would serve, 401 where it would ask, 403 where it would 404', async () => {
    const cases: Array<[string | undefined, Record<string, string>, number]> = [
      ['/feeds/rss.xml', {}, 204],
      ['/feeds/missing.xml', {}, 204],
      ['/partners/clinic-network/rss.xml', {}, 401],
      ['/partners/clinic-network/rss.xml', bearer(tokens['clinic-network']), 204],
      [`/partners/clinic-network/rss.xml?access_token=${tokens['clinic-network']}`, {}, 204],
      ['/partners/clinic-network/rss.xml', bearer(tokens['wellness-app']), 403],
      ['/partners/clinic-network/rss.xml', bearer(newToken()), 403],
      ['/feeds/%2e%2e/partners/clinic-network/rss.xml', {}, 403],
      ['/feeds/%zz', {}, 403],
      [undefined, {}, 403],
    ]
    for (const [uri, headers, status] of cases) {
      const res = await auth(uri, headers)
      expect([uri, res.status, res.body.length]).toEqual([uri, status, 0])
      if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer realm="partners"')
    }
  })
})

describe('paths that name nothing', () => {
  it('traversal, encoded separators, NUL, dotfiles, absolute paths and symlinks: 404, never a file outside', async () => {
    const targets = [
      '/../manifest.json',
      '/../secret.json',
      '/feeds/../../secret.json',
      '/%2e%2e/secret.json',
      '/%2E%2E/secret.json',
      '/feeds/%2e%2e/%2e%2e/etc/passwd',
      '/feeds/%2e%2e/manifest.json',
      '/feeds%2f..%2f..%2fsecret.json',
      '/feeds%2frss.xml',
      '/feeds/..%2f..%2fsecret.json',
      '/feeds/%5c..%5c..%5csecret.json',
      '/feeds\\..\\..\\secret.json',
      '/feeds/rss.xml%00',
      '/feeds/rss.xml%00.json',
      '//etc/passwd',
      '/%2fetc/passwd',
      '/etc/passwd',
      `/${dir.slice(1)}/secret.json`,
      `/%2f${dir.slice(1)}/secret.json`,
      'http://127.0.0.1/etc/passwd',
      '/./feeds/rss.xml',
      '/feeds/./rss.xml',
      '/feeds//rss.xml',
      '/.hidden',
      '/%2ehidden',
      '/feeds/.draft.xml',
      '/feeds/escape.json',
      '/web/linked/page.json',
      '/feeds/partner.xml',
      '/feeds/pipe.xml',
      '/partners/clinic-network/%2e%2e/wellness-app/feed.json',
    ]
    for (const target of targets) {
      const res = await rawGet(base, target)
      expect([target, res.status]).toEqual([target, 404])
      expect(res.text).not.toContain(OUTSIDE)
      expect(res.text).not.toContain('root:')
    }
    // The partner trick with a token: still 404, never the other partner's file.
    const sneaky = await rawGet(base, '/partners/clinic-network/%2e%2e/wellness-app/feed.json', [
      `Authorization: Bearer ${tokens['clinic-network']}`,
    ])
    expect(sneaky.status).toBe(404)
  })

  it('no directory listings', async () => {
    for (const target of ['/', '/feeds', '/feeds/', '/web/', '/web/benefits', '/app/'])
      expect([target, (await rawGet(base, target)).status]).toEqual([target, 404])
  })

  it('malformed requests are 4xx, never 5xx; other methods find nothing', async () => {
    expect((await rawGet(base, '/feeds/%zz')).status).toBe(400)
    expect((await rawGet(base, '/feeds/%E0%A4%A')).status).toBe(400)
    const longUrl = await rawGet(base, `/feeds/${'a'.repeat(20_000)}.xml`)
    expect(longUrl.status).toBeGreaterThanOrEqual(400)
    expect(longUrl.status).toBeLessThan(500)
    const hugeHeader = await rawGet(base, '/feeds/rss.xml', [`X-Big: ${'b'.repeat(40_000)}`])
    expect(hugeHeader.status).toBe(431)
    const garbage = await rawExchange(base, 'NOT AN HTTP REQUEST\r\n\r\n')
    expect(garbage.status).toBe(400)
    for (const method of ['POST', 'PUT', 'DELETE'])
      expect((await get('/feeds/rss.xml', {}, method)).status).toBe(404)
    expect(warnings).toEqual([])
  })
})

describe('the request log', () => {
  it('one line per request, path without its query, never a token', () => {
    expect(log.length).toBeGreaterThan(50)
    for (const line of log) expect(line).toMatch(/^[A-Z]+ \S* \d{3} \d+\.\dms$/)
    expect(log.some((l) => l.startsWith('GET /partners/clinic-network/rss.xml 200 '))).toBe(true)
    expect(log.some((l) => l.startsWith(`GET ${AUTH_PATH} 204 `))).toBe(true)
    const text = log.join('\n')
    for (const token of Object.values(tokens)) expect(text).not.toContain(token)
    expect(text).not.toContain('access_token')
  })
})

describe('keep-alive', () => {
  it('many requests over one connection', async () => {
    const agent = new Agent({keepAlive: true, maxSockets: 1})
    try {
      for (let i = 0; i < 20; i++) {
        const res = await request(base, '/feeds/feed.json', {agent})
        expect(decoded(res)).toEqual(files.get('feeds/feed.json'))
      }
    } finally {
      agent.destroy()
    }
  })
})
