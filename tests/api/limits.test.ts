/**
 * Document and request limits over the local API: deletes and patches by query select in the
 * query workers (params an object, the time limit, at most 10,000 documents, exactly what was
 * selected), array indexes and document size refused with a 400 and the dataset unchanged, and
 * request bodies over the limit answered 413 promptly, however the client sends them.
 */
import {connect as connectH2} from 'node:http2'
import {connect as connectTcp} from 'node:net'
import {PassThrough} from 'node:stream'
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import {
  BODY_IDLE_MS,
  BODY_TIMEOUT_MS,
  DRAIN_BYTES,
  MAX_BODY_BYTES,
  readBody,
  type Req,
} from '../../scripts/api/http.ts'
import {startApiServer, type RunningApi} from '../../scripts/api/server.ts'
import {MAX_SELECTED} from '../../scripts/api/selections.ts'
import {ensureTls} from '../../scripts/api/tls.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {startTestApi, TOKEN, type TestApi} from './helpers.ts'
import {postWholeBody} from './rawClient.ts'

let t: TestApi
beforeAll(async () => {
  t = await startTestApi()
})
afterAll(() => t.close())

interface Answer {
  status: number
  body: {
    error?: {type?: string; description?: string; items?: Array<{error: {type: string}}>}
    results?: Array<{id: string; operation: string}>
    result?: unknown
  }
}

async function mutate(mutations: unknown, path = '/data/mutate/production'): Promise<Answer> {
  const res = await t.http(path, {
    method: 'POST',
    auth: true,
    headers: {'content-type': 'application/json'},
    body: typeof mutations === 'string' ? mutations : JSON.stringify({mutations}),
  })
  return {status: res.status, body: (await res.json()) as Answer['body']}
}

/** Documents of one `_type`, created fresh for a test (ids `<type>-<n>`). */
function seed(type: string, count: number, extra: (i: number) => object = () => ({})): string[] {
  const docs = Array.from({length: count}, (_, i) => ({
    _id: `${type}-${i}`,
    _type: type,
    ...extra(i),
  }))
  t.ds.importDocuments(docs, {replace: true})
  return docs.map((d) => d._id)
}

const revs = (ids: string[]) => t.ds.getMany(ids).map((d) => d?._rev)

/** Another process's connection to the dataset file, writing while a request is under way. */
function otherWriter(): Dataset {
  return Dataset.open(t.datasetPath)
}

afterEach(() => vi.restoreAllMocks())

