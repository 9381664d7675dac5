/**
 * Malformed input is the client's mistake: a 4xx with a JSON error, never a 500, and never a
 * server left broken for the next request. The named cases first (each found answering 500),
 * then a seeded sweep of junk over every route.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import WebSocket from 'ws'
import {MAX_BODY_DEPTH} from '../../scripts/api/http.ts'
import {mulberry32, type Rng} from '../../scripts/reliability/random.ts'
import {startTestApi, type TestApi} from './helpers.ts'

let t: TestApi
beforeAll(async () => {
  t = await startTestApi()
})
afterAll(() => t.close())

const deep = (levels: number, leaf = '1') => `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`

async function send(
  path: string,
  init: RequestInit & {auth?: boolean} = {},
): Promise<{status: number; type: string | undefined; description: string | undefined}> {
  const res = await t.http(path, {headers: {'content-type': 'application/json'}, ...init})
  const text = await res.text()
  let error: {type?: string; description?: string} | undefined
  try {
    error = (JSON.parse(text) as {error?: typeof error}).error
  } catch {
    error = undefined
  }
  return {status: res.status, type: error?.type, description: error?.description}
}

describe('named malformed inputs', () => {
  it('a bad %-encoding in the path is a 400', async () => {
    for (const path of ['/data/doc/production/%E0%A4%A', '/users/%ZZ', '/projects/%']) {
      const res = await send(path)
      expect(res.status, path).toBe(400)
      expect(res.type, path).toBe('badRequest')
    }
  })

  it('a perspective that is not a string (or strings) is a 400, deep or not', async () => {
    const body = (perspective: string) => `{"query": "count(*)", "perspective": ${perspective}}`
    const deepOne = await send('/data/query/production', {
      method: 'POST',
      body: body(deep(100_000)),
    })
    expect(deepOne).toMatchObject({status: 400, type: 'invalidJson'})
    for (const perspective of ['{}', '5', '[1]', '[["drafts"]]', deep(5, '"drafts"')]) {
      const res = await send('/data/query/production', {
        method: 'POST',
        auth: true,
        body: body(perspective),
      })
      expect(res, perspective).toMatchObject({status: 400, type: 'invalidPerspective'})
    }
    const fine = await send('/data/query/production', {
      method: 'POST',
      auth: true,
      body: body('["drafts"]'),
    })
    expect(fine.status).toBe(200)
  })

  it('deep actions and deep mutation params are a 400', async () => {
    const seq = t.ds.lastSeq()
    const actions = await send('/data/actions/production', {
      method: 'POST',
      auth: true,
      body: `{"actions": [{"actionType": "sanity.action.document.create", "publishedId": "d", "attributes": {"_id": "drafts.d", "_type": "note", "x": ${deep(100_000)}}}]}`,
    })
    expect(actions).toMatchObject({status: 400, type: 'invalidJson'})
    const params = await send('/data/mutate/production', {
      method: 'POST',
      auth: true,
      body: `{"mutations": [{"delete": {"query": "*[_id == $p]", "params": {"p": ${deep(100_000)}}}}]}`,
    })
    expect(params).toMatchObject({status: 400, type: 'invalidJson'})
    // Under the body's limit, still past the params' own.
    const shallower = await send('/data/mutate/production', {
      method: 'POST',
      auth: true,
      body: `{"mutations": [{"delete": {"query": "*[_id == $p]", "params": {"p": ${deep(104)}}}}]}`,
    })
    expect(shallower.status).toBe(400)
    expect(t.ds.lastSeq()).toBe(seq)
    const started = performance.now()
    expect((await send('/data/query/production?query=count(*)')).status).toBe(200)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it(`a body nested more than ${MAX_BODY_DEPTH} levels is refused before any route sees it`, async () => {
    // `{"mutations": [<value>]}` adds two levels around the value.
    const body = (levels: number) => `{"mutations": [${deep(levels - 2)}]}`
    const over = await send('/data/mutate/production', {
      method: 'POST',
      auth: true,
      body: body(MAX_BODY_DEPTH + 1),
    })
    expect(over).toMatchObject({status: 400, type: 'invalidJson'})
    const at = await send('/data/mutate/production', {
      method: 'POST',
      auth: true,
      body: body(MAX_BODY_DEPTH),
    })
    expect(at).toMatchObject({status: 400, type: 'mutationError'})
  })

  it('a bad key-value PUT is a 400 or 413, stores nothing, and reads keep working', async () => {
    const put = (body: string) => send('/users/me/keyvalue', {method: 'PUT', auth: true, body})
    expect(await put('[{"key": "ok", "value": 1}]')).toMatchObject({status: 200})
    expect(await put(`{"key": "deep", "value": ${deep(100_000)}}`)).toMatchObject({
      status: 400,
      type: 'invalidJson',
    })
    expect(await put(`{"key": "deep", "value": ${deep(101)}}`)).toMatchObject({
      status: 400,
      type: 'validationError',
    })
    expect(await put(`[{"key": "first", "value": 2}, {"key": "", "value": 3}]`)).toMatchObject({
      status: 400,
    })
    expect(
      await put(JSON.stringify({key: 'big', value: 'x'.repeat(2 * 1024 * 1024)})),
    ).toMatchObject({status: 413, type: 'payloadTooLarge'})
    for (let i = 0; i < 2; i++) {
      const res = await t.http('/users/me/keyvalue/ok,deep,first,big', {auth: true})
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual([
        {key: 'ok', value: 1},
        {key: 'deep', value: null},
        {key: 'first', value: null},
        {key: 'big', value: null},
      ])
    }
  })
})

describe('the presence socket', () => {
  /** Send `messages` on a fresh socket; resolves with its JSON replies and close code. */
  function exchange(messages: string[]): Promise<{replies: unknown[]; code: number | undefined}> {
    const ws = new WebSocket(
      `${t.api.httpUrl!.replace('http', 'ws')}/v2022-06-30/socket/production`,
    )
    const replies: unknown[] = []
    return new Promise((resolve, reject) => {
      let code: number | undefined
      const done = setTimeout(() => {
        ws.close()
        resolve({replies, code})
      }, 500)
      ws.on('open', () => messages.forEach((m) => ws.send(m)))
      ws.on('message', (m) => {
        const text = String(m)
        if (text.startsWith('{')) replies.push(JSON.parse(text))
      })
      ws.on('close', (c) => {
        code = c
        clearTimeout(done)
        resolve({replies, code})
      })
      ws.on('error', reject)
    })
  }

  it('ignores a call whose id is not a number or string (one nested 30,000 deep crashed the server)', async () => {
    const call = (id: string) => `{"jsonrpc": "2.0", "method": "presence_subscribe", "id": ${id}}`
    const answer = await exchange([call(deep(30_000)), call('{}'), call('7')])
    expect(answer.replies).toEqual([
      {jsonrpc: '2.0', id: 7, result: expect.stringMatching(/^sub-/)},
    ])
    expect((await t.http('/ping')).status).toBe(200)
  })

  it('closes the socket on a message over 64 kB (1009, message too big)', async () => {
    const answer = await exchange([`{"method": "x", "id": 1, "pad": "${'x'.repeat(70_000)}"}`])
    expect(answer.code).toBe(1009)
    expect((await t.http('/ping')).status).toBe(200)
  })
})

