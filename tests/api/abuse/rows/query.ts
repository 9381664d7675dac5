/**
 * The query rows of the abuse table (#1, #4, #5, #8's stuck worker, #11): GROQ from callers
 * without the token, replayed with fixed inputs against the suite's server (400 filler
 * documents, `--query-timeout 2000`, the default two query workers and limits).
 */
import {expect} from 'vitest'
import type {AbuseTarget} from '../harness.ts'
import type {AbuseRow} from './types.ts'

const TIMEOUT_MS = 2000
/** The service's defaults (scripts/api/queryService.ts). */
const MAX_PARAMS_BYTES = 1024 * 1024
const MAX_RESULT_BYTES = 64 * 1024 * 1024

/** Half a minute of work in little memory, whatever the dataset: 200^4 filter tests. */
const ENDLESS = 'count($a[count($a[count($a[count($a[i > 0]) > 0]) > 0]) > 0])'
const endless = {a: Array.from({length: 200}, (_, i) => ({i}))}

interface Answer {
  status: number
  body: {result?: unknown; error?: {type?: string; description?: string}}
  ms: number
}

async function answer(res: Promise<Response>): Promise<Answer> {
  const started = performance.now()
  const r = await res
  const body = (await r.json()) as Answer['body']
  return {status: r.status, body, ms: performance.now() - started}
}

function query(
  target: AbuseTarget,
  q: string,
  params: Record<string, unknown> = {},
  init: {auth?: boolean; signal?: AbortSignal} = {},
): Promise<Answer> {
  return answer(
    target.http('/data/query/production', {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({query: q, params}),
      ...init,
    }),
  )
}

/** A query's result, asserting a 200. */
async function result(target: AbuseTarget, q: string, auth = false): Promise<unknown> {
  const a = await query(target, q, {}, {auth})
  expect(a.status).toBe(200)
  return a.body.result
}

/** `count(*)` for a caller without the token, answered within half a second: nothing is stuck. */
async function promptCount(target: AbuseTarget, expected: number): Promise<void> {
  const a = await query(target, 'count(*)')
  expect(a).toMatchObject({status: 200, body: {result: expected}})
  expect(a.ms).toBeLessThan(500)
}

/** How many documents a caller without the token may see: those whose ids have no `.`. */
async function publicCount(target: AbuseTarget): Promise<number> {
  const ids = (await result(target, '*._id', true)) as string[]
  return ids.filter((id) => !id.includes('.')).length
}

/** A POST whose body is a string the server may refuse before reading it. */
async function postText(
  target: AbuseTarget,
  body: string | ReadableStream<Uint8Array>,
): Promise<Answer> {
  return answer(
    target.http('/data/query/production', {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body,
      // Node's fetch needs this for a streamed body, which goes out chunked (no content-length).
      ...(typeof body === 'string' ? {} : {duplex: 'half'}),
    } as RequestInit),
  )
}

const chunked = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text)
      for (let at = 0; at < bytes.length; at += 1 << 20)
        controller.enqueue(bytes.subarray(at, at + (1 << 20)))
      controller.close()
    },
  })

