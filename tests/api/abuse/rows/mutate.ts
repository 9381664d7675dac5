/**
 * The write rows of the abuse table (#6, #7, #8's params) and the malformed inputs that answered
 * 500 (finding 0), replayed with fixed inputs against the suite's server (400 filler documents,
 * `--query-timeout 2000`). Each refusal is checked for its exact status and error type, and for
 * the dataset being unchanged: the transaction log's length and the affected documents' `_rev`s.
 */
import {expect} from 'vitest'
import WebSocket from 'ws'
import {Dataset} from '../../../../scripts/store/dataset.ts'
import type {AbuseTarget} from '../harness.ts'
import {postWholeBody} from '../../rawClient.ts'
import type {AbuseRow} from './types.ts'

interface Answer {
  status: number
  type: string | undefined
  description: string | undefined
  ms: number
}

async function send(
  target: AbuseTarget,
  path: string,
  init: RequestInit & {auth?: boolean} = {},
): Promise<Answer> {
  const started = performance.now()
  const res = await target.http(path, {headers: {'content-type': 'application/json'}, ...init})
  const body = (await res.json()) as {error?: {type?: string; description?: string}}
  return {
    status: res.status,
    type: body.error?.type,
    description: body.error?.description,
    ms: performance.now() - started,
  }
}

const mutate = (target: AbuseTarget, body: string) =>
  send(target, '/data/mutate/production', {method: 'POST', auth: true, body})

/** JSON arrays nested `levels` deep around `leaf`. */
const deep = (levels: number, leaf = '1') => `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`

/** The dataset as the refusals must leave it: its log length and every document's revision. */
async function state(target: AbuseTarget): Promise<{seq: number; revs: string}> {
  const ds = Dataset.open(target.datasetPath)
  try {
    const seq = ds.lastSeq()
    const res = await target.http(
      '/data/query/production?query=*%7B_id%2C_rev%7D&perspective=raw',
      {
        auth: true,
      },
    )
    expect(res.status).toBe(200)
    const {result} = (await res.json()) as {result: Array<{_id: string; _rev: string}>}
    expect(result.length).toBeGreaterThan(400)
    return {seq, revs: JSON.stringify(result)}
  } finally {
    ds.close()
  }
}

/** Run `attack` and assert it changed nothing. */
async function unchanged(target: AbuseTarget, attack: () => Promise<void>): Promise<void> {
  const before = await state(target)
  await attack()
  expect(await state(target)).toEqual(before)
}

/** Half a minute of work on 400 documents: far past the suite's 2 s query limit. */
const SLOW_FILTER = '*[count(*[count(*[_id > ^._id]) > 0]) > 0]'

