import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {HttpError} from '../../scripts/api/http.ts'
import {QueryService, type QueryServiceOptions} from '../../scripts/api/queryService.ts'
import {GroqQueryError} from '../../scripts/query/errors.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {FIXTURE} from './helpers.ts'

/** Half a minute of work in little memory, whatever the dataset: 200^4 filter tests. */
const ENDLESS = 'count($a[count($a[count($a[count($a[i > 0]) > 0]) > 0]) > 0])'
const endless = {a: Array.from({length: 200}, (_, i) => ({i}))}

const PRIVATE = [
  {_id: '_.sys', _type: 'system.settings', title: 'System'},
  {_id: '_.migrations.m1', _type: 'system.migration', title: 'Migration'},
  {
    _id: 'ref-to-private',
    _type: 'note',
    title: 'Points at the system document',
    target: {_type: 'reference', _ref: '_.sys'},
  },
]

let dir: string
let ds: Dataset
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'query-service-'))
  ds = Dataset.open(join(dir, 'dataset.sqlite'))
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  ds.transaction(PRIVATE.map((d) => ({createOrReplace: d})))
})
afterAll(() => {
  ds.close()
  rmSync(dir, {recursive: true, force: true})
})

/** A service over the test dataset file (so: query workers), closed after `fn`. */
async function withService(
  opts: QueryServiceOptions,
  fn: (service: QueryService) => Promise<void>,
): Promise<void> {
  const service = new QueryService(ds, opts)
  try {
    await fn(service)
  } finally {
    service.close()
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )

describe('QueryService (query workers)', () => {
  it('answers runJson with the JSON bytes of the result and run with the parsed result', () =>
    withService({}, async (service) => {
      const query = '*[_type == "benefit"] | order(_id) {_id, title}'
      const expected = [
        {_id: 'benefit-fades-acne-scars', title: 'Fades Acne Scars'},
        {_id: 'benefit-minimizes-pores', title: 'Minimizes Pores'},
      ]
      expect(text(await service.runJson(query, {}, 'published'))).toBe(JSON.stringify(expected))
      expect(await service.run(query, {}, 'published')).toEqual(expected)
      expect(text(await service.runJson('*[_id == "nope"][0]', {}, 'published'))).toBe('null')
    }))

  it('anonymous callers query a dataset without private ids: no filter, count or -> reaches them', () =>
    withService({}, async (service) => {
      const anon = {authenticated: false}
      expect(await service.run('*[_id == "_.sys"]', {}, 'published', anon)).toEqual([])
      expect(await service.run('count(*[_id in path("_.**")])', {}, 'published', anon)).toBe(0)
      // 6 published fixture documents and `ref-to-private`.
      expect(await service.run('count(*)', {}, 'published', anon)).toBe(7)
      expect(
        await service.run('*[_id == "ref-to-private"][0]{"t": target->title}', {}, 'raw', anon),
      ).toEqual({t: null})
      // The token holder (and internal callers, by default) see everything, as before.
      expect(await service.run('count(*)', {}, 'published')).toBe(9)
      expect(
        await service.run('*[_id == "ref-to-private"][0]{"t": target->title}', {}, 'published', {
          authenticated: true,
        }),
      ).toEqual({t: 'System'})
      expect(await service.run('count(*)', {}, 'raw')).toBe(11)
    }))

  it('match tests a listen filter against each document alone; a failing document is false', () =>
    withService({}, async (service) => {
      const docs = [
        {_id: 'a', _type: 'post', n: 1},
        {_id: 'b', _type: 'page', n: 2},
        {_id: 'c', _type: 'post', n: 'text'},
      ]
      expect(await service.match('*[_type == $t]', {t: 'post'}, docs, {identity: 'u'})).toEqual([
        true,
        false,
        true,
      ])
      // Each document is alone in its dataset: `*` sees only it.
      expect(await service.match('*[count(*) == 1]', {}, docs, {identity: 'u'})).toEqual([
        true,
        true,
        true,
      ])
      expect(await service.match('*[identity() == "u"]', {}, docs, {identity: 'u'})).toEqual([
        true,
        true,
        true,
      ])
      // `n + 1` fails on a string; that document does not match, the others still do.
      expect(
        await service.match('*[_type == "post" && n + 1 > 1]', {}, docs, {identity: 'u'}),
      ).toEqual([true, false, false])
      const e = await failure(service.match('*[', {}, docs, {identity: 'u'}))
      expect(e).toBeInstanceOf(GroqQueryError)
      expect(await service.match('*', {}, [], {identity: 'u'})).toEqual([])
    }))

  it('ids selects over every document (raw), with params; a missing param is a GROQ error', () =>
    withService({}, async (service) => {
      expect(
        (await service.ids('*[_type == "benefit"] | order(_id)', {})).sort((a, b) =>
          a.localeCompare(b),
        ),
      ).toEqual([
        'benefit-fades-acne-scars',
        'benefit-minimizes-pores',
        'drafts.benefit-minimizes-pores',
        'drafts.benefit-unpublished-idea',
      ])
      expect(await service.ids('*[_id == $id][0]', {id: '_.sys'})).toEqual(['_.sys'])
      expect(await service.ids('*[_type == "nothing"]', {})).toEqual([])
      const e = await failure(service.ids('*[_id == $id]', {}))
      expect(e).toBeInstanceOf(GroqQueryError)
      expect((e as Error).message).toBe('param $id referenced, but not provided')
    }))

  it('a result over maxResultBytes is a 400 queryResultTooLargeError; one at the limit is not', () =>
    withService({maxResultBytes: 40}, async (service) => {
      // JSON.stringify("x".repeat(38)) is exactly 40 bytes.
      expect(text(await service.runJson('$s', {s: 'x'.repeat(38)}, 'published'))).toHaveLength(40)
      const e = await failure(service.runJson('$s', {s: 'x'.repeat(39)}, 'published'))
      expect(e).toBeInstanceOf(HttpError)
      expect(e).toMatchObject({statusCode: 400, type: 'queryResultTooLargeError'})
      // Multi-byte characters count as their UTF-8 bytes: 20 × "é" is 40 bytes + quotes.
      expect(await failure(service.runJson('$s', {s: 'é'.repeat(20)}, 'published'))).toMatchObject({
        statusCode: 400,
        type: 'queryResultTooLargeError',
      })
    }))

  it('params nested too deep are a 400, params too large a 413, before any worker sees them', () =>
    withService({maxParamsBytes: 1000}, async (service) => {
      let deep: unknown = 1
      for (let i = 0; i < 100_000; i++) deep = [deep]
      for (const run of [
        () => service.runJson('$d', {d: deep}, 'published'),
        () => service.ids('*[_id == $d]', {d: deep}),
        () => service.match('*[_id == $d]', {d: deep}, [{_id: 'a'}], {identity: 'u'}),
      ])
        expect(await failure(run())).toMatchObject({statusCode: 400, type: 'queryParseError'})
      expect(
        await failure(service.runJson('$s', {s: 'x'.repeat(1000)}, 'published')),
      ).toMatchObject({statusCode: 413, type: 'payloadTooLarge'})
      expect(await service.run('count(*)', {s: 'x'.repeat(900)}, 'raw')).toBe(11)
    }))

  it('a job past the time limit is a 400 queryTimeoutError, and the next one is answered at once', () =>
    withService({timeoutMs: 300}, async (service) => {
      for (const run of [
        () => service.runJson(ENDLESS, endless, 'published'),
        () => service.match(`*[${ENDLESS} > 0]`, endless, [{_id: 'a'}], {identity: 'u'}),
        () => service.ids(`*[${ENDLESS} > 0]`, endless),
      ]) {
        const started = performance.now()
        const e = await failure(run())
        expect(e).toBeInstanceOf(HttpError)
        expect(e).toMatchObject({statusCode: 400, type: 'queryTimeoutError'})
        expect(performance.now() - started).toBeLessThan(3000)
      }
      const started = performance.now()
      expect(await service.run('count(*)', {}, 'raw')).toBe(11)
      // A fresh worker opens the dataset: well under a second for this one.
      expect(performance.now() - started).toBeLessThan(2000)
    }))

  it('a job past the worker heap is a 400, and the worker is replaced', () =>
    withService({maxMemoryMb: 64, timeoutMs: 20_000}, async (service) => {
      // 9 million small objects: far past 64 MB.
      const big = {a: Array.from({length: 3000}, (_, i) => ({i}))}
      const e = await failure(service.runJson('count($a[]{"x": $a[]{"y": @}})', big, 'published'))
      expect(e).toMatchObject({statusCode: 400, type: 'queryTimeoutError'})
      expect((e as Error).message).toMatch(/more memory than the local API allows \(64 MB\)/)
      expect(await service.run('count(*)', {}, 'raw')).toBe(11)
    }))

  it(
    'a client sending slow queries waits behind its own: the token holder is answered at once',
    () =>
      withService({timeoutMs: 1500}, async (service) => {
        // Both workers started (a fresh one opens the dataset first).
        await Promise.all([
          service.run('1', {}, 'raw', {client: 'token'}),
          service.run('1', {}, 'raw', {client: 'internal'}),
        ])
        const attacker = {client: 'anon:127.0.0.1', authenticated: false}
        const slow = [1, 2, 3].map(() =>
          failure(service.runJson(ENDLESS, endless, 'published', attacker)),
        )
        await new Promise((r) => setTimeout(r, 100))
        const started = performance.now()
        expect(await service.run('count(*)', {}, 'raw', {client: 'token'})).toBe(11)
        expect(performance.now() - started).toBeLessThan(500)
        // Anonymous clients together hold one worker of two: another address waits for its turn,
        // which comes after the attacker's first query, not after all three.
        const other = service.run('count(*)', {}, 'published', {
          client: 'anon:127.0.0.2',
          authenticated: false,
        })
        const order: string[] = []
        void slow[1]!.then(() => order.push('attacker #2'))
        void other.then(() => order.push('other'))
        expect(await other).toBe(7)
        await Promise.all(slow)
        expect(order).toEqual(['other', 'attacker #2'])
        for (const e of await Promise.all(slow))
          expect(e).toMatchObject({statusCode: 400, type: 'queryTimeoutError'})
      }),
    15_000,
  )

  it(
    'caps what one anonymous client, anonymous clients together and everyone may queue',
    () =>
      withService(
        {timeoutMs: 1000, maxQueuedPerClient: 2, maxQueuedAnonymous: 3, maxQueued: 4},
        async (service) => {
          const anon = (n: number) => ({client: `anon:10.0.0.${n}`, authenticated: false})
          // Both workers ready: the first job runs at once instead of waiting for one.
          expect(await service.run('1', {}, 'raw')).toBe(1)
          const jobs = [
            service.runJson(ENDLESS, endless, 'published', anon(1)), // runs
            service.runJson(ENDLESS, endless, 'published', anon(1)), // waits (1 of 2)
            service.runJson(ENDLESS, endless, 'published', anon(1)), // waits (2 of 2)
          ].map(failure)
          expect(await failure(service.runJson('1', {}, 'published', anon(1)))).toMatchObject({
            statusCode: 429,
            type: 'queryQueueFull',
          })
          jobs.push(failure(service.runJson(ENDLESS, endless, 'published', anon(2)))) // anonymous: 3 of 3
          expect(await failure(service.runJson('1', {}, 'published', anon(3)))).toMatchObject({
            statusCode: 429,
            type: 'queryQueueFull',
          })
          jobs.push(failure(service.runJson(ENDLESS, endless, 'published', {client: 'token'}))) // runs
          jobs.push(failure(service.runJson(ENDLESS, endless, 'published', {client: 'token'}))) // 4 of 4
          expect(
            await failure(service.runJson('1', {}, 'published', {client: 'token'})),
          ).toMatchObject({statusCode: 503, type: 'queryQueueFull'})
          service.close()
          const outcomes = (await Promise.all(jobs)) as HttpError[]
          expect(outcomes.map((e) => e.statusCode)).toEqual([503, 503, 503, 503, 503, 503])
        },
      ),
    15_000,
  )

  it('a query whose client went away while it waited is dropped', () =>
    withService({timeoutMs: 1000, workers: 1}, async (service) => {
      const running = failure(service.runJson(ENDLESS, endless, 'published'))
      const controller = new AbortController()
      const waiting = failure(
        service.runJson('count(*)', {}, 'published', {signal: controller.signal}),
      )
      controller.abort()
      expect(await waiting).toMatchObject({statusCode: 499, type: 'clientClosedRequest'})
      expect(await running).toMatchObject({statusCode: 400, type: 'queryTimeoutError'})
    }))
})

describe('QueryService (in-memory dataset, on this thread)', () => {
  it('runs run, runJson, match and ids the same way, with the anonymous view', async () => {
    const memory = Dataset.open(':memory:')
    importNdjson(memory, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
    memory.transaction(PRIVATE.map((d) => ({createOrReplace: d})))
    const service = new QueryService(memory, {maxResultBytes: 1000})
    try {
      expect(await service.run('count(*)', {}, 'published', {authenticated: false})).toBe(7)
      expect(await service.run('count(*)', {}, 'published')).toBe(9)
      expect(text(await service.runJson('*[_id == $id][0].title', {id: '_.sys'}, 'raw'))).toBe(
        '"System"',
      )
      expect(await failure(service.runJson('*', {}, 'raw'))).toMatchObject({
        statusCode: 400,
        type: 'queryResultTooLargeError',
      })
      expect(
        await service.match('*[_type == "a"]', {}, [{_id: 'x', _type: 'a'} as never], {
          identity: 'u',
        }),
      ).toEqual([true])
      expect(await service.ids('*[_id in path("_.**")]', {})).toEqual(['_.migrations.m1', '_.sys'])
    } finally {
      service.close()
      memory.close()
    }
  })
})
