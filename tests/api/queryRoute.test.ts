import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startApiServer, type RunningApi} from '../../scripts/api/server.ts'
import {ensureTls} from '../../scripts/api/tls.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE, TOKEN} from './helpers.ts'

const PRIVATE = [
  {_id: '_.sys', _type: 'system.settings', title: 'System'},
  {_id: '_.migrations.m1', _type: 'system.migration', title: 'Migration'},
  {_id: 'ref-to-private', _type: 'note', target: {_type: 'reference', _ref: '_.sys'}},
]

let dir: string
let ds: Dataset
let api: RunningApi
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'query-route-'))
  ds = Dataset.open(join(dir, 'dataset.sqlite'))
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  ds.transaction(PRIVATE.map((d) => ({createOrReplace: d})))
  api = await startApiServer({
    ds,
    token: TOKEN,
    tls: ensureTls(join(dir, 'tls'), 'local'),
    httpsPort: 0,
    httpPort: 0,
    log: () => {},
    queryOptions: {maxResultBytes: 2000, maxParamsBytes: 1000},
  })
})
afterAll(async () => {
  await api.close()
  ds.close()
  rmSync(dir, {recursive: true, force: true})
})

function http(path: string, init: RequestInit & {auth?: boolean} = {}): Promise<Response> {
  const {auth, ...rest} = init
  const headers = new Headers(rest.headers)
  if (auth) headers.set('authorization', `Bearer ${TOKEN}`)
  return fetch(`${api.httpUrl!}/v2025-02-19${path}`, {...rest, headers})
}

const query = (q: string, auth = false) =>
  http(`/data/query/production?query=${encodeURIComponent(q)}`, {auth})

const post = (body: unknown) =>
  http('/data/query/production', {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  })

describe('POST|GET /data/query', () => {
  it('answers {query, result, ms, syncTags} with the worker bytes as the result', async () => {
    const res = await query('*[_type == "concern"] | order(_id)._id')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const text = await res.text()
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    const body = JSON.parse(text) as {ms: number}
    expect(Object.keys(body)).toEqual(['query', 'result', 'ms', 'syncTags'])
    expect(body).toEqual({
      query: '*[_type == "concern"] | order(_id)._id',
      result: ['concern-acne-scars', 'concern-enlarged-pores'],
      ms: body.ms,
      syncTags: [],
    })
    expect(Number.isInteger(body.ms)).toBe(true)
    // Non-ASCII in query and result: lengths are bytes.
    const unicode = await post({query: '$s', params: {s: 'é😀'}})
    const unicodeText = await unicode.text()
    expect(Number(unicode.headers.get('content-length'))).toBe(Buffer.byteLength(unicodeText))
    expect((JSON.parse(unicodeText) as {result: string}).result).toBe('é😀')
  })

  it('a result larger than the limit is a 400 queryResultTooLargeError', async () => {
    const res = await query('*')
    expect(res.status).toBe(400)
    const body = (await res.json()) as {error: {type: string; description: string}}
    expect(body.error.type).toBe('queryResultTooLargeError')
    expect(body.error.description).toBe(
      "Query result larger than the local API's limit of 2000 bytes of JSON; select fewer fields or slice it",
    )
  })

  it('a body past the params limit is a 413 before it is read; params past it after parsing', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      // Announces 2 MB and sends none of it: the answer cannot have waited for the body.
      const req = request(`${api.httpUrl!}/v2025-02-19/data/query/production`, {
        method: 'POST',
        headers: {'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024)},
      })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
        req.destroy()
      })
      req.on('error', reject)
      req.flushHeaders()
    })
    expect(status).toBe(413)
    const res = await post({query: 'count(*)', params: {s: 'x'.repeat(1000)}})
    expect(res.status).toBe(413)
    expect(((await res.json()) as {error: unknown}).error).toEqual({
      type: 'payloadTooLarge',
      description: 'Query parameters larger than 1000 bytes of JSON',
    })
    expect((await post({query: 'count(*)', params: {s: 'x'.repeat(900)}})).status).toBe(200)
  })
})

describe('private ids (with a `.`) are not there for anonymous callers', () => {
  it('query: not by filter, count, path or ->; the token holder sees them', async () => {
    const result = async (q: string, auth = false) =>
      ((await (await query(q, auth)).json()) as {result: unknown}).result
    expect(await result('*[_id == "_.sys"]')).toEqual([])
    expect(await result('count(*[_id in path("_.**")])')).toBe(0)
    expect(await result('count(*)')).toBe(7)
    expect(await result('*[_id == "ref-to-private"][0].target->title')).toBe(null)
    expect(await result('count(*[_id in path("_.**")])', true)).toBe(2)
    expect(await result('*[_id == "ref-to-private"][0].target->title', true)).toBe('System')
  })

  it('export: no `_.` lines without the token, all of them with it', async () => {
    const ids = async (auth: boolean) =>
      (await (await http('/data/export/production', {auth})).text())
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as {_id: string})._id)
    const anonymous = await ids(false)
    expect(anonymous.filter((id) => id.includes('.'))).toEqual([])
    expect(anonymous).toHaveLength(7)
    expect((await ids(true)).filter((id) => id.startsWith('_.'))).toEqual([
      '_.migrations.m1',
      '_.sys',
    ])
  })

  it('doc: omitted for permission without the token, returned with it', async () => {
    const anonymous = (await (await http('/data/doc/production/_.sys,ref-to-private')).json()) as {
      documents: Array<{_id: string}>
      omitted: unknown[]
    }
    expect(anonymous.documents.map((d) => d._id)).toEqual(['ref-to-private'])
    expect(anonymous.omitted).toEqual([{id: '_.sys', reason: 'permission'}])
    const authed = (await (await http('/data/doc/production/_.sys', {auth: true})).json()) as {
      documents: Array<{title: string}>
    }
    expect(authed.documents.map((d) => d.title)).toEqual(['System'])
  })
})
