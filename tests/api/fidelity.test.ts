/**
 * The local API answers as the hosted one where a new user would notice: a wrong token, the
 * default perspective per API version, `returnQuery=false`, an unknown perspective and a missing
 * `$param` (with where it is).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestApi, type TestApi} from './helpers.ts'

let t: TestApi
beforeAll(async () => {
  t = await startTestApi()
})
afterAll(() => t.close())

const WRONG = {authorization: 'Bearer not-the-token-0123456789abcdefghijklmnopqrstuv'}
const COUNT = 'count(*[_type == "benefit"])'

async function json(res: Response) {
  return {status: res.status, body: (await res.json()) as Record<string, any>}
}

/** `/v<version>/data/query/production` with the token. */
const queryAt = (version: string, query: string, extra = '') =>
  fetch(
    `${t.api.httpUrl}/v${version}/data/query/production?query=${encodeURIComponent(query)}${extra}`,
    {headers: {authorization: `Bearer ${t.token}`}},
  )

describe('a token that is not the dataset’s', () => {
  it('is refused with 401 on every route, read or write, public or not', async () => {
    const mutation = JSON.stringify({mutations: [{create: {_type: 'concern', title: 'x'}}]})
    const requests: Array<[string, RequestInit?]> = [
      [`/data/query/production?query=${encodeURIComponent(COUNT)}`],
      ['/data/query/production', {method: 'POST', body: JSON.stringify({query: COUNT})}],
      ['/data/doc/production/concern-acne-scars'],
      [`/data/listen/production?query=${encodeURIComponent('*')}`],
      ['/data/export/production'],
      ['/data/mutate/production', {method: 'POST', body: mutation}],
      ['/users/me'],
      ['/projects/local'],
    ]
    for (const [path, init] of requests) {
      const res = await json(await t.http(path, {...init, headers: WRONG}))
      expect(res, path).toMatchObject({
        status: 401,
        body: {
          statusCode: 401,
          error: {type: 'unauthorized', description: 'Session not found', errorCode: 'SIO-401-ANF'},
        },
      })
    }
    // A credential that is not a bearer token at all is no better.
    expect((await t.http('/users/me', {headers: {authorization: 'Basic eDp5'}})).status).toBe(401)
    expect(t.ds.count({type: 'concern'})).toBe(2)
  })

  it('reaches @sanity/client as a 401, not as an anonymous answer', async () => {
    const client = t.client().withConfig({token: WRONG.authorization.slice('Bearer '.length)})
    await expect(client.fetch(COUNT)).rejects.toMatchObject({
      statusCode: 401,
      message: expect.stringContaining('Session not found'),
    })
  })

  it('leaves anonymous requests and the right token as they were', async () => {
    expect((await json(await t.http(`/data/query/production?query=${COUNT}`))).body.result).toBe(2)
    expect(await t.client().fetch(COUNT, {}, {perspective: 'raw'})).toBe(4)
  })
})

describe('the default perspective follows the API version', () => {
  it('is raw before v2025-02-19 and published from it (with the token)', async () => {
    // The fixture has two published benefits and two drafts (one of a published one).
    for (const [version, count] of [
      ['1', 4],
      ['2021-10-21', 4],
      ['2025-02-18', 4],
      ['2025-02-19', 2],
      ['2026-01-01', 2],
      ['X', 2],
    ] as const)
      expect((await json(await queryAt(version, COUNT))).body.result, `v${version}`).toBe(count)
  })

  it('never shows drafts to an anonymous caller, whatever the version', async () => {
    const res = await fetch(
      `${t.api.httpUrl}/v2021-10-21/data/query/production?query=${encodeURIComponent(COUNT)}`,
    )
    expect((await json(res)).body.result).toBe(2)
  })

  it('an explicit perspective wins over the default', async () => {
    expect(
      (await json(await queryAt('2021-10-21', COUNT, '&perspective=published'))).body.result,
    ).toBe(2)
    expect((await json(await queryAt('2025-02-19', COUNT, '&perspective=raw'))).body.result).toBe(4)
  })
})

describe('returnQuery', () => {
  it('false leaves the query out of GET and POST answers; the default echoes it', async () => {
    const get = await json(await t.http(`/data/query/production?query=${COUNT}&returnQuery=false`))
    expect(get.body).not.toHaveProperty('query')
    expect(get.body).toMatchObject({result: 2, syncTags: []})
    expect(get.body.ms).toEqual(expect.any(Number))
    const post = await json(
      await t.http('/data/query/production?returnQuery=false', {
        method: 'POST',
        body: JSON.stringify({query: COUNT}),
      }),
    )
    expect(post.body).not.toHaveProperty('query')
    expect(post.body.result).toBe(2)
    const echoed = await json(await t.http(`/data/query/production?query=${COUNT}`))
    expect(echoed.body.query).toBe(COUNT)
  })
})

describe('an unknown perspective', () => {
  it('is a 400 in Content Lake’s error shape; named ones and release stacks still work', async () => {
    for (const p of ['publised', 'bogus', 'drafts,bogus', 'drafts.x']) {
      const res = await json(await queryAt('2025-02-19', COUNT, `&perspective=${p}`))
      expect(res, p).toMatchObject({
        status: 400,
        body: {
          statusCode: 400,
          error: {type: 'invalidPerspective', description: expect.stringContaining('Unknown')},
        },
      })
    }
    const post = await json(
      await t.http('/data/query/production', {
        method: 'POST',
        body: JSON.stringify({query: COUNT, perspective: ['nope']}),
        headers: {authorization: `Bearer ${t.token}`},
      }),
    )
    expect(post.status).toBe(400)
    for (const [p, count] of [
      ['previewDrafts', 3],
      ['rABC123xy,drafts', 3],
      ['rABC123xy', 2],
    ] as const)
      expect(
        (await json(await queryAt('2025-02-19', COUNT, `&perspective=${p}`))).body.result,
      ).toBe(count)
  })
})

describe('a missing $param', () => {
  it('is a 400 queryParseError marking the parameter in the query', async () => {
    const query = '*[_type == "benefit" && "$id" != _id\n  && _id == $id]'
    const res = await json(
      await t.http(`/data/query/production?query=${encodeURIComponent(query)}`),
    )
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      type: 'queryParseError',
      description: 'param $id referenced, but not provided',
      query,
    })
    const {start, end} = res.body.error as {start: number; end: number}
    expect(query.slice(start, end)).toBe('$id')
    expect(start).toBe(query.lastIndexOf('$id'))
  })

  it('reaches @sanity/client as a code frame pointing at it', async () => {
    await expect(t.client().fetch('*[_id == $id][0]')).rejects.toThrow(
      /param \$id referenced, but not provided/,
    )
    const err = await t
      .client()
      .fetch('*[_id == $id][0]')
      .catch((e: Error) => e)
    expect((err as Error).message).toContain('^^^')
  })
})
