/**
 * How any server of the output folder must behave, as checks over real HTTP:
 * `npm run serve` (serve.test.ts) and nginx running the generated configuration (nginx.test.ts)
 * both pass them. Expectations come
 * from the folder on disk and rules.ts (mediaTypeOf, cacheControlOf); requests go out through
 * http.ts with the target exactly as written, so nothing normalizes a trick away.
 *
 * Use `CONFORMANCE_CHECKS` one `it` each, in order: the log check comes last.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {expect} from 'vitest'
import type {PartnerProfile} from '../../scripts/feeds/outputs/partnerProfile.ts'
import {
  credentialsPath as credentialsPathOf,
  hashToken,
  newToken,
  saveCredentials,
} from '../../scripts/serve/credentials.ts'
import {cacheControlOf, mediaTypeOf, partnerOfPath} from '../../scripts/serve/rules.ts'
import {exportTo, fixtureDataset} from '../feeds/helpers.ts'
import {decoded, request as send} from './http.ts'

export interface PartnerToken {
  name: string
  token: string
}

export interface ServerUnderTest {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string
  /** The output folder it serves. */
  out: string
  /** At least two partners with folders in `out`, and their current tokens. */
  partners: PartnerToken[]
  /** Everything the server logged so far (access and error logs); checked for tokens last. */
  logs?: () => string
}

// --- the folder -----------------------------------------------------------------------------------

/** Every file under `out`, as `/`-separated output paths, sorted. */
export function filesIn(out: string): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else files.push(relative(out, p).split('\\').join('/'))
    }
  }
  walk(out)
  return files
}

const bearer = (token: string) => ({authorization: `Bearer ${token}`})

function tokenOf(s: ServerUnderTest, name: string): string {
  const p = s.partners.find((x) => x.name === name)
  if (!p) throw new Error(`no token for partner ${name}`)
  return p.token
}

/** The first file of a partner's folder that is at least `minBytes` long. */
function partnerFile(s: ServerUnderTest, name: string, minBytes = 0): string {
  const path = filesIn(s.out).find(
    (f) => partnerOfPath(f) === name && statSync(join(s.out, f)).size >= minBytes,
  )
  if (!path) throw new Error(`partner ${name} has no file of ${minBytes}+ bytes in ${s.out}`)
  return path
}

const PUBLIC_FEED = 'feeds/rss.xml'

function pairs(s: ServerUnderTest): (readonly [PartnerToken, PartnerToken])[] {
  expect(s.partners.length, 'the checks need two partners').toBeGreaterThanOrEqual(2)
  return s.partners.flatMap((a) => s.partners.filter((b) => b !== a).map((b) => [a, b] as const))
}

const fileBytes = (s: ServerUnderTest, path: string) => readFileSync(join(s.out, path))
const mtimeSeconds = (s: ServerUnderTest, path: string) =>
  Math.floor(statSync(join(s.out, path)).mtimeMs / 1000) * 1000

// --- the checks -----------------------------------------------------------------------------------

export interface ConformanceCheck {
  name: string
  run: (s: ServerUnderTest) => Promise<void>
}

/** A conditional GET round: ETag → 304, Last-Modified → 304, older or other validators → 200. */
async function conditional(s: ServerUnderTest, path: string, headers: Record<string, string>) {
  const target = `/${path}`
  const first = await send(s.baseUrl, target, {headers})
  expect(first.status, target).toBe(200)
  const etag = first.headers.etag!
  const lastModified = first.headers['last-modified']!
  expect(etag, 'a strong ETag').toMatch(/^"[^"]+"$/)
  expect(Date.parse(lastModified)).toBe(mtimeSeconds(s, path))

  for (const inm of [etag, `"other", ${etag}`, '*']) {
    const res = await send(s.baseUrl, target, {headers: {...headers, 'if-none-match': inm}})
    expect(res.status, `If-None-Match: ${inm}`).toBe(304)
    expect(res.body.length).toBe(0)
    expect(res.headers.etag).toBe(etag)
  }
  const head = await send(s.baseUrl, target, {
    method: 'HEAD',
    headers: {...headers, 'if-none-match': etag},
  })
  expect(head.status, 'HEAD with If-None-Match').toBe(304)
  const other = await send(s.baseUrl, target, {headers: {...headers, 'if-none-match': '"other"'}})
  expect(other.status, 'If-None-Match of another tag').toBe(200)

  const since = await send(s.baseUrl, target, {
    headers: {...headers, 'if-modified-since': lastModified},
  })
  expect(since.status, 'If-Modified-Since: Last-Modified').toBe(304)
  const before = new Date(Date.parse(lastModified) - 3600_000).toUTCString()
  const older = await send(s.baseUrl, target, {headers: {...headers, 'if-modified-since': before}})
  expect(older.status, 'If-Modified-Since an hour before').toBe(200)
  return etag
}

