/**
 * Security: the local API listens on loopback only, writes need the dataset token (a 0600 file),
 * CORS admits only the Studio's origins, the token never shows up in logs, error bodies, exports
 * or test files; partner and web output never carries drafts, excluded fields or executable
 * markup — even from hostile content written through the API; partner names and output paths
 * cannot escape where they belong.
 */
import {spawnSync} from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {connect} from 'node:net'
import {homedir} from 'node:os'
import {join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadOrCreateToken, tokenFileFor} from '../../scripts/api/auth.ts'
import {startApiServer} from '../../scripts/api/server.ts'
import {ensureTls} from '../../scripts/api/tls.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import {exportFeeds} from '../../scripts/feeds/export.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {serveStudio} from '../../scripts/studio/static.ts'
import {runScript} from '../helpers/run.ts'
import {digestOf, seededDataset, startApiProcess, tempDir, type ApiProcess} from './helpers.ts'
import {htmlProblems, jsonStrings, xmlProblems} from './markup.ts'

let tmp: ReturnType<typeof tempDir>
let dataset: string
let api: ApiProcess
beforeAll(async () => {
  tmp = tempDir('security-')
  dataset = seededDataset(join(tmp.dir, 'dataset.sqlite'))
  api = await startApiProcess(dataset, join(tmp.dir, 'tls'), ['--verbose'])
})
afterAll(async () => {
  await api?.stop()
  tmp.cleanup()
})

const port = (url: string) => Number(new URL(url).port)

/** Listening TCP sockets on `p` from the kernel's table: local addresses as dotted IPv4 / hex IPv6. */
function listeners(p: number): string[] {
  const out: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (!local || state !== '0A') continue
      const [addr, hexPort] = local.split(':')
      if (parseInt(hexPort!, 16) !== p) continue
      out.push(
        addr!.length === 8
          ? addr!
              .match(/../g)!
              .reverse()
              .map((h) => parseInt(h, 16))
              .join('.')
          : addr!,
      )
    }
  }
  return out
}

/** One raw HTTP/1.1 request (fetch would normalise `..` and the Host header away). */
function rawRequest(p: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(p, '127.0.0.1', () => socket.end(request))
    let data = ''
    socket.on('data', (c) => (data += c.toString()))
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
  })
}