/** One junk request for some route, built from the seed. */
interface Junk {
  method: string
  path: string
  body?: string | Uint8Array<ArrayBuffer>
  auth: boolean
}

const JSON_JUNK = (rng: Rng): string =>
  rng.pick<() => string>([
    () => '',
    () => '{',
    () => 'null',
    () => '[]',
    () => '"x"',
    () => String(rng.int(-1e9, 1e9)),
    () => '{"__proto__": {"polluted": true}}',
    () => deep(rng.int(90, 130)),
    () => deep(rng.int(1000, 50_000), '{}'),
    () => `{"a": ${'1e999'}}`,
    () =>
      JSON.stringify({query: rng.pick(['*', '*[', 42, null]), params: rng.pick([[], 'x', {a: 1}])}),
    () => JSON.stringify({mutations: rng.pick([{}, [null], [{patch: {query: '*', params: []}}]])}),
    () => JSON.stringify({actions: rng.pick([[{actionType: 7}], [{}], 'x'])}),
    () => JSON.stringify([{key: rng.pick([null, 5, 'k']), value: rng.pick([{}, [], 'v'])}]),
    () => `"\\ud800"`,
  ])()

const SEGMENT = (rng: Rng): string =>
  rng.pick([
    'production',
    'local',
    'other',
    '%E0%A4%A',
    '%',
    '%00',
    '%F0%9F%98',
    'drafts.x,,%2C',
    'x'.repeat(rng.int(1, 4000)),
    encodeURIComponent('ä/ö'),
    '..',
  ])