/** Requests that must be a 404 whoever asks: they name no file inside the folder. */
export const TRICK_TARGETS = [
  '/../manifest.json',
  '/../../../../etc/passwd',
  '/feeds/../manifest.json',
  '/feeds/./rss.xml',
  '/./manifest.json',
  '/feeds/%2e%2e/manifest.json',
  '/feeds/%2E%2E/manifest.json',
  '/feeds/.%2e/manifest.json',
  '/feeds/%2e./manifest.json',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/feeds/..%2fmanifest.json',
  '/feeds/..%2Fmanifest.json',
  '/feeds/..%5cmanifest.json',
  '/feeds%2frss.xml',
  '/feeds%2Frss.xml',
  '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/%2fetc%2fpasswd',
  '//etc/passwd',
  '//manifest.json',
  '/feeds//rss.xml',
  '/etc/passwd',
  '/manifest.json%00',
  '/feeds/rss.xml%00.json',
  '/.git/config',
  '/.env',
  '/feeds/.rss.xml',
  'http://localhost/manifest.json',
  'http://localhost/../manifest.json',
]

export const CONFORMANCE_CHECKS: ConformanceCheck[] = [
  {
    name: 'every file: its bytes, Content-Type, Cache-Control, a strong ETag, Last-Modified',
    async run(s) {
      const files = filesIn(s.out)
      expect(files.length).toBeGreaterThan(5)
      for (const path of files) {
        const partner = partnerOfPath(path)
        const known = partner !== undefined && s.partners.some((p) => p.name === partner)
        const res = await send(s.baseUrl, `/${path}`, {
          headers: known ? bearer(tokenOf(s, partner!)) : {},
        })
        if (partner !== undefined && !known) {
          expect(res.status, `${path} without a token`).toBe(401)
          continue
        }
        expect(res.status, path).toBe(200)
        expect(res.body.equals(fileBytes(s, path)), `${path} bytes`).toBe(true)
        expect(res.headers['content-type'], `${path} type`).toBe(mediaTypeOf(path))
        expect(res.headers['cache-control'], `${path} cache`).toBe(cacheControlOf(path))
        expect(res.headers.etag, `${path} etag`).toMatch(/^"[^"]+"$/)
        expect(Date.parse(res.headers['last-modified']!), `${path} date`).toBe(
          mtimeSeconds(s, path),
        )
      }
    },
  },
  {
    name: 'public feed: 200 with an ETag, 304 on If-None-Match and If-Modified-Since',
    async run(s) {
      await conditional(s, PUBLIC_FEED, {})
    },
  },
  {
    name: 'partner feed: 304s with its token, never without',
    async run(s) {
      const [a] = s.partners
      const path = partnerFile(s, a!.name)
      const etag = await conditional(s, path, bearer(a!.token))
      const res = await send(s.baseUrl, `/${path}`, {headers: {'if-none-match': etag}})
      expect(res.status, 'If-None-Match without a token').toBe(401)
    },
  },
  {
    name: 'partner feed: 401 with a Bearer challenge without a token',
    async run(s) {
      for (const {name} of s.partners) {
        const path = partnerFile(s, name)
        for (const method of ['GET', 'HEAD']) {
          const res = await send(s.baseUrl, `/${path}`, {method})
          expect(res.status, `${method} ${path}`).toBe(401)
          expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/i)
          expect(res.headers.etag).toBeUndefined()
        }
        const empty = await send(s.baseUrl, `/${path}?access_token=`)
        expect(empty.status, 'an empty access_token').not.toBe(200)
      }
    },
  },
  {
    name: 'partner feed: 200 with its token, as Authorization: Bearer and as ?access_token=',
    async run(s) {
      for (const {name, token} of s.partners) {
        const path = partnerFile(s, name)
        const bytes = fileBytes(s, path)
        for (const [target, headers] of [
          [`/${path}`, bearer(token)],
          [`/${path}`, {authorization: `bearer ${token}`}],
          [`/${path}?access_token=${encodeURIComponent(token)}`, {}],
          [`/${path}?x=1&access_token=${encodeURIComponent(token)}`, {}],
        ] as const) {
          const res = await send(s.baseUrl, target, {headers})
          expect(res.status, `${path} ${JSON.stringify(Object.keys(headers))}`).toBe(200)
          expect(res.body.equals(bytes)).toBe(true)
        }
      }
    },
  },
  {
    name: "partner feed: another partner's token or an unknown one is a 403 or 404",
    async run(s) {
      for (const [a, b] of pairs(s)) {
        const path = partnerFile(s, b.name)
        for (const [target, headers] of [
          [`/${path}`, bearer(a.token)],
          [`/${path}?access_token=${encodeURIComponent(a.token)}`, {}],
        ] as const) {
          const res = await send(s.baseUrl, target, {headers})
          expect([403, 404], `${a.name}'s token on ${path}`).toContain(res.status)
        }
      }
      const path = partnerFile(s, s.partners[0]!.name)
      const res = await send(s.baseUrl, `/${path}`, {headers: bearer(newToken())})
      expect([403, 404], 'an unknown token').toContain(res.status)
    },
  },
  {
    name: "a token never opens another partner's folder through traversal, encoding or case",
    async run(s) {
      for (const [a, b] of pairs(s)) {
        const file = partnerFile(s, b.name).slice(`partners/${b.name}/`.length)
        const targets = [
          `/partners/${a.name}/../${b.name}/${file}`,
          `/partners/${a.name}/%2e%2e/${b.name}/${file}`,
          `/partners/${a.name}/..%2f${b.name}/${file}`,
          `/partners/${a.name}%2f..%2f${b.name}/${file}`,
          `/partners%2f${b.name}/${file}`,
          `/p%61rtners/${b.name}/${file}`,
          `/partners/${b.name.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}/${file}`,
          `/PARTNERS/${b.name}/${file}`,
          `/Partners/${b.name}/${file}`,
        ]
        for (const target of targets) {
          const withToken = await send(s.baseUrl, target, {headers: bearer(a.token)})
          expect([403, 404], `${target} with ${a.name}'s token`).toContain(withToken.status)
          const without = await send(s.baseUrl, target)
          expect([401, 404], `${target} without a token`).toContain(without.status)
        }
      }
    },
  },
  {
    name: 'gzip and br are negotiated by Accept-Encoding, public and partner files alike',
    async run(s) {
      const [a] = s.partners
      for (const [path, headers] of [
        [PUBLIC_FEED, {}],
        [partnerFile(s, a!.name, 2048), bearer(a!.token)],
      ] as const) {
        const bytes = fileBytes(s, path)
        for (const [accept, coding] of [
          ['gzip', 'gzip'],
          ['br', 'br'],
          ['gzip;q=0, br', 'br'],
          ['identity', undefined],
          ['', undefined],
        ] as const) {
          const res = await send(s.baseUrl, `/${path}`, {
            headers: {...headers, ...(accept ? {'accept-encoding': accept} : {})},
          })
          expect(res.status).toBe(200)
          expect(res.headers['content-encoding'], `${path}, Accept-Encoding: ${accept}`).toBe(
            coding,
          )
          expect(res.headers.vary ?? '').toMatch(/accept-encoding/i)
          expect(decoded(res).equals(bytes), `${path} decoded (${accept})`).toBe(true)
        }
        const both = await send(s.baseUrl, `/${path}`, {
          headers: {...headers, 'accept-encoding': 'gzip, deflate, br'},
        })
        expect(['gzip', 'br']).toContain(both.headers['content-encoding'])
        expect(decoded(both).equals(bytes)).toBe(true)
      }
    },
  },
  {
    name: 'the feed media types: RSS, Atom, JSON Feed, JSON',
    async run(s) {
      const expected: Record<string, string> = {
        'rss.xml': 'application/rss+xml',
        'atom.xml': 'application/atom+xml',
        'feed.json': 'application/feed+json',
        'content.json': 'application/json',
      }
      const files = filesIn(s.out)
      for (const [name, type] of Object.entries(expected)) {
        const path = files.find((f) => f.endsWith(`/${name}`))
        expect(path, `a ${name} in the output`).toBeDefined()
        const partner = partnerOfPath(path!)
        const res = await send(s.baseUrl, `/${path}`, {
          method: 'HEAD',
          headers: partner ? bearer(tokenOf(s, partner)) : {},
        })
        expect(res.headers['content-type']?.split(';')[0], path).toBe(type)
      }
    },
  },
  {
    name: 'HEAD: the GET headers, no body',
    async run(s) {
      const [a] = s.partners
      for (const [path, headers] of [
        [PUBLIC_FEED, {}],
        ['manifest.json', {}],
        [partnerFile(s, a!.name), bearer(a!.token)],
      ] as const) {
        const get = await send(s.baseUrl, `/${path}`, {headers})
        const head = await send(s.baseUrl, `/${path}`, {method: 'HEAD', headers})
        expect(head.status, path).toBe(200)
        expect(head.body.length).toBe(0)
        for (const h of ['content-type', 'etag', 'last-modified', 'cache-control'])
          expect(head.headers[h], `${path} ${h}`).toBe(get.headers[h])
        expect(Number(head.headers['content-length'])).toBe(fileBytes(s, path).length)
      }
    },
  },
  {
    name: 'traversal, encoded-path and absolute-form tricks are 404, with or without a token',
    async run(s) {
      const [a] = s.partners
      for (const target of TRICK_TARGETS) {
        const res = await send(s.baseUrl, target)
        expect(res.status, target).toBe(404)
        const withToken = await send(s.baseUrl, `${target}?access_token=${a!.token}`)
        expect(withToken.status, `${target}?access_token=…`).toBe(404)
      }
    },
  },
  {
    name: 'no directory listings',
    async run(s) {
      const [a] = s.partners
      for (const target of ['/', '/feeds/', '/feeds', '/web/', '/web/articles/', '/schemas']) {
        const res = await send(s.baseUrl, target)
        expect(res.status, target).toBe(404)
      }
      for (const target of [`/partners/${a!.name}/`, `/partners/${a!.name}`, '/partners/']) {
        const res = await send(s.baseUrl, target, {headers: bearer(a!.token)})
        expect(res.status, `${target} with its token`).toBe(404)
      }
      const area = await send(s.baseUrl, '/partners')
      expect([401, 404], '/partners').toContain(area.status)
    },
  },
  {
    name: 'no token in any log',
    async run(s) {
      if (!s.logs) return
      const logs = s.logs()
      for (const {name, token} of s.partners) {
        expect(logs.includes(token), `${name}'s token in the logs`).toBe(false)
        expect(logs.includes(encodeURIComponent(token)), `${name}'s token (encoded)`).toBe(false)
        expect(logs.includes(hashToken(token)), `${name}'s token hash`).toBe(false)
      }
    },
  },
]