describe('deletes and patches by query', () => {
  it('params must be an object: a 400 that names the mutation, and nothing is written', async () => {
    seed('param', 2, () => ({flag: true}))
    const seq = t.ds.lastSeq()
    for (const params of [[], 'x', 5, null]) {
      const res = await mutate([
        {patch: {query: '*[_type == "param" && flag == $f]', params, set: {seen: true}}},
      ])
      expect(res.status, JSON.stringify(params)).toBe(400)
      expect(res.body.error?.type).toBe('mutationError')
      expect(res.body.error?.description).toContain('mutations[0].patch.params: must be an object')
    }
    expect(t.ds.lastSeq()).toBe(seq)
  })

  it('select in a query worker and apply to exactly the selected documents', async () => {
    const ids = seed('sel', 4, (i) => ({n: i}))
    const spy = vi.spyOn(t.api.context.queries, 'ids')
    const res = await mutate([
      {patch: {query: '*[_type == $t && n >= $min]', params: {t: 'sel', min: 1}, inc: {n: 10}}},
      {delete: {query: '*[_type == "sel" && n == 0]'}},
    ])
    expect(res.status).toBe(200)
    expect(spy).toHaveBeenCalledTimes(2)
    expect(t.ds.getMany(ids).map((d) => d?.n)).toEqual([undefined, 11, 12, 13])
    expect(res.body.results?.map((r) => `${r.id}:${r.operation}`).sort()).toEqual([
      'sel-0:delete',
      'sel-1:update',
      'sel-2:update',
      'sel-3:update',
    ])
    // The log shows what was done to which document.
    const logged = t.ds.transactionsSince(t.ds.lastSeq() - 1)[0]!.mutations
    expect(logged).toContainEqual({patch: {id: 'sel-1', inc: {n: 10}}})
    expect(logged).toContainEqual({delete: {id: 'sel-0'}})
  })

  it('a patch skips what an earlier mutation of the request deleted; errors name the request’s mutation', async () => {
    const ids = seed('skip', 3)
    const ok = await mutate([
      {delete: {id: 'skip-0'}},
      {patch: {query: '*[_type == "skip"]', set: {seen: true}}},
    ])
    expect(ok.status).toBe(200)
    expect(t.ds.getMany(ids).map((d) => d?.seen)).toEqual([undefined, true, true])
    const before = revs(ids)
    const bad = await mutate([
      {patch: {query: '*[_type == "skip"]', set: {again: true}}},
      {patch: {id: 'no-such-document', set: {x: 1}}},
    ])
    expect(bad.status).toBe(404)
    expect(bad.body.error?.description).toContain('mutations[1].patch: document "no-such-document"')
    expect(revs(ids)).toEqual(before)
  })

  it('a GROQ error is a 400 naming the mutation; so are id and query together', async () => {
    const seq = t.ds.lastSeq()
    const syntax = await mutate([
      {patch: {id: 'skip-1', set: {a: 1}}},
      {delete: {query: '*[_type == ]'}},
    ])
    expect(syntax.status).toBe(400)
    expect(syntax.body.error?.description).toContain('mutations[1].delete.query:')
    const missing = await mutate([{delete: {query: '*[_id == $nope]'}}])
    expect(missing.status).toBe(400)
    expect(missing.body.error?.description).toContain('mutations[0].delete.query:')
    const both = await mutate([{delete: {id: 'skip-1', query: '*'}}])
    expect(both.status).toBe(400)
    expect(both.body.error?.description).toContain('use either id or query')
    expect(t.ds.lastSeq()).toBe(seq)
  })

  it(`refuse a selection of more than ${MAX_SELECTED} documents`, async () => {
    seed('many', MAX_SELECTED + 1)
    const seq = t.ds.lastSeq()
    const res = await mutate([{delete: {query: '*[_type == "many"]'}}])
    expect(res.status).toBe(400)
    expect(res.body.error?.type).toBe('mutationError')
    expect(res.body.error?.description).toContain(`selects ${MAX_SELECTED + 1} documents`)
    expect(t.ds.lastSeq()).toBe(seq)
    expect(t.ds.count({type: 'many'})).toBe(MAX_SELECTED + 1)
    // Sliced, it goes through.
    const sliced = await mutate([{delete: {query: `*[_type == "many"][0...${MAX_SELECTED}]`}}])
    expect(sliced.status).toBe(200)
    expect(t.ds.count({type: 'many'})).toBe(1)
  })

  it('a document another writer changes during the selection is selected again', async () => {
    const ids = seed('race', 2, () => ({flag: true}))
    const other = otherWriter()
    const select = t.api.context.queries.ids.bind(t.api.context.queries)
    let calls = 0
    vi.spyOn(t.api.context.queries, 'ids').mockImplementation(async (...args) => {
      const selected = await select(...args)
      // While the first selection ran, race-1 stopped matching.
      if (++calls === 1) other.transaction([{patch: {id: 'race-1', set: {flag: false}}}])
      return selected
    })
    try {
      const res = await mutate([{patch: {query: '*[_type == "race" && flag]', set: {seen: true}}}])
      expect(res.status).toBe(200)
      expect(calls).toBe(2)
      expect(t.ds.getMany(ids).map((d) => d?.seen)).toEqual([true, undefined])
    } finally {
      other.close()
    }
  })

  it('a selected document that changes before the commit fails its pinned revision: selected again', async () => {
    const ids = seed('pin', 2, () => ({flag: true}))
    const other = otherWriter()
    const getMany = t.ds.getMany.bind(t.ds)
    let reads = 0
    vi.spyOn(t.ds, 'getMany').mockImplementation((wanted) => {
      const docs = getMany(wanted)
      // After the revisions were read, before the transaction: only the pins can see this.
      if (++reads === 1) other.transaction([{patch: {id: 'pin-1', set: {flag: false}}}])
      return docs
    })
    try {
      const res = await mutate([{patch: {query: '*[_type == "pin" && flag]', set: {seen: true}}}])
      expect(res.status).toBe(200)
      expect(reads).toBe(2)
      expect(t.ds.getMany(ids).map((d) => d?.seen)).toEqual([true, undefined])
    } finally {
      other.close()
    }
  })

  it('gives up with a 409 when the selected documents keep changing, and writes nothing', async () => {
    const ids = seed('churn', 1, () => ({flag: true, n: 0}))
    const other = otherWriter()
    const select = t.api.context.queries.ids.bind(t.api.context.queries)
    vi.spyOn(t.api.context.queries, 'ids').mockImplementation(async (...args) => {
      const selected = await select(...args)
      other.transaction([{patch: {id: 'churn-0', inc: {n: 1}}}])
      return selected
    })
    try {
      const res = await mutate([{patch: {query: '*[_type == "churn" && flag]', set: {seen: true}}}])
      expect(res.status).toBe(409)
      expect(res.body.error?.type).toBe('mutationError')
      expect(t.ds.get(ids[0]!)).toMatchObject({n: 3})
      expect(t.ds.get(ids[0]!)!.seen).toBeUndefined()
    } finally {
      other.close()
    }
  })
})