export const rows: AbuseRow[] = [
  {
    finding: 1,
    name: 'distinct 30 MB params: 413 without growing; 900 kB params run and leave nothing behind',
    timeoutMs: 60_000,
    async run(target) {
      const count = await publicCount(target)
      const base = 'p'.repeat(30 * 1024 * 1024)
      const body = (i: number) => `{"query":"count(*[_id == $p])","params":{"p":"${i}-${base}"}}`
      const refused = {
        type: 'payloadTooLarge',
        description: `Request body larger than ${MAX_PARAMS_BYTES + 1024 * 1024} bytes`,
      }
      // With a content-length: refused before a byte of the body is read (the server then drains
      // it). Forty, not the finding's 110: the attack kept each one; these keep none.
      for (let i = 0; i < 40; i++) {
        const a = await postText(target, body(i))
        expect(a).toMatchObject({status: 413, body: {error: refused}})
      }
      // Chunked (no content-length): refused once 2 MiB have arrived, never kept whole or parsed.
      for (let i = 40; i < 45; i++) {
        const a = await postText(target, chunked(body(i)))
        expect(a).toMatchObject({status: 413, body: {error: refused}})
      }
      // Params past their limit in a body within it: a 413 before any worker sees them.
      const over = await postText(
        target,
        chunked(`{"query":"1","params":{"p":"${'o'.repeat(MAX_PARAMS_BYTES)}"}}`),
      )
      expect(over).toMatchObject({
        status: 413,
        body: {
          error: {
            type: 'payloadTooLarge',
            description: `Query parameters larger than ${MAX_PARAMS_BYTES} bytes of JSON`,
          },
        },
      })
      // Just under the limit, distinct each time: answered, and none of them kept (the compiled
      // query cache keeps no key this large; it kept 500, about 1.8 MB each here). A first few
      // warm the worker's heap up.
      const under = 'u'.repeat(MAX_PARAMS_BYTES - 100_000)
      const run = async (i: number) =>
        expect(await query(target, 'count(*[_id == $p])', {p: `${i}-${under}`})).toMatchObject({
          status: 200,
          body: {result: 0},
        })
      for (let i = 0; i < 20; i++) await run(i)
      const before = target.rss()
      for (let i = 20; i < 120; i++) await run(i)
      expect(target.rss() - before).toBeLessThan(60 * 1024 * 1024)
      await promptCount(target, count)
    },
  },
  {
    finding: 4,
    name: 'results too large fail in the worker as 400s; a 14 MB result is written, not re-serialized',
    timeoutMs: 60_000,
    async run(target) {
      const count = await publicCount(target)
      const nested = await query(target, '*{"a": *{"b": *{"c": *}}}')
      // Either its time or the worker's heap runs out first; both are this 400.
      expect(nested.status).toBe(400)
      expect(nested.body.error?.type).toBe('queryTimeoutError')
      expect(nested.ms).toBeLessThan(TIMEOUT_MS + 1500)
      const tooLarge = await query(target, '*{"a": *, "b": *, "c": *}')
      expect(tooLarge.status).toBe(400)
      expect(tooLarge.body.error).toMatchObject({
        type: 'queryResultTooLargeError',
        description: `Query result larger than the local API's limit of ${MAX_RESULT_BYTES} bytes of JSON; select fewer fields or slice it`,
      })
      // Concerns by title, for each concern (about 400 × 400): its size does not depend on what
      // other rows wrote into larger documents.
      const concerns = (await result(target, 'count(*[_type == "concern"])')) as number
      const large = await target.http(
        `/data/query/production?query=${encodeURIComponent('*[_type == "concern"]{"a": *[_type == "concern"]{_id, title, slug}}')}`,
      )
      expect(large.status).toBe(200)
      const text = await large.text()
      expect(text.length).toBeGreaterThan(10 * 1024 * 1024)
      const rows = (JSON.parse(text) as {result: Array<{a: unknown[]}>}).result
      expect(rows).toHaveLength(concerns)
      expect(rows.every((r) => r.a.length === concerns)).toBe(true)
      await promptCount(target, count)
    },
  },
  {
    finding: 5,
    name: 'back-to-back slow anonymous queries: the token holder is answered at once, the rest capped',
    timeoutMs: 30_000,
    async run(target) {
      const count = await publicCount(target)
      const flood = new AbortController()
      const slow = Array.from({length: 40}, () =>
        query(target, ENDLESS, endless, {signal: flood.signal}).catch((e: unknown) => e),
      )
      await new Promise((r) => setTimeout(r, 500))
      // One runs, 32 wait (one anonymous client's cap), 7 are refused at once.
      const settled = await Promise.race([
        Promise.all(slow.slice(33)),
        new Promise((r) => setTimeout(() => r('pending'), 1000)),
      ])
      expect(settled).not.toBe('pending')
      for (const a of settled as Answer[])
        expect(a).toMatchObject({status: 429, body: {error: {type: 'queryQueueFull'}}})
      // The token holder's query runs on the worker anonymous callers may not take.
      const token = await query(target, 'count(*)', {}, {auth: true})
      expect(token.status).toBe(200)
      expect(token.ms).toBeLessThan(500)
      // The flood's connections close: its waiting queries are dropped, the running one times out.
      flood.abort()
      await Promise.all(slow)
      await new Promise((r) => setTimeout(r, TIMEOUT_MS))
      await promptCount(target, count)
    },
  },
  {
    finding: 8,
    name: 'params nested deep: 400s, the dataset unchanged, no worker stuck',
    async run(target) {
      const count = await publicCount(target)
      const raw = await result(target, 'count(*)', true)
      const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`
      // As deep as a URL allows: the params reach the query route, which refuses them.
      const inUrl = await answer(
        target.http(
          `/data/query/production?query=${encodeURIComponent('count(*[_id in $d])')}&$d=${nested(5000)}`,
        ),
      )
      expect(inUrl.status).toBe(400)
      expect(inUrl.body.error).toMatchObject({
        type: 'queryParseError',
        description: 'Query parameters nested more than 100 levels deep',
      })
      // 100k deep in a body, as a query and as a delete-by-query: refused (by whichever check
      // comes first), and nothing deleted.
      const deep = nested(100_000)
      const asQuery = await postText(
        target,
        `{"query":"count(*[_id in $d])","params":{"d":${deep}}}`,
      )
      expect(asQuery.status).toBe(400)
      const asMutation = await target.http('/data/mutate/production', {
        method: 'POST',
        auth: true,
        headers: {'content-type': 'application/json'},
        body: `{"mutations":[{"delete":{"query":"*[_id in $d]","params":{"d":${deep}}}}]}`,
      })
      expect(asMutation.status).toBe(400)
      expect(await result(target, 'count(*)', true)).toBe(raw)
      await promptCount(target, count)
    },
  },
  {
    finding: 11,
    name: 'documents with private ids are not there for anonymous callers: query, ->, export, doc',
    async run(target) {
      const mutate = (mutations: unknown[]) =>
        target.http('/data/mutate/production', {
          method: 'POST',
          auth: true,
          headers: {'content-type': 'application/json'},
          body: JSON.stringify({mutations}),
        })
      const created = await mutate([
        {createOrReplace: {_id: '_.sys', _type: 'system.settings', title: 'System'}},
        {createOrReplace: {_id: '_.migrations.m1', _type: 'system.migration', title: 'M1'}},
        {
          createOrReplace: {
            _id: 'abuse-ref-to-private',
            _type: 'note',
            target: {_type: 'reference', _ref: '_.sys'},
          },
        },
      ])
      expect(created.status).toBe(200)
      try {
        const count = await publicCount(target)
        expect(await result(target, 'count(*[_id in path("_.**")])', true)).toBe(2)
        expect(await result(target, '*[_id == "_.sys"]')).toEqual([])
        expect(await result(target, '*[_id in path("_.**")]._id')).toEqual([])
        expect(await result(target, 'count(*[_type == "system.settings"])')).toBe(0)
        expect(await result(target, '*[_id == "abuse-ref-to-private"][0].target->title')).toBe(null)
        await promptCount(target, count)
        const exported = await (await target.http('/data/export/production')).text()
        const ids = exported
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as {_id: string})._id)
        expect(ids.filter((id) => id.includes('.'))).toEqual([])
        expect(ids).toHaveLength(count)
        const doc = (await (
          await target.http('/data/doc/production/_.sys,_.migrations.m1,abuse-ref-to-private')
        ).json()) as {documents: Array<{_id: string}>; omitted: unknown[]}
        expect(doc.documents.map((d) => d._id)).toEqual(['abuse-ref-to-private'])
        expect(doc.omitted).toEqual([
          {id: '_.sys', reason: 'permission'},
          {id: '_.migrations.m1', reason: 'permission'},
        ])
      } finally {
        const removed = await mutate(
          ['_.sys', '_.migrations.m1', 'abuse-ref-to-private'].map((id) => ({delete: {id}})),
        )
        expect(removed.status).toBe(200)
      }
    },
  },
]
