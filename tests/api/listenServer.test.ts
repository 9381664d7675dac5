/**
 * Listen streams against a real server and dataset: filters evaluated in the query workers,
 * private ids hidden from anonymous streams, caps, and slow clients dropped with a last event.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {connect as connectH2, type ClientHttp2Session} from 'node:http2'
import {connect, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {ListenLimits} from '../../scripts/api/listen/hub.ts'
import {startApiServer, type RunningApi} from '../../scripts/api/server.ts'
import {ensureTls, type TlsMaterial} from '../../scripts/api/tls.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE, readEvents, TOKEN} from './helpers.ts'

interface Server {
  api: RunningApi
  tls: TlsMaterial
  http(path: string, init?: RequestInit & {auth?: boolean}): Promise<Response>
  mutate(mutations: unknown[]): Promise<string>
  close(): Promise<void>
}

let server: Server | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(opts: {listenLimits?: ListenLimits; queryTimeoutMs?: number} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'api-listen-'))
  const ds = Dataset.open(join(dir, 'dataset.sqlite'))
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  const tls = ensureTls(join(dir, 'tls'), 'local')
  const api = await startApiServer({
    ds,
    token: TOKEN,
    tls,
    httpsPort: 0,
    httpPort: 0,
    pollMs: 50,
    log: () => {},
    ...opts,
  })
  const http = (path: string, init: RequestInit & {auth?: boolean} = {}) => {
    const {auth, ...rest} = init
    const headers = new Headers(rest.headers)
    if (auth) headers.set('authorization', `Bearer ${TOKEN}`)
    return fetch(`${api.httpUrl}/v2025-02-19${path}`, {...rest, headers})
  }
  server = {
    api,
    tls,
    http,
    async mutate(mutations) {
      const res = await http('/data/mutate/production', {
        method: 'POST',
        auth: true,
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({mutations}),
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as {transactionId: string}).transactionId
    },
    async close() {
      await api.close()
      ds.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  return server
}

const listenPath = (query: string, extra = '') =>
  `/data/listen/production?query=${encodeURIComponent(query)}${extra}`

/** The stream's open (welcome read), events still to come. */
async function listen(s: Server, query: string, opts: {auth?: boolean; extra?: string} = {}) {
  const res = await s.http(listenPath(query, opts.extra), {auth: opts.auth ?? false})
  expect(res.status).toBe(200)
  return res
}

const until = (check: () => void, timeout = 5000) => vi.waitFor(check, {timeout, interval: 20})

