/**
 * GROQ-powered webhooks through real servers: the Webhooks API of the local API, a receiver on
 * node:http, edits through @sanity/client. Waits are for conditions, never for time.
 */
import {createHmac} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createClient, type SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startApiServer, type RunningApi} from '../../scripts/api/server.ts'
import {ensureTls, type TlsMaterial} from '../../scripts/api/tls.ts'
import {isValidSignature} from '@sanity/webhook'
import {createWebhookHandler, isValidWebhookSignature} from '../../scripts/api/webhookReceiver.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE, TOKEN} from './helpers.ts'

interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

let dir: string
let tls: TlsMaterial
let ds: Dataset
let api: RunningApi
let client: SanityClient
let receiver: Server
let receiverUrl: string
const received: Received[] = []
/** Paths that answer 500 this many more times before answering 200. */
const failuresLeft = new Map<string, number>()

const startApi = (dataset: Dataset) =>
  startApiServer({
    ds: dataset,
    token: TOKEN,
    tls,
    httpsPort: 0,
    httpPort: 0,
    pollMs: 20,
    log: () => {},
    webhooks: {retryBaseMs: 20, timeoutMs: 10_000},
  })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hooks-test-'))
  ds = Dataset.open(join(dir, 'dataset.sqlite'))
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  tls = ensureTls(join(dir, 'tls'), 'local')
  api = await startApi(ds)
  client = createClient({
    projectId: api.projectId,
    dataset: api.datasetName,
    apiVersion: '2025-02-19',
    apiHost: api.httpUrl!,
    useProjectHostname: false,
    useCdn: false,
    token: TOKEN,
  })
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? '/'
      received.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const left = failuresLeft.get(path) ?? 0
      if (left > 0) failuresLeft.set(path, left - 1)
      res.writeHead(left > 0 ? 500 : 200, {'content-type': 'text/plain'})
      res.end(left > 0 ? 'not yet' : 'ok')
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})

afterAll(async () => {
  await api.close()
  await new Promise((r) => receiver.close(r))
  ds.close()
  rmSync(dir, {recursive: true, force: true})
})

async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 20))
  }
}

const hooksPath = () => `/hooks/projects/${api.projectId}`

async function createHook(body: Record<string, unknown>): Promise<{id: string}> {
  return client.request<{id: string}>({url: hooksPath(), method: 'POST', body})
}

const raw = (path: string, init: RequestInit = {}) =>
  fetch(`${api.httpUrl}/v2025-02-19${path}`, init)

/** `@sanity/webhook`'s check, computed from its documented format: t=<ms>,v1=<base64url HMAC>. */
function signedBy(body: string, header: string, secret: string): boolean {
  const m = /^t=(\d+)[, ]+v1=([^, ]+)$/.exec(header)
  if (!m) return false
  const digest = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('base64url')
  return digest === m[2]
}