describe('a slow selection', () => {
  let api: RunningApi
  let ds: Dataset
  beforeAll(async () => {
    ds = Dataset.open(`${t.dir}/slow.sqlite`)
    ds.importDocuments(
      Array.from({length: 300}, (_, i) => ({_id: `slow-${i}`, _type: 'slow', n: i})),
    )
    api = await startApiServer({
      ds,
      token: TOKEN,
      tls: ensureTls(`${t.dir}/tls`, 'local'),
      httpsPort: 0,
      httpPort: 0,
      log: () => {},
      queryTimeoutMs: 300,
    })
  })
  afterAll(async () => {
    await api.close()
    ds.close()
  })

  it('is stopped by the query time limit (400 queryTimeoutError) while the server keeps answering', async () => {
    const revsBefore = ds.documents().map((d) => d._rev)
    const started = performance.now()
    const pending = fetch(`${api.httpUrl}/v2025-02-19/data/mutate/production`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({
        mutations: [
          {patch: {query: '*[count(*[count(*[_id > ^._id]) > 0]) > 0]', params: {}, set: {hit: 1}}},
        ],
      }),
    })
    const ping = performance.now()
    expect((await fetch(`${api.httpUrl}/v2025-02-19/ping`)).status).toBe(200)
    expect(performance.now() - ping).toBeLessThan(250)
    const res = await pending
    expect(res.status).toBe(400)
    expect(((await res.json()) as Answer['body']).error?.type).toBe('queryTimeoutError')
    expect(performance.now() - started).toBeLessThan(5000)
    expect(ds.documents().map((d) => d._rev)).toEqual(revsBefore)
  })
})

describe('document limits', () => {
  it('an index past the end of an array is a 400, and the document is unchanged', async () => {
    seed('arr', 1, () => ({arr: [1, 2]}))
    const before = t.ds.get('arr-0')!
    const started = performance.now()
    const res = await mutate([{patch: {id: 'arr-0', set: {'arr[19999999]': 1}}}])
    expect(performance.now() - started).toBeLessThan(1000)
    expect(res.status).toBe(400)
    expect(res.body.error?.type).toBe('mutationError')
    expect(res.body.error?.items?.[0]?.error.type).toBe('mutationError')
    expect(res.body.error?.description).toContain('outside the array (length 2)')
    expect(t.ds.get('arr-0')).toEqual(before)
    // The same through an action (what the Studio sends).
    const action = await t.http('/data/actions/production', {
      method: 'POST',
      auth: true,
      body: JSON.stringify({
        actions: [
          {
            actionType: 'sanity.action.document.edit',
            draftId: 'drafts.arr-0',
            publishedId: 'arr-0',
            patch: {set: {'arr[99999999]': 1}},
          },
        ],
      }),
    })
    expect(action.status).toBe(400)
    expect(t.ds.get('drafts.arr-0')).toBeUndefined()
  })

  it('a document larger than 32 MB is a 400, through mutations and actions', async () => {
    const text = 'x'.repeat(32_100_000)
    const seq = t.ds.lastSeq()
    const res = await mutate([{createOrReplace: {_id: 'huge', _type: 'note', text}}])
    expect(res.status).toBe(400)
    expect(res.body.error?.description).toContain('larger than 32 MB')
    const action = await t.http('/data/actions/production', {
      method: 'POST',
      auth: true,
      body: JSON.stringify({
        actions: [
          {
            actionType: 'sanity.action.document.create',
            publishedId: 'huge',
            attributes: {_id: 'drafts.huge', _type: 'note', text},
          },
        ],
      }),
    })
    expect(action.status).toBe(400)
    expect(t.ds.lastSeq()).toBe(seq)
  })
})

