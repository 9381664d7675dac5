/** A real local API over a real SQLite dataset in a temp dir, seeded from tests/fixtures/api. */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createClient, type SanityClient} from '@sanity/client'
import {startApiServer, type RunningApi} from '../../scripts/api/server.ts'
import {ensureTls, type TlsMaterial} from '../../scripts/api/tls.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'

export const FIXTURE = join(ROOT, 'tests', 'fixtures', 'api', 'seed.ndjson')
export const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz'

export interface TestApi {
  dir: string
  datasetPath: string
  ds: Dataset
  api: RunningApi
  tls: TlsMaterial
  token: string
  /** @sanity/client over plain HTTP (Node resolves no `*.localhost`, so the project hostname is off). */
  client(opts?: {token?: string | null; perspective?: 'published' | 'drafts' | 'raw'}): SanityClient
  /** fetch() against the plain-HTTP port, API version prefix added. */
  http(path: string, init?: RequestInit & {auth?: boolean}): Promise<Response>
  close(): Promise<void>
}

export async function startTestApi(
  opts: {seed?: boolean; pollMs?: number; allowedOrigins?: string[]} = {},
): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'api-test-'))
  const datasetPath = join(dir, 'dataset.sqlite')
  const ds = Dataset.open(datasetPath)
  if (opts.seed !== false) importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  const tls = ensureTls(join(dir, 'tls'), 'local')
  const api = await startApiServer({
    ds,
    token: TOKEN,
    tls,
    httpsPort: 0,
    httpPort: 0,
    pollMs: opts.pollMs ?? 50,
    log: () => {},
    ...(opts.allowedOrigins ? {allowedOrigins: opts.allowedOrigins} : {}),
  })
  return {
    dir,
    datasetPath,
    ds,
    api,
    tls,
    token: TOKEN,
    client({token = TOKEN, perspective = 'published'} = {}) {
      return createClient({
        projectId: api.projectId,
        dataset: api.datasetName,
        apiVersion: '2025-02-19',
        apiHost: api.httpUrl!,
        useProjectHostname: false,
        useCdn: false,
        perspective,
        ...(token ? {token} : {}),
      })
    },
    http(path, init = {}) {
      const {auth, ...rest} = init
      const headers = new Headers(rest.headers)
      if (auth) headers.set('authorization', `Bearer ${TOKEN}`)
      return fetch(`${api.httpUrl}/v2025-02-19${path}`, {...rest, headers})
    },
    async close() {
      await api.close()
      ds.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** Read Server-Sent Events from a streaming response until `count` events (of any name) arrived. */
export async function readEvents(
  res: Response,
  count: number,
): Promise<Array<{event: string; data: unknown}>> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const events: Array<{event: string; data: unknown}> = []
  let buffer = ''
  while (events.length < count) {
    const {value, done} = await reader.read()
    if (done) break
    buffer += decoder.decode(value, {stream: true})
    let end: number
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      if (block.startsWith(':')) continue
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
      const data = /^data: (.*)$/m.exec(block)?.[1]
      events.push({event, data: data === undefined ? undefined : (JSON.parse(data) as unknown)})
    }
  }
  await reader.cancel()
  return events
}