describe('the Webhooks API', () => {
  it('refuses calls without the token, or with a wrong one', async () => {
    expect((await raw(hooksPath())).status).toBe(401)
    const post = await raw(hooksPath(), {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({type: 'document', name: 'x', url: receiverUrl, dataset: 'production'}),
    })
    expect(post.status).toBe(401)
    const wrong = await raw(hooksPath(), {headers: {authorization: 'Bearer not-the-token'}})
    expect(wrong.status).toBe(401)
  })

  it('answers a malformed body with 400 naming every problem', async () => {
    const res = await raw(hooksPath(), {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({
        type: 'transaction',
        name: '',
        url: 'ftp://example.com/hook',
        dataset: 'staging',
        rule: {on: ['create', 'publish'], filter: '_type ==', projection: '{title'},
        httpMethod: 'TRACE',
        headers: {'content-length': '1', 'x-ok': 'fine'},
        secret: 5,
        colour: 'blue',
      }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as {error: {type: string; items: Array<{path: string}>}}
    expect(body.error.type).toBe('validationError')
    expect(body.error.items.map((p) => p.path).sort()).toEqual(
      [
        'colour',
        'type',
        'name',
        'url',
        'dataset',
        'rule.on[1]',
        'rule.filter',
        'rule.projection',
        'httpMethod',
        'headers.content-length',
        'secret',
      ].sort(),
    )
    const missing = await raw(hooksPath(), {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: '{}',
    })
    const items = ((await missing.json()) as {error: {items: Array<{path: string}>}}).error.items
    expect(items.map((p) => p.path).sort()).toEqual(['dataset', 'name', 'type', 'url'])
  })

  it('creates, reads, updates and deletes hooks; the secret is never answered; hooks outlive the server', async () => {
    const created = await createHook({
      type: 'document',
      name: 'crud',
      url: `${receiverUrl}/crud`,
      dataset: 'production',
      rule: {on: ['delete'], filter: '_id == "nothing-here"'},
      secret: 'crud-secret',
    })
    expect(created).toMatchObject({
      type: 'document',
      name: 'crud',
      dataset: 'production',
      httpMethod: 'POST',
      includeDrafts: false,
      isDisabled: false,
      rule: {on: ['delete'], filter: '_id == "nothing-here"', projection: null},
    })
    expect(created).not.toHaveProperty('secret')
    const read = await client.request<Record<string, unknown>>({
      url: `${hooksPath()}/${created.id}`,
    })
    expect(read).not.toHaveProperty('secret')
    const patched = await client.request<Record<string, unknown>>({
      url: `${hooksPath()}/${created.id}`,
      method: 'PATCH',
      body: {name: 'crud (renamed)', isDisabledByUser: true, rule: {on: ['create']}},
    })
    expect(patched).toMatchObject({
      name: 'crud (renamed)',
      isDisabled: true,
      rule: {on: ['create'], filter: '_id == "nothing-here"'},
    })

    // A second server on the same file (a restart) lists it: hooks live in the dataset file.
    const again = await startApi(ds)
    try {
      const res = await fetch(`${again.httpUrl}/v2025-02-19${hooksPath()}`, {
        headers: {authorization: `Bearer ${TOKEN}`},
      })
      const list = (await res.json()) as Array<Record<string, unknown>>
      expect(list.find((h) => h.id === created.id)).toMatchObject({name: 'crud (renamed)'})
      expect(JSON.stringify(list)).not.toContain('crud-secret')
    } finally {
      await again.close()
    }
    // ...and no query reaches it.
    const leaked = await client.fetch('count(*[name == "crud (renamed)" || url match "*crud*"])')
    expect(leaked).toBe(0)

    await client.request({url: `${hooksPath()}/${created.id}`, method: 'DELETE'})
    expect(
      (await raw(`${hooksPath()}/${created.id}`, {headers: {authorization: `Bearer ${TOKEN}`}}))
        .status,
    ).toBe(404)
  })
})

describe('delivery', () => {
  it('sends the projection with before()/after(), Sanity headers and a valid signature; a filter that does not match sends nothing', async () => {
    // Created first, so it is evaluated first for every transaction (see the last assertions).
    const unmatched = await createHook({
      type: 'document',
      name: 'never',
      url: `${receiverUrl}/never`,
      dataset: 'production',
      rule: {on: ['create', 'update', 'delete'], filter: '_type == "noSuchType"'},
    })
    const secret = 'a-webhook-secret'
    const hook = await createHook({
      type: 'document',
      name: 'titles',
      url: `${receiverUrl}/titles`,
      dataset: 'production',
      httpMethod: 'PUT',
      headers: {'x-from': 'local-api'},
      rule: {
        on: ['update'],
        filter: '_type == "concern"',
        projection:
          '{"title": after().title, "old": before().title, "changed": delta::changedAny(title)}',
      },
      secret,
    })

    await client.createOrReplace({
      _id: 'drafts.concern-acne-scars',
      _type: 'concern',
      title: 'Draft',
    })
    const result = await client.patch('concern-acne-scars').set({title: 'Acne scarring'}).commit({
      returnDocuments: false,
    })
    const got = await until(() => received.find((r) => r.path === '/titles'))

    expect(got.method).toBe('PUT')
    expect(JSON.parse(got.body)).toEqual({title: 'Acne scarring', old: 'Acne scars', changed: true})
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      'x-from': 'local-api',
      'sanity-project-id': api.projectId,
      'sanity-dataset': 'production',
      'sanity-webhook-id': hook.id,
      'sanity-document-id': 'concern-acne-scars',
      'sanity-operation': 'update',
      'sanity-transaction-id': result.transactionId,
    })
    expect(got.headers['idempotency-key']).toMatch(/^idem_/)
    const signature = got.headers['sanity-webhook-signature'] as string
    expect(signedBy(got.body, signature, secret)).toBe(true)
    // @sanity/webhook itself accepts it, and rejects it for another secret or body.
    expect(await isValidSignature(got.body, signature, secret)).toBe(true)
    expect(await isValidWebhookSignature(got.body, signature, secret)).toBe(true)
    expect(await isValidWebhookSignature(got.body, signature, 'another-secret')).toBe(false)
    expect(await isValidWebhookSignature(`${got.body} `, signature, secret)).toBe(false)

    // The draft edit came first and does not reach a hook without includeDrafts.
    expect(received.filter((r) => r.path === '/titles')).toHaveLength(1)
    const messages = await client.request<Array<{documentId: string}>>({
      url: `${hooksPath()}/${hook.id}/messages`,
    })
    expect(messages.map((m) => m.documentId)).toEqual(['concern-acne-scars'])
    // The unmatched hook was decided before the other one was: it has nothing, and sent nothing.
    expect(await client.request({url: `${hooksPath()}/${unmatched.id}/messages`})).toEqual([])
    expect(received.some((r) => r.path === '/never')).toBe(false)
  })

  it('retries a failing receiver with backoff; every attempt is in the log', async () => {
    failuresLeft.set('/flaky', 2)
    const hook = await createHook({
      type: 'document',
      name: 'flaky',
      url: `${receiverUrl}/flaky`,
      dataset: 'production',
      rule: {on: ['update'], filter: '_id == "skinType-oily"', projection: '{_id, title}'},
    })
    await client.patch('skinType-oily').set({title: 'Oily'}).commit()
    const attempts = await until(async () => {
      const list = await client.request<Array<Record<string, unknown>>>({
        url: `${hooksPath()}/${hook.id}/attempts`,
      })
      return list.length === 3 && list.every((a) => !a.inProgress) ? list : undefined
    })
    // Newest first.
    expect(attempts.map((a) => [a.isFailure, a.failureReason, a.resultCode])).toEqual([
      [false, null, 200],
      [true, 'http', 500],
      [true, 'http', 500],
    ])
    for (const a of attempts) expect(typeof a.duration).toBe('number')
    const sent = received.filter((r) => r.path === '/flaky')
    expect(sent).toHaveLength(3)
    expect(new Set(sent.map((r) => r.headers['idempotency-key'])).size).toBe(1)
    expect(JSON.parse(sent[2]!.body)).toEqual({_id: 'skinType-oily', title: 'Oily'})
    const [message] = await client.request<Array<Record<string, unknown>>>({
      url: `${hooksPath()}/${hook.id}/messages`,
    })
    expect(message).toMatchObject({status: 'delivered', failureCount: 2, resultCode: 200})
  })

  it('drives a receiver made with createWebhookHandler; a bad signature gets 401 and no call', async () => {
    const calls: unknown[] = []
    const server = createServer(
      createWebhookHandler({
        secret: 'receiver-secret',
        onWebhook: ({body}) => void calls.push(body),
      }),
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    try {
      const forged = await fetch(url, {
        method: 'POST',
        headers: {'sanity-webhook-signature': `t=${Date.now()},v1=forged`},
        body: '{"_id":"x"}',
      })
      expect(forged.status).toBe(401)
      expect((await fetch(url, {method: 'POST', body: '{}'})).status).toBe(401)
      expect(calls).toEqual([])

      await createHook({
        type: 'document',
        name: 'publisher',
        url,
        dataset: '*',
        rule: {on: ['create'], filter: '_type == "article"', projection: '{_id}'},
        secret: 'receiver-secret',
      })
      await client.create({_id: 'article-new', _type: 'article', title: 'New'})
      await until(() => (calls.length > 0 ? true : undefined))
      expect(calls).toEqual([{_id: 'article-new'}])
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