describe('request bodies over the limit', () => {
  const FIFTY_MB = 50 * 1024 * 1024
  const MUTATE = '/v2025-02-19/data/mutate/production'

  it('a declared Content-Length over the limit is answered 413 before any body is sent', async () => {
    const {port} = new URL(t.api.httpUrl!)
    const socket = connectTcp(Number(port), '127.0.0.1')
    const started = performance.now()
    const head = await new Promise<string>((resolve) => {
      let text = ''
      socket.on('data', (d: Buffer) => {
        text += d.toString()
        if (text.includes('\r\n\r\n')) resolve(text)
      })
      socket.write(
        `POST /v2025-02-19/data/mutate/production HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: ${FIFTY_MB}\r\n\r\n`,
      )
    })
    socket.destroy()
    expect(head).toMatch(/^HTTP\/1\.1 413 /)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('a client that writes 50 MB before reading gets its 413 (declared or chunked) or 401', async () => {
    for (const [opts, status] of [
      [{token: TOKEN}, 413],
      [{token: TOKEN, chunked: true}, 413],
      [{token: 'wrong'}, 401],
      [{}, 401],
    ] as const) {
      const answer = await postWholeBody(t.api.httpUrl!, MUTATE, FIFTY_MB, opts)
      expect(answer.status, JSON.stringify(opts)).toBe(status)
      expect(answer.ms, JSON.stringify(opts)).toBeLessThan(10_000)
    }
    expect((await t.http('/ping')).status).toBe(200)
  })

  it('over HTTP/2 too', async () => {
    const session = connectH2(t.api.url, {ca: t.tls.caCert, servername: 'localhost'})
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({
          ':method': 'POST',
          ':path': '/v2025-02-19/data/mutate/production',
          ':authority': 'localhost',
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
        })
        let answer = 0
        req.on('response', (h) => (answer = Number(h[':status'])))
        req.on('error', reject)
        req.on('close', () => resolve(answer))
        req.resume()
        const chunk = Buffer.alloc(1024 * 1024, 0x20)
        let written = 0
        const pump = () => {
          while (written < FIFTY_MB) {
            written += chunk.length
            if (!req.write(chunk)) return void req.once('drain', pump)
          }
          req.end()
        }
        pump()
      })
      expect(status).toBe(413)
    } finally {
      session.close()
    }
  })

  it('a body far past the limit is cut off after a bounded drain; the server stays up', async () => {
    const started = performance.now()
    let outcome: string
    try {
      outcome = String(
        (
          await postWholeBody(t.api.httpUrl!, MUTATE, DRAIN_BYTES + 2 * MAX_BODY_BYTES, {
            token: TOKEN,
          })
        ).status,
      )
    } catch {
      outcome = 'reset'
    }
    // Either the answer made it before the cut, or the connection was closed: never a hang.
    expect(['413', 'reset']).toContain(outcome)
    expect(performance.now() - started).toBeLessThan(15_000)
    expect((await t.http('/ping')).status).toBe(200)
  })

  it('a body that stalls or takes too long is a 408', async () => {
    vi.useFakeTimers()
    try {
      /** A request body that arrives only as the test writes it. */
      const body = () =>
        Object.assign(new PassThrough(), {headers: {}}) as unknown as Req & PassThrough
      const stalled = body()
      const failure = (r: Req) =>
        readBody(r).then(
          () => 'read',
          (e: unknown) => e,
        )
      const idle = failure(stalled)
      stalled.write('{"a":')
      vi.advanceTimersByTime(BODY_IDLE_MS)
      expect(await idle).toMatchObject({statusCode: 408, type: 'requestTimeout'})

      const trickle = body()
      const slow = failure(trickle)
      for (let ms = 0; ms < BODY_TIMEOUT_MS; ms += BODY_IDLE_MS / 2) {
        trickle.write(' ')
        await vi.advanceTimersByTimeAsync(BODY_IDLE_MS / 2)
      }
      expect(await slow).toMatchObject({
        statusCode: 408,
        message: expect.stringContaining('within'),
      })
    } finally {
      vi.useRealTimers()
    }
  })
})