describe('the local API', () => {
  it('listens on 127.0.0.1 only (both ports, per the kernel), and refuses foreign Host names (DNS rebinding)', async () => {
    expect(new URL(api.info.url).hostname).toBe('127.0.0.1')
    expect(new URL(api.info.httpUrl).hostname).toBe('127.0.0.1')
    if (existsSync('/proc/net/tcp')) {
      for (const p of [port(api.info.url), port(api.info.httpUrl)])
        expect(listeners(p), `port ${p}`).toEqual(['127.0.0.1'])
    }
    const rebinding = await rawRequest(
      port(api.info.httpUrl),
      'GET /v2025-02-19/data/query/production?query=*%5B0%5D HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n',
    )
    expect(rebinding).toMatch(/^HTTP\/1\.1 421/)
  })

  it('writes need the token: none or a wrong one is a 401 and nothing changes; without it only published documents are readable', async () => {
    const before = digestOf(dataset)
    const write = (authorization?: string) =>
      fetch(`${api.info.httpUrl}/v2025-02-19/data/mutate/production`, {
        method: 'POST',
        headers: {'content-type': 'application/json', ...(authorization ? {authorization} : {})},
        body: JSON.stringify({
          mutations: [
            {createOrReplace: {_id: 'concern-intruder', _type: 'concern', title: 'Intruder'}},
          ],
        }),
      })
    for (const auth of [
      undefined,
      'Bearer wrong',
      `Bearer ${api.info.token}x`,
      `Basic ${Buffer.from(`x:${api.info.token}`).toString('base64')}`,
      api.info.token,
    ]) {
      expect((await write(auth)).status, String(auth)).toBe(401)
    }
    expect(digestOf(dataset)).toBe(before)

    const raw = await (
      await api.http(
        '/data/query/production?query=*%5B_id%20in%20path(%22drafts.**%22)%5D._id&perspective=raw',
      )
    ).json()
    expect((raw as {result: string[]}).result).toEqual([])
    const doc = (await (
      await api.http('/data/doc/production/drafts.benefit-draft-only')
    ).json()) as {documents: unknown[]}
    expect(doc.documents).toEqual([])
    const exported = await (await api.http('/data/export/production')).text()
    expect(exported).not.toContain('drafts.')
    expect(exported).not.toContain('DRAFT-ONLY')
    expect(
      (await api.http('/data/history/production/transactions/benefit-draft-only')).status,
    ).toBe(401)
    // With the token the drafts are there (so the checks above are not vacuous).
    const withToken = (await (
      await api.http('/data/doc/production/drafts.benefit-draft-only', {auth: true})
    ).json()) as {documents: unknown[]}
    expect(withToken.documents).toHaveLength(1)
  })

  it('CORS: only the Studio’s origins are answered (echoed, never *); other origins and their preflights get a 403', async () => {
    const studio = `https://localhost:${port(api.info.url)}`
    const ok = await api.http('/data/query/production?query=count(*)', {headers: {origin: studio}})
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(studio)
    for (const origin of [
      'https://evil.example',
      'null',
      `https://localhost:${port(api.info.url) + 1}`,
      'http://localhost',
      `https://localhost.evil.example:${port(api.info.url)}`,
    ]) {
      const res = await api.http('/data/query/production?query=count(*)', {headers: {origin}})
      expect(res.status, origin).toBe(403)
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull()
      const pre = await api.http('/data/mutate/production', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      })
      expect(pre.status, origin).toBe(403)
      expect(pre.headers.get('access-control-allow-origin'), origin).toBeNull()
    }
  })

  it('the Studio file server never serves a file outside its folder', async () => {
    const root = join(tmp.dir, 'static-root')
    mkdirSync(join(root, 'static'), {recursive: true})
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>studio</title>')
    writeFileSync(join(tmp.dir, 'secret.txt'), 'TOP-SECRET-FILE')
    const ds = Dataset.open(':memory:')
    const server = await startApiServer({
      ds,
      token: 'x'.repeat(43),
      tls: ensureTls(join(tmp.dir, 'tls-static'), 'local'),
      httpsPort: 0,
      httpPort: 0,
      log: () => {},
      staticHandler: serveStudio(root),
    })
    try {
      const p = port(server.httpUrl!)
      for (const path of [
        '/../secret.txt',
        '/%2e%2e/secret.txt',
        '/..%2fsecret.txt',
        '/static/..%2f..%2fsecret.txt',
        '/%2e%2e%5csecret.txt',
        '/static/%00../../secret.txt',
        `/${'..%2f'.repeat(12)}${relative('/', join(tmp.dir, 'secret.txt'))}`,
      ]) {
        const res = await rawRequest(
          p,
          `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
        )
        expect(res, path).not.toContain('TOP-SECRET-FILE')
      }
    } finally {
      await server.close()
      ds.close()
    }
  })
})

describe('the dataset token', () => {
  it('is a 0600 file beside the dataset; a file or symlink planted at its temporary name is never written through', () => {
    expect(statSync(tokenFileFor(dataset)).mode & 0o777).toBe(0o600)
    expect(readFileSync(tokenFileFor(dataset), 'utf8').trim()).toBe(api.info.token)

    const fresh = join(tmp.dir, 'fresh.sqlite')
    const victim = join(tmp.dir, 'victim.txt')
    writeFileSync(victim, 'unchanged')
    chmodSync(victim, 0o644)
    symlinkSync(victim, `${tokenFileFor(fresh)}.${process.pid}.tmp`)
    const token = loadOrCreateToken(fresh)
    expect(readFileSync(victim, 'utf8')).toBe('unchanged')
    expect(lstatSync(tokenFileFor(fresh)).isSymbolicLink()).toBe(false)
    expect(statSync(tokenFileFor(fresh)).mode & 0o777).toBe(0o600)
    expect(readFileSync(tokenFileFor(fresh), 'utf8').trim()).toBe(token)
  })

  it('never appears in the API’s logs (--verbose), its error bodies, exports, NDJSON, CLI errors or the repository’s test files', async () => {
    const token = api.info.token
    const bodies: string[] = []
    const call = async (path: string, init: RequestInit & {auth?: boolean} = {}) =>
      bodies.push(await (await api.http(path, init)).text())
    await call('/data/mutate/production', {
      method: 'POST',
      auth: true,
      headers: {'content-type': 'application/json'},
      body: '{"mutations": [{"patch": {"id": "missing", "set": {"x": 1}}}]}',
    })
    await call('/data/mutate/production', {
      method: 'POST',
      headers: {authorization: `Bearer ${token}x`, 'content-type': 'application/json'},
      body: '{}',
    })
    await call(`/data/query/production?query=*%5B0%5D&token=${token}&$t=%22${token}%22`)
    await call(`/data/query/production?query=*%5B&token=${token}`, {auth: true})
    await call(`/nothing/${token}`, {auth: true})
    await call('/data/mutate/production', {method: 'GET', auth: true})
    for (const b of bodies) expect(b).not.toContain(token)
    // The one deliberate appearance: the `--json` ready line on stdout, for the caller that started the API.
    expect(api.stdout().split(token).length - 1).toBe(1)
    expect(api.stderr()).toMatch(/GET \S+ \/v2025-02-19\/nothing\/\[token\] 404/) // --verbose did log, redacted
    expect(api.stderr()).not.toContain(token)

    // Everything the pipeline writes, through the API with the token as a hosted project would be used.
    const remote = {
      SANITY_PROJECT_ID: 'local',
      SANITY_DATASET: 'production',
      SANITY_API_HOST: api.info.httpUrl,
      SANITY_TOKEN: token,
    }
    const out = join(tmp.dir, 'remote-dist')
    const exported = runScript(
      'scripts/feeds/cli.ts',
      ['--out', out, '--now', '2026-01-01T00:00:00Z', '--json'],
      {env: remote},
    )
    // The seeded fixture holds deliberate errors: the gate refuses, and says so without the token.
    expect(exported.status, exported.stderr).toBe(1)
    expect((JSON.parse(exported.stdout) as {error: {code: string}}).error.code).toBe(
      'VALIDATION_FAILED',
    )
    const ndjson = join(tmp.dir, 'export.ndjson')
    expect(runScript('scripts/store/cli.ts', ['export', ndjson, '--dataset', dataset]).status).toBe(
      0,
    )
    const queryError = runScript('scripts/query/cli.ts', ['*[', '--json'], {env: remote})
    const wrongToken = runScript('scripts/migrate/cli.ts', ['--list'], {
      env: {...remote, SANITY_TOKEN: `${token}x`},
    })
    const texts = [
      exported.stdout,
      exported.stderr,
      readFileSync(ndjson, 'utf8'),
      queryError.stdout,
      queryError.stderr,
      wrongToken.stdout,
      wrongToken.stderr,
    ]
    for (const file of walk(out)) texts.push(readFileSync(file, 'utf8'))
    for (const t of texts) expect(t.includes(token)).toBe(false)
    expect(queryError.status).toBe(1)

    // No token, login link or bearer header is committed in tests, fixtures or snapshots.
    const suspicious =
      /#token=[A-Za-z0-9_-]{20,}|"token"\s*:\s*"[A-Za-z0-9_-]{20,}"|Bearer [A-Za-z0-9_-]{32,}|\bsk[A-Za-z0-9]{60,}/
    const files = walk(join(ROOT, 'tests')).filter(
      (f) => /\.(snap|json|ndjson|txt|md|html|xml)$/.test(f) || f.includes('__snapshots__'),
    )
    for (const f of files)
      expect(suspicious.test(readFileSync(f, 'utf8')), relative(ROOT, f)).toBe(false)
    const tracked = spawnSync('git', ['ls-files', '*.token', '*.sqlite.token', '.data'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    if (tracked.status === 0) expect(tracked.stdout.trim()).toBe('')
  }, 120_000)
})

function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.name === 'node_modules'
      ? []
      : e.isDirectory()
        ? walk(join(dir, e.name))
        : [join(dir, e.name)],
  )
}

describe('what partners and the website receive', () => {
  it('never carries drafts, excluded fields or executable markup — hostile content written through the API included', async () => {
    const block = (key: string, text: string, marks: string[] = [], markDefs: unknown[] = []) => ({
      _type: 'block',
      _key: key,
      style: 'normal',
      markDefs,
      children: [{_type: 'span', _key: `${key}s`, text, marks}],
    })
    const hostile =
      '<script>alert(1)</script><img src=x onerror=alert(2)></script><script>alert(3)</script>'
    const mutations = [
      {
        createOrReplace: {
          _id: 'benefit-hostile',
          _type: 'benefit',
          title: `Hostile ${hostile}`,
          slug: {_type: 'slug', current: 'hostile'},
          summary: `Summary ${hostile} javascript:alert(4)`,
          concerns: [{_type: 'reference', _ref: 'concern-acne-scars', _key: 'c1'}],
          body: [
            block(
              'h1',
              `${hostile} click`,
              ['l1'],
              [{_type: 'link', _key: 'l1', href: 'javascript:alert(5)'}],
            ),
            block(
              'h2',
              'data link',
              ['l2'],
              [{_type: 'link', _key: 'l2', href: ' data:text/html,<script>alert(6)</script>'}],
            ),
            block(
              'h3',
              'spaced scheme',
              ['l3'],
              [{_type: 'link', _key: 'l3', href: 'java\tscript:alert(7)'}],
            ),
            block('h4', '<a href="javascript:x" onclick="y()">raw</a> <svg onload=alert(8)>'),
          ],
        },
      },
      {
        createOrReplace: {
          _id: 'drafts.benefit-hostile',
          _type: 'benefit',
          title: 'DRAFT-SECRET-TITLE',
          slug: {_type: 'slug', current: 'hostile'},
          summary: 'DRAFT-SECRET-SUMMARY',
        },
      },
      {
        createOrReplace: {
          _id: 'drafts.concern-acne-scars',
          _type: 'concern',
          title: 'DRAFT-SECRET-CONCERN',
          slug: {_type: 'slug', current: 'acne-scars'},
        },
      },
    ]
    const res = await api.http('/data/mutate/production', {
      method: 'POST',
      auth: true,
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({mutations}),
    })
    expect(res.status).toBe(200)
    // The first line of defence: the CLI's validation gate refuses the hostile links outright.
    const refused = join(tmp.dir, 'site', 'refused')
    const gated = runScript('scripts/feeds/cli.ts', [
      '--dataset',
      dataset,
      '--out',
      refused,
      '--now',
      '2026-01-01T00:00:00Z',
    ])
    expect(gated.status).toBe(1)
    expect(gated.stderr).toContain('error: benefit-hostile body[_key=="h1"].markDefs')
    expect(existsSync(refused)).toBe(false)
    // The second: whatever reaches the exporter without the gate (a library caller) is made safe.
    const out = join(tmp.dir, 'site', 'dist')
    await exportFeeds({dataset, out, now: '2026-01-01T00:00:00Z'})

    const problems: string[] = []
    const files = walk(out)
    expect(files.length).toBeGreaterThan(20)
    for (const file of files) {
      const rel = relative(out, file)
      const text = readFileSync(file, 'utf8')
      if (/DRAFT-(ONLY|SECRET)/.test(text)) problems.push(`${rel}: draft content`)
      if (rel.endsWith('.json')) {
        if (text.includes('<'))
          problems.push(`${rel}: a raw "<" in JSON (breaks out of an HTML embedding)`)
        for (const s of jsonStrings(JSON.parse(text) as unknown)) {
          if (/(^|\.)(html|content_html|jsonLdScript)$/i.test(s.path))
            problems.push(...htmlProblems(s.value, `${rel} ${s.path}`))
          else if (
            /(^|\.)(url|href|link|external_url|image|@id)$/i.test(s.path) &&
            !/^(https?:|mailto:)/i.test(s.value) &&
            s.value.includes(':')
          )
            problems.push(`${rel} ${s.path}: ${s.value.slice(0, 40)}`)
        }
      } else if (rel.endsWith('.xml')) problems.push(...xmlProblems(text, rel))
    }
    // The wellness-app profile excludes body and bodyAreas: no trace of them in its files.
    for (const file of files.filter((f) => relative(out, f).startsWith('partners/wellness-app/'))) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as unknown
      for (const s of jsonStrings(json))
        if (/(^|\.)(body|bodyAreas)(\[|\.|$)/.test(s.path))
          problems.push(`${relative(out, file)} ${s.path}: excluded field`)
      if (JSON.stringify(json).includes('"bodyAreas"') || /"body"\s*:/.test(JSON.stringify(json)))
        problems.push(`${relative(out, file)}: excluded field key`)
    }
    expect(problems).toEqual([])
  }, 120_000)
})

describe('path traversal', () => {
  it('partner names that would leave partners/ are refused with every problem listed; nothing is written', () => {
    const evil = seededDataset(join(tmp.dir, 'evil-partners.sqlite'))
    const names = [
      '../escape',
      '..',
      '.',
      'a/b',
      '/absolute',
      'C:\\windows',
      '%2e%2e',
      '.hidden',
      'UPPER',
      'x'.repeat(80),
      'new\nline',
      '',
    ]
    const ds = Dataset.open(evil)
    try {
      ds.transaction(
        names.map((name, i) => ({
          createOrReplace: {
            _id: `partner-p${i}`,
            _type: 'partner',
            name: {_type: 'slug', current: name},
            title: 'Evil',
            formats: ['rss'],
            types: ['benefit'],
            attribution: 'a',
          },
        })),
        {author: 'test'},
      )
    } finally {
      ds.close()
    }
    const out = join(tmp.dir, 'traversal', 'dist')
    const r = runScript('scripts/feeds/cli.ts', ['--dataset', evil, '--out', out, '--json'])
    expect(r.status).toBe(1)
    const problems = (
      JSON.parse(r.stdout) as {error: {problems: Array<{documentId?: string; level: string}>}}
    ).error.problems
    const refused = new Set(
      problems
        .filter((p) => p.level === 'error' && p.documentId?.startsWith('partner-p'))
        .map((p) => p.documentId),
    )
    expect(refused.size).toBe(names.length)
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(tmp.dir).filter((n) => /escape|absolute|windows/.test(n))).toEqual([])
    expect(existsSync(join(tmp.dir, 'traversal', 'escape'))).toBe(false)
  })

  it('--out at /, the repository, the home folder, a folder that is not an export (a PWA manifest.json included), a file or via ..: refused (exit 2), nothing moved', () => {
    const project = join(tmp.dir, 'web-project', 'public')
    mkdirSync(project, {recursive: true})
    writeFileSync(join(project, 'manifest.json'), JSON.stringify({name: 'My PWA', icons: []}))
    writeFileSync(join(project, 'index.html'), '<!doctype html>')
    const plainFolder = join(tmp.dir, 'documents')
    mkdirSync(plainFolder)
    writeFileSync(join(plainFolder, 'thesis.txt'), 'keep')
    const file = join(tmp.dir, 'a-file.txt')
    writeFileSync(file, 'keep')
    const link = join(tmp.dir, 'link-to-documents')
    symlinkSync(plainFolder, link)
    // The home folder only when it has something in it: an empty folder is a legitimate target.
    const home = existsSync(homedir()) && readdirSync(homedir()).length > 0 ? [homedir()] : []
    const targets = [
      '/',
      ROOT,
      `${ROOT}/dist/..`,
      ...home,
      project,
      plainFolder,
      file,
      link,
      join(plainFolder, '..', 'documents'),
    ]
    const before = (dir: string) =>
      existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : []
    for (const target of targets) {
      const listing = before(target)
      const r = runScript('scripts/feeds/cli.ts', ['--dataset', dataset, '--out', target, '--json'])
      expect(r.status, `${target}: ${r.stdout}`).toBe(2)
      expect(
        (JSON.parse(r.stdout) as {error: {code: string; message: string}}).error.message,
        target,
      ).toMatch(/refusing/)
      expect(before(target), target).toEqual(listing)
    }
    expect(readFileSync(join(plainFolder, 'thesis.txt'), 'utf8')).toBe('keep')
    expect(readFileSync(join(project, 'manifest.json'), 'utf8')).toContain('My PWA')
    expect(existsSync(join(ROOT, 'package.json'))).toBe(true)
  }, 120_000)
})