/** A listen request on a raw socket that reads nothing until `drain()`. */
function stalledListener(s: Server, query: string) {
  const port = s.api.httpPort!
  const socket: Socket = connect(port, '127.0.0.1')
  socket.pause()
  socket.write(`GET /v2025-02-19${listenPath(query)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
  return {
    socket,
    /** Read everything the server sent until it closed the connection. */
    drain(): Promise<string> {
      return new Promise((resolve) => {
        let text = ''
        socket.setEncoding('utf8')
        socket.on('data', (d: string) => (text += d))
        socket.on('error', () => {})
        socket.on('close', () => resolve(text))
        socket.resume()
      })
    },
  }
}

const big = (id: string, i: number) => ({
  createOrReplace: {_id: id, _type: 'concern', title: `Big ${i}`, body: 'x'.repeat(1_000_000)},
})

describe('listen over a real server', () => {
  it('without the token a stream sees no document with a private id; with it, all of them', async () => {
    const s = await start()
    const anonymous = readEvents(await listen(s, '*[_type == "concern"]'), 3)
    const withToken = readEvents(await listen(s, '*[_type == "concern"]', {auth: true}), 7)
    const tx = await s.mutate([
      {createOrReplace: {_id: '_.listen.system', _type: 'concern'}},
      {createOrReplace: {_id: 'secret.c1', _type: 'concern'}},
      {createOrReplace: {_id: 'drafts.c1', _type: 'concern'}},
      {createOrReplace: {_id: 'versions.r1.c1', _type: 'concern'}},
      {createOrReplace: {_id: 'c1', _type: 'concern'}},
    ])
    const second = await s.mutate([{createOrReplace: {_id: 'c2', _type: 'concern'}}])
    const ids = (events: Array<{event: string; data: any}>) =>
      events.slice(1).map((e) => `${e.event} ${e.data.transactionId} ${e.data.documentId}`)
    expect(ids(await anonymous)).toEqual([`mutation ${tx} c1`, `mutation ${second} c2`])
    expect(ids(await withToken)).toEqual([
      `mutation ${tx} _.listen.system`,
      `mutation ${tx} secret.c1`,
      `mutation ${tx} drafts.c1`,
      `mutation ${tx} versions.r1.c1`,
      `mutation ${tx} c1`,
      `mutation ${second} c2`,
    ])
  })

  it('a syntax error is a 400 before the stream opens', async () => {
    const s = await start()
    const res = await s.http(listenPath('*[_type == '))
    expect(res.status).toBe(400)
    expect(((await res.json()) as {error: {type: string}}).error.type).toBe('queryParseError')
    expect(s.api.context.hub.size).toBe(0)
  })

  it('a filter past the time limit ends its streams with a channelError; /ping and other streams go on', async () => {
    const s = await start({queryTimeoutMs: 1000})
    const a = JSON.stringify(Array.from({length: 200}, (_, i) => ({i})))
    const slow = `*[count($a[]{"x": $a[]{"y": $a[]{"z": 1}}}) > 0]`
    const victims = await Promise.all(
      [0, 1, 2].map(() => listen(s, slow, {extra: `&$a=${encodeURIComponent(a)}`})),
    )
    const fine = readEvents(await listen(s, '*[_type == "concern"]'), 2)
    expect(s.api.context.hub.groupCount).toBe(2)
    const matches = vi.spyOn(s.api.context.queries, 'match')
    const tx = await s.mutate([{createOrReplace: {_id: 'c3', _type: 'concern'}}])
    let slowestPing = 0
    const pinging = (async () => {
      for (let i = 0; i < 15; i++) {
        const sent = performance.now()
        await (await s.http('/ping')).text()
        slowestPing = Math.max(slowestPing, performance.now() - sent)
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    const ends = await Promise.all(victims.map((res) => readEvents(res, 3)))
    await pinging
    for (const events of ends)
      expect(events.map((e) => [e.event, (e.data as any)?.error?.type])).toEqual([
        ['welcome', undefined],
        ['channelError', 'queryTimeoutError'],
      ])
    const [, event] = await fine
    expect(event!.data).toMatchObject({transactionId: tx, documentId: 'c3'})
    // One evaluation per distinct filter: three streams share the slow one.
    expect(matches).toHaveBeenCalledTimes(2)
    expect(slowestPing).toBeLessThan(200)
    await until(() => expect(s.api.context.hub.size).toBe(1))
  })

  it('caps streams in total and per client with a 429 that @sanity/client retries', async () => {
    const s = await start({listenLimits: {maxListeners: 3, maxListenersPerClient: 2}})
    const controller = new AbortController()
    await listen(s, '*')
    const first = await s.http(listenPath('*'), {signal: controller.signal})
    expect(first.status).toBe(200)
    const refused = await s.http(listenPath('*'))
    expect(refused.status).toBe(429)
    expect(await refused.json()).toEqual({
      statusCode: 429,
      error: {
        description: 'Max listener limit exceeded at 2 for this client',
        type: 'listenerLimitExceeded',
      },
      message: 'Max listener limit exceeded at 2 for this client',
    })
    await listen(s, '*', {auth: true})
    const full = await s.http(listenPath('*'), {auth: true})
    expect(full.status).toBe(429)
    expect(((await full.json()) as {message: string}).message).toBe(
      'Max listener limit exceeded at 3',
    )
    // A closed stream gives its place back.
    controller.abort()
    await until(() => expect(s.api.context.hub.size).toBe(2))
    await listen(s, '*', {auth: true})
    expect(s.api.context.hub.size).toBe(3)
  })

  it('drops a client that does not read with a disconnect event; a reader gets every event', async () => {
    const s = await start({listenLimits: {maxPendingBytes: 256 * 1024, maxPendingMs: 1000}})
    const stalled = stalledListener(s, '*[_type == "concern"]')
    const reader = readEvents(await listen(s, '*[_type == "concern"]'), 9)
    await until(() => expect(s.api.context.hub.size).toBe(2))
    const txs: string[] = []
    for (let i = 0; i < 8; i++) txs.push(await s.mutate([big(`big-${i}`, i)]))
    const events = await reader
    expect(events.slice(1).map((e) => (e.data as any).transactionId)).toEqual(txs)
    // The kernel takes about 4 MB per connection before bytes wait in the server: 16 MB sent.
    await until(() => expect(s.api.context.hub.size).toBe(0))
    const text = await stalled.drain()
    const last = /event: disconnect\r?\ndata: (.*)\n/.exec(text)?.[1]
    expect(JSON.parse(last!).reason).toMatch(
      /^The listener fell behind: \d+ bytes unread for 1\.\d+ s \(limit 262144 bytes for 1 s\); listen again and refetch$/,
    )
    expect(text.endsWith('\r\n0\r\n\r\n')).toBe(true)
  })

  it('over HTTP/2 (the Studio): a reader gets every event, a stream left unread is dropped with a disconnect', async () => {
    const s = await start({listenLimits: {maxPendingBytes: 256 * 1024, maxPendingMs: 500}})
    const sessions: ClientHttp2Session[] = []
    /** A stream on a session of its own: a paused one holds back only its own session. */
    const open = () => {
      const session = connectH2(s.api.url, {ca: s.tls.caCert, servername: 'localhost'})
      sessions.push(session)
      const req = session.request({
        ':path': `/v2025-02-19${listenPath('*[_type == "concern"]')}`,
        ':authority': 'localhost',
        authorization: `Bearer ${TOKEN}`,
      })
      let text = ''
      req.setEncoding('utf8')
      req.on('data', (d: string) => (text += d))
      const ended = new Promise<string>((resolve) => {
        req.on('close', () => resolve(text))
        req.on('error', () => {})
      })
      return {req, ended, text: () => text}
    }
    try {
      const reader = open()
      const stalled = open()
      await until(() => expect(stalled.text()).toMatch(/^event: welcome\n/))
      stalled.req.pause()
      await until(() => expect(reader.text()).toMatch(/^event: welcome\n/))
      expect(s.api.context.hub.size).toBe(2)
      const txs: string[] = []
      for (let i = 0; i < 4; i++) txs.push(await s.mutate([big(`big-${i}`, i)]))
      await until(() => expect(s.api.context.hub.size).toBe(1))
      stalled.req.resume()
      const events = (await stalled.ended).split('\n\n').filter(Boolean)
      expect(events.at(-1)).toMatch(
        /^event: disconnect\ndata: \{"reason":"The listener fell behind: \d+ bytes unread for 0\.\d+ s \(limit 262144 bytes for 0\.5 s\); listen again and refetch"\}$/,
      )
      await until(() =>
        expect([...reader.text().matchAll(/"transactionId":"(\w+)"/g)].map((m) => m[1])).toEqual(
          txs,
        ),
      )
      expect(s.api.context.hub.size).toBe(1)
    } finally {
      for (const session of sessions) session.destroy()
    }
  })

  it('a stream the client closes leaves nothing behind', async () => {
    const s = await start()
    const controller = new AbortController()
    const res = await s.http(listenPath('*[_type == "concern"]'), {signal: controller.signal})
    expect(res.status).toBe(200)
    expect(s.api.context.hub.size).toBe(1)
    expect(s.api.context.hub.groupCount).toBe(1)
    controller.abort()
    await until(() => expect(s.api.context.hub.groupCount).toBe(0))
    expect(s.api.context.hub.size).toBe(0)
  })
})