// --- a folder to serve ---------------------------------------------------------------------------

/** Two partners with different formats, so each folder holds files the other's token must not open. */
export const FIXTURE_PARTNERS: PartnerProfile[] = [
  {
    name: 'clinic-network',
    title: 'Clinic network',
    formats: ['rss', 'atom'],
    types: ['benefit'],
    attribution: 'Content by Skincare Guide.',
  },
  {
    name: 'wellness-app',
    title: 'Wellness app',
    formats: ['jsonfeed', 'json'],
    types: ['article', 'benefit'],
    attribution: 'Content by Skincare Guide.',
  },
]

export interface ServeFixture {
  out: string
  datasetPath: string
  credentialsPath: string
  partners: PartnerToken[]
}

/**
 * The feeds fixture exported to `<dir>/out` with FIXTURE_PARTNERS, and a credentials file beside
 * its dataset holding a fresh token of each partner (as `npm run partner -- token` stores them).
 */
export async function exportServeFixture(dir: string): Promise<ServeFixture> {
  const datasetPath = fixtureDataset(dir)
  const out = join(dir, 'out')
  await exportTo(out, datasetPath, {partners: FIXTURE_PARTNERS, cacheDir: false})
  const partners = FIXTURE_PARTNERS.map(({name}) => ({name, token: newToken()}))
  const credentialsPath = credentialsPathOf(datasetPath)
  const setAt = new Date().toISOString()
  saveCredentials(credentialsPath, {
    version: 1,
    partners: Object.fromEntries(
      partners.map((p) => [p.name, {tokenSha256: hashToken(p.token), tokenSetAt: setAt}]),
    ),
  })
  return {out, datasetPath, credentialsPath, partners}
}