export const rows: AbuseRow[] = [
  {
    finding: 6,
    name: 'token: patch {"set": {"arr[19999999]": 1}} (70 bytes) → 400 mutationError, document unchanged',
    async run(target) {
      const created = await mutate(
        target,
        JSON.stringify({
          mutations: [{createOrReplace: {_id: 'abuse-arr', _type: 'note', arr: [1, 2]}}],
        }),
      )
      expect(created.status).toBe(200)
      await unchanged(target, async () => {
        for (const index of [19_999_999, 99_999_999]) {
          const body = `{"mutations":[{"patch":{"id":"abuse-arr","set":{"arr[${index}]":1}}}]}`
          const a = await mutate(target, body)
          expect(a).toMatchObject({status: 400, type: 'mutationError'})
          expect(a.description).toContain('outside the array (length 2)')
          expect(a.ms).toBeLessThan(1000)
        }
      })
    },
  },
  {
    finding: 6,
    name: 'token: one patch setting 20,000 top-level keys (a 300 kB body) → 400 within the patch budget, nothing written',
    async run(target) {
      await unchanged(target, async () => {
        // The mutator copies the document for every key: ~4 minutes of the server's thread at
        // 20,000 keys, unless the transaction's patch budget stops it.
        const set = Object.fromEntries(Array.from({length: 20_000}, (_, i) => [`k${i}`, i]))
        const a = await mutate(
          target,
          JSON.stringify({mutations: [{patch: {id: 'abuse-arr', set}}]}),
        )
        expect(a).toMatchObject({status: 400, type: 'mutationError'})
        expect(a.description).toMatch(
          /mutations\[0\]\.patch \(abuse-arr\): applying this transaction's patches took over 250 ms \(at set\["k\d+"\]\); split it into smaller patches$/,
        )
      })
    },
  },
  {
    finding: 6,
    name: 'token: a patch that grows a document past 32 MB (a 100 kB body) → 400, nothing written',
    async run(target) {
      await unchanged(target, async () => {
        // One 100 kB string into 400 slots: shared in memory, 40 MB once written out. (A 32 MB
        // create is in limits.test.ts: parsing its body would cost this suite's /ping budget.)
        const grow = await mutate(
          target,
          JSON.stringify({
            mutations: [
              {patch: {id: 'abuse-arr', set: {slots: new Array(400).fill(0)}}},
              {patch: {id: 'abuse-arr', set: {'slots[0:400]': 'y'.repeat(100_000)}}},
            ],
          }),
        )
        expect(grow).toMatchObject({status: 400, type: 'mutationError'})
        expect(grow.description).toContain(
          'mutations[1].patch: document "abuse-arr" would be larger',
        )
      })
    },
  },
  {
    finding: 7,
    name: 'token: patch by query with "params": [] and a slow filter → 400 before any GROQ runs',
    async run(target) {
      await unchanged(target, async () => {
        const a = await mutate(
          target,
          JSON.stringify({mutations: [{patch: {query: SLOW_FILTER, params: [], set: {hit: 1}}}]}),
        )
        expect(a).toMatchObject({status: 400, type: 'mutationError'})
        expect(a.description).toContain('mutations[0].patch.params: must be an object')
        expect(a.ms).toBeLessThan(500)
      })
    },
  },
  {
    finding: 7,
    name: 'token: patch by query with a slow filter → 400 queryTimeoutError in the worker, nothing applied',
    timeoutMs: 20_000,
    async run(target) {
      await unchanged(target, async () => {
        const a = await mutate(
          target,
          JSON.stringify({mutations: [{patch: {query: SLOW_FILTER, params: {}, set: {hit: 1}}}]}),
        )
        expect(a).toMatchObject({status: 400, type: 'queryTimeoutError'})
        expect(a.ms).toBeLessThan(8000)
      })
    },
  },
  {
    finding: 8,
    name: 'token: delete by query with params nested 100k deep → 400, nothing deleted, nothing stuck',
    async run(target) {
      await unchanged(target, async () => {
        const a = await mutate(
          target,
          `{"mutations":[{"delete":{"query":"*[_id == $p]","params":{"p":${deep(100_000)}}}}]}`,
        )
        expect(a).toMatchObject({status: 400, type: 'invalidJson'})
        expect(a.description).toContain('nested more than')
      })
      const count = await send(target, '/data/query/production?query=count(*)')
      expect(count.status).toBe(200)
      expect(count.ms).toBeLessThan(500)
    },
  },
  {
    finding: 0,
    name: 'anon: a bad %-encoding in the path → 400 badRequest',
    async run(target) {
      for (const path of ['/data/doc/production/%E0%A4%A', '/data/query/%FF?query=1']) {
        expect(await send(target, path), path).toMatchObject({status: 400, type: 'badRequest'})
      }
    },
  },
  {
    finding: 0,
    name: 'anon: a perspective nested 100k deep → 400',
    async run(target) {
      const a = await send(target, '/data/query/production', {
        method: 'POST',
        body: `{"query":"count(*)","perspective":${deep(100_000)}}`,
      })
      expect(a).toMatchObject({status: 400, type: 'invalidJson'})
      const shallow = await send(target, '/data/query/production', {
        method: 'POST',
        body: `{"query":"count(*)","perspective":${deep(3, '"drafts"')}}`,
      })
      expect(shallow).toMatchObject({status: 400, type: 'invalidPerspective'})
    },
  },
  {
    finding: 0,
    name: 'token: actions nested 100k deep → 400, nothing written',
    async run(target) {
      await unchanged(target, async () => {
        const a = await send(target, '/data/actions/production', {
          method: 'POST',
          auth: true,
          body: `{"actions":[{"actionType":"sanity.action.document.create","publishedId":"abuse-deep","attributes":{"_id":"drafts.abuse-deep","_type":"note","x":${deep(100_000)}}}]}`,
        })
        expect(a).toMatchObject({status: 400, type: 'invalidJson'})
      })
    },
  },
  {
    finding: 0,
    name: 'token: a key-value PUT nested 100k deep → 400, and reads keep answering 200',
    async run(target) {
      const put = (body: string) =>
        send(target, '/users/me/keyvalue', {method: 'PUT', auth: true, body})
      expect(await put(`[{"key":"abuse","value":${deep(100_000)}}]`)).toMatchObject({
        status: 400,
        type: 'invalidJson',
      })
      expect(await put(`[{"key":"abuse","value":${deep(101)}}]`)).toMatchObject({
        status: 400,
        type: 'validationError',
      })
      for (let i = 0; i < 3; i++) {
        const res = await target.http('/users/me/keyvalue/abuse', {auth: true})
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual([{key: 'abuse', value: null}])
      }
    },
  },
  {
    finding: 0,
    name: 'anon: a presence-socket call with an id nested 30,000 deep is ignored, not a crash',
    async run(target) {
      const ws = new WebSocket(
        `${target.httpUrl.replace('http', 'ws')}/v2022-06-30/socket/production`,
      )
      const replies: unknown[] = []
      await new Promise<void>((resolve, reject) => {
        ws.on('open', () => {
          ws.send(`{"jsonrpc":"2.0","method":"presence_subscribe","id":${deep(30_000)}}`)
          ws.send('{"jsonrpc":"2.0","method":"presence_subscribe","id":"after"}')
        })
        ws.on('message', (m) => {
          if (String(m).startsWith('{')) replies.push(JSON.parse(String(m)))
          if (replies.length > 0) resolve()
        })
        ws.on('error', reject)
      })
      ws.close()
      expect(replies).toEqual([{jsonrpc: '2.0', id: 'after', result: expect.any(String)}])
      expect(target.alive()).toBe(true)
      expect((await target.http('/ping')).status).toBe(200)
    },
  },
  {
    finding: 0,
    name: 'token: a client that writes 50 MB before reading gets a prompt 413, not a reset',
    async run(target) {
      await unchanged(target, async () => {
        const a = await postWholeBody(
          target.httpUrl,
          '/v2025-02-19/data/mutate/production',
          50 * 1024 * 1024,
          {token: target.token},
        )
        expect(a.status).toBe(413)
        expect(a.ms).toBeLessThan(5000)
      })
    },
  },
]