const QUERY = (rng: Rng): string =>
  rng.pick([
    '',
    `?query=${encodeURIComponent(rng.pick(['*', '*[', 'count(*)', '$p']))}`,
    `?query=*&$p=${encodeURIComponent(rng.pick(['{', deep(200), '"x"', '[]']))}`,
    `?perspective=${encodeURIComponent(rng.pick(['raw,drafts', 'x', '', 'raw']))}&query=1`,
    `?limit=${rng.pick(['-1', '1e9', 'x', '99999999999999999999'])}&revision=%E0&time=nope`,
    '?%E0%A4%A=1',
  ])

function junk(rng: Rng): Junk {
  const s = () => SEGMENT(rng)
  const path = rng.pick([
    () => `/data/query/${s()}${QUERY(rng)}`,
    () => `/data/doc/${s()}/${s()}`,
    () => `/data/mutate/${s()}${QUERY(rng)}`,
    () => `/data/actions/${s()}`,
    () => `/data/listen/${s()}${QUERY(rng)}`,
    () => `/data/export/${s()}${QUERY(rng)}`,
    () => `/data/history/${s()}/transactions/${s()}${QUERY(rng)}`,
    () => `/data/history/${s()}/documents/${s()}${QUERY(rng)}`,
    () => `/data/history/${s()}/events/documents/${s()}`,
    () => `/users/me/keyvalue/${s()}`,
    () => '/users/me/keyvalue',
    () => `/users/${s()}`,
    () =>
      `/projects/${s()}${rng.pick(['', '/grants', '/datasets', `/datasets/${s()}/acl`, '/user-applications'])}`,
    () =>
      rng.pick([
        '/users/me',
        '/auth/id',
        '/auth/providers',
        '/auth/logout',
        '/features',
        '/datasets',
      ]),
    () =>
      rng.pick(['/ping', '/data/ping', '/help', '/journey/trial/x', '/check/cors', '/intake/x']),
  ])()
  const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
  const body =
    method === 'GET'
      ? undefined
      : rng.chance(0.1)
        ? new Uint8Array(rng.bytes(rng.int(1, 512)))
        : JSON_JUNK(rng)
  return {method, path, body, auth: rng.chance(0.6)}
}

describe('a seeded sweep of junk over every route', () => {
  it('never answers 500, and the server keeps answering', async () => {
    const rng = mulberry32(0x400e)
    const failures: string[] = []
    const statuses = new Map<number, number>()
    for (let i = 0; i < 400; i++) {
      const r = junk(rng)
      const res = await t.http(r.path, {
        method: r.method,
        auth: r.auth,
        headers: {'content-type': 'application/json'},
        ...(r.body === undefined ? {} : {body: r.body}),
        signal: AbortSignal.timeout(10_000),
      })
      // A listen stream that was accepted stays open: its status is all this needs.
      const streaming = res.headers.get('content-type')?.startsWith('text/event-stream')
      const text = streaming ? (await res.body?.cancel(), '') : await res.text()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      if (res.status >= 500)
        failures.push(`${r.method} ${r.path.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`)
    }
    expect(failures).toEqual([])
    // The sweep reaches past the front door: refusals of every kind, and some successes.
    for (const status of [200, 400, 401, 404, 405])
      expect(statuses.get(status), `${status}`).toBeGreaterThan(0)
    expect((await t.http('/ping')).status).toBe(200)
  }, 60_000)
})
