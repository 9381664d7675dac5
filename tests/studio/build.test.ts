import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startApiServer, type RunningApi} from '../../scripts/api/server.ts'
import {ensureTls} from '../../scripts/api/tls.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {
  buildEnv,
  buildInputs,
  ensureStudioBuild,
  studioBuildKey,
} from '../../scripts/studio/build.ts'
import {
  DEFAULT_LOCAL_API_HOST,
  localApiHost,
  SAME_ORIGIN_API_HOST,
} from '../../scripts/studio/local.ts'
import {resolveInside, serveStudio} from '../../scripts/studio/static.ts'

describe('the local workspace’s apiHost', () => {
  it('is the page’s own origin in a same-origin build, always under a localhost name', () => {
    const at = (protocol: string, hostname: string, port: string) => ({protocol, hostname, port})
    expect(localApiHost(SAME_ORIGIN_API_HOST, at('https:', 'localhost', '4100'))).toBe(
      'https://localhost:4100',
    )
    // The Studio prefixes the projectId to the host: an IP address would break, so map it to localhost.
    expect(localApiHost(SAME_ORIGIN_API_HOST, at('https:', '127.0.0.1', '4100'))).toBe(
      'https://localhost:4100',
    )
    expect(localApiHost('https://localhost:5000', at('https:', 'localhost', '4100'))).toBe(
      'https://localhost:5000',
    )
    expect(localApiHost(undefined, undefined)).toBe(DEFAULT_LOCAL_API_HOST)
    expect(localApiHost(SAME_ORIGIN_API_HOST, undefined)).toBe(DEFAULT_LOCAL_API_HOST)
  })
})

describe('studio build cache key', () => {
  it('covers the config and every module it imports: desk structure, schemas, their sources', () => {
    const inputs = buildInputs()
    expect(inputs).toEqual(
      expect.arrayContaining([
        'sanity.config.ts',
        'scripts/studio/structure.ts',
        'scripts/studio/local.ts',
        'schemas/index.ts',
        'schemas/documents/benefit.ts',
        'schemas/documents/partner.ts',
        // The partner schema's format list and field groups come from the feed declarations.
        'scripts/feeds/outputs/partnerProfile.ts',
        'scripts/feeds/formats.ts',
      ]),
    )
    expect(inputs.every((f) => !f.includes('node_modules'))).toBe(true)
  })

  it('is stable, and changes with the build-time environment', () => {
    const env = buildEnv({})
    expect(env).toEqual({SANITY_STUDIO_LOCAL_API_HOST: SAME_ORIGIN_API_HOST})
    expect(studioBuildKey(undefined, env)).toBe(studioBuildKey(undefined, env))
    expect(studioBuildKey(undefined, buildEnv({SANITY_STUDIO_PROJECT_ID: 'abc123'}))).not.toBe(
      studioBuildKey(undefined, env),
    )
    // Only SANITY_STUDIO_* reach the bundle.
    expect(buildEnv({HOME: '/x', SANITY_STUDIO_DATASET: 'staging'})).toEqual({
      SANITY_STUDIO_DATASET: 'staging',
      SANITY_STUDIO_LOCAL_API_HOST: SAME_ORIGIN_API_HOST,
    })
  })
})

describe('serving the built Studio from the API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'studio-static-'))
  const site = join(dir, 'site')
  let api: RunningApi
  let ds: Dataset
  beforeAll(async () => {
    mkdirSync(join(site, 'static'), {recursive: true})
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>Studio</title>')
    writeFileSync(join(site, 'static', 'app-abc123.js'), 'console.log(1)')
    writeFileSync(join(dir, 'secret.txt'), 'outside')
    ds = Dataset.open(':memory:')
    api = await startApiServer({
      ds,
      token: 't'.repeat(43),
      tls: ensureTls(join(dir, 'tls'), 'local'),
      httpsPort: 0,
      httpPort: 0,
      staticHandler: serveStudio(site),
      log: () => {},
    })
  })
  afterAll(async () => {
    await api.close()
    ds.close()
    rmSync(dir, {recursive: true, force: true})
  })

  const get = (path: string) => fetch(`${api.httpUrl}${path}`)

  it('serves files, hashed assets cached for good', async () => {
    const asset = await get('/static/app-abc123.js')
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
    expect(asset.headers.get('cache-control')).toMatch(/immutable/)
    expect(await (await get('/')).text()).toContain('<title>Studio</title>')
  })

  it('answers Studio routes with index.html; a missing asset is a 404', async () => {
    const route = await get('/local/structure/benefit;benefit-x')
    expect(route.status).toBe(200)
    expect(route.headers.get('cache-control')).toBe('no-cache')
    expect(await route.text()).toContain('<title>Studio</title>')
    expect((await get('/static/missing.js')).status).toBe(404)
  })

  it('never serves files outside the build directory', async () => {
    expect(resolveInside(site, '/../secret.txt')).toBeUndefined()
    expect(resolveInside(site, '/%2e%2e/secret.txt')).toBeUndefined()
    expect(resolveInside(site, '/static/app.js')).toBe(join(site, 'static', 'app.js'))
    const res = await get('/%2e%2e/secret.txt')
    expect(await res.text()).not.toContain('outside')
  })

  it('API paths still reach the API', async () => {
    const res = await get('/v2025-02-19/ping')
    expect(await res.text()).toBe('PONG')
  })
})

describe('sanity build of this config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'studio-build-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  // Vite inlines `process.env.SANITY_STUDIO_*` only where the config spells them out; this checks
  // the bundle really carries both workspaces and the browser-resolved local apiHost.
  it('bakes in the local workspace (same-origin API) and a production workspace from the environment', async () => {
    const out = join(dir, 'studio')
    const build = await ensureStudioBuild({
      dir: out,
      env: {SANITY_STUDIO_PROJECT_ID: 'abc123xy', SANITY_STUDIO_DATASET: 'staging'},
    })
    expect(build.built).toBe(true)
    const js = readdirSync(join(out, 'static'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(out, 'static', f), 'utf8'))
      .join('\n')
    expect(js).toContain('abc123xy')
    expect(js).toContain('Skincare (hosted)')
    expect(js).toContain('staging')
    expect(js).toContain(SAME_ORIGIN_API_HOST)
    const again = await ensureStudioBuild({
      dir: out,
      env: {SANITY_STUDIO_PROJECT_ID: 'abc123xy', SANITY_STUDIO_DATASET: 'staging'},
    })
    expect(again).toEqual({dir: out, key: build.key, built: false})
  }, 300_000)
})
