/**
 * Fuzzing the local API (a real `npm run api` process) with a fixed seed: malformed JSON, wrong
 * body shapes, unknown mutation kinds and patch operations, bad paths and values, invalid ids,
 * documents nested 5,000 levels deep, GROQ errors in query mutations, missing or wrong tokens,
 * junk actions, random routes, bodies over the size limit. Every request is invalid by
 * construction — a bad mutation is often the last of several valid ones, so atomicity is tested
 * too — and must get a 4xx with a JSON error body, change nothing in the dataset, and leave the
 * server answering.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {mulberry32, type Rng} from '../../scripts/reliability/random.ts'
import {
  digestOf,
  FUZZ_SEED,
  seededDataset,
  startApiProcess,
  tempDir,
  type ApiProcess,
} from './helpers.ts'

const IDS = [
  'benefit-boosts-collagen',
  'concern-acne-scars',
  'article-microneedling',
  'drafts.benefit-boosts-collagen',
  'serum-prp',
]

/** Patch operations the store must refuse (each verified to be refused on its own). */
const BAD_OPS: Array<Record<string, unknown>> = [
  {frobnicate: {title: 'x'}},
  {merge: {title: 'x'}},
  {set: {'[_key=="x"': 1}},
  {set: {'': 1}},
  {set: {'*': 1}},
  {set: {_id: 'other-id'}},
  {set: {_type: 5}},
  {set: null},
  {set: [1, 2]},
  {setIfMissing: 'title'},
  {unset: 'title'},
  {unset: [1, 2]},
  {inc: {n: 'x'}},
  {inc: {n: Number.MAX_VALUE * 0}, dec: {m: null}},
  {insert: {after: 'body[0]'}},
  {insert: {sideways: 'body[0]', items: [1]}},
  {insert: {before: 'body[0]', after: 'body[1]', items: []}},
  {insert: {after: 'title', items: [1]}},
  {diffMatchPatch: {title: '@@ garbage @@'}},
  {diffMatchPatch: {title: 42}},
  {ifRevisionID: 5, set: {title: 'x'}},
  {ifRevisionID: 'stale-revision', set: {title: 'x'}},
]

const GOOD_OPS = (rng: Rng) =>
  rng.pick([
    {set: {title: `Fuzz ${rng.int(0, 1e6)}`}},
    {setIfMissing: {extra: 'x'}},
    {unset: ['summary']},
    {set: {'seo.title': 'x'}},
  ])

const JUNK_JSON = [
  '{',
  '{"mutations": [',
  '[1,2',
  '{"mutations": [{"create": {"_id": "x",}}]}',
  'null,',
  '\u0000\u0001',
  '{"a":1}{"b":2}',
  "{'mutations': []}",
  'NaN',
  '{"mutations": [} ]}',
]

/** JSON text of an object nested `depth` levels deep (built as text: JSON.stringify would overflow first). */
const deepJson = (depth: number): string =>
  `${'{"nested":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`

interface Request {
  kind: string
  method: string
  path: string
  body?: string | Uint8Array
  auth?: boolean | string
  contentType?: string
}

const mutate = (kind: string, body: unknown, auth: boolean | string = true): Request => ({
  kind,
  method: 'POST',
  path: '/data/mutate/production',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  auth,
})

function makeRequest(rng: Rng): Request {
  const kind = rng.pick([
    'malformed-json',
    'bad-shape',
    'unknown-kind',
    'bad-patch',
    'bad-patch',
    'bad-patch',
    'bad-create',
    'query-mutation',
    'no-token',
    'bad-actions',
    'bad-route',
    'bad-query',
    'deep',
    'binary-body',
  ])
  const id = rng.pick(IDS)
  const goods = () =>
    Array.from({length: rng.int(0, 3)}, () => ({
      patch: {id: rng.pick(IDS.slice(0, 3)), ...GOOD_OPS(rng)},
    }))
  switch (kind) {
    case 'malformed-json': {
      const good = JSON.stringify({mutations: goods()})
      return mutate(
        kind,
        rng.chance(0.5) ? rng.pick(JUNK_JSON) : good.slice(0, rng.int(1, good.length - 1)),
      )
    }
    case 'bad-shape':
      return mutate(
        kind,
        rng.pick<unknown>([
          {},
          [],
          {mutations: {}},
          {mutations: 'x'},
          {mutations: null},
          {mutations: [1]},
          {mutations: [null]},
          {mutations: ['create']},
          {mutations: [[]]},
          {mutations: [{}]},
          42,
          'text',
        ]),
      )
    case 'unknown-kind': {
      const name = rng.pick([
        'frobnicate',
        'upsert',
        'merge',
        'replace',
        '__proto__',
        'constructor',
        'createOrReplaceIfMissing',
        '',
      ])
      const m = rng.chance(0.3)
        ? {create: {_id: 'x-new', _type: 'concern'}, delete: {id}}
        : {[name]: {_id: 'x', _type: 'concern'}}
      return mutate(kind, {mutations: [...goods(), m]})
    }
    case 'bad-patch':
      return mutate(kind, {
        mutations: [
          ...goods(),
          {patch: {id: rng.chance(0.85) ? id : `missing-${rng.int(0, 1e6)}`, ...rng.pick(BAD_OPS)}},
        ],
      })
    case 'bad-create': {
      const bad = rng.pick<Record<string, unknown>>([
        {_id: '-leading', _type: 'concern'},
        {_id: 'has space', _type: 'concern'},
        {_id: 'x'.repeat(200), _type: 'concern'},
        {_id: '../../etc/passwd', _type: 'concern'},
        {_id: 'ok-id', _type: ''},
        {_id: 'ok-id'},
        {_id: 42, _type: 'concern'},
        {_id: IDS[0], _type: 'benefit', title: 'exists already'},
      ])
      return mutate(kind, {
        mutations: [
          ...goods(),
          {[rng.pick(['create', 'createOrReplace', 'createIfNotExists'])]: bad},
        ].filter(
          (m) => !('createIfNotExists' in m && m.createIfNotExists === bad && bad._id === IDS[0]),
        ),
      })
    }
    case 'query-mutation': {
      const query = rng.pick([
        '*[',
        '*[_type == ]',
        '*[_type == "concern"',
        'count(',
        '*{',
        '$undefinedParam',
        '*[_type == "x"] | order(',
        ')',
      ])
      return mutate(kind, {
        mutations: [
          ...goods(),
          rng.chance(0.5) ? {delete: {query}} : {patch: {query, set: {title: 'x'}}},
        ],
      })
    }
    case 'no-token':
      return mutate(
        kind,
        {mutations: [{patch: {id: IDS[0], set: {title: 'no token'}}}]},
        rng.chance(0.5) ? false : rng.pick(['wrong', 'Bearer', 'x'.repeat(43), '../token']),
      )
    case 'bad-actions':
      return {
        kind,
        method: 'POST',
        path: '/data/actions/production',
        body: JSON.stringify(
          rng.pick<unknown>([
            {},
            {actions: 'x'},
            {actions: [{}]},
            {actions: [{actionType: 'sanity.action.document.frobnicate'}]},
            {actions: [{actionType: 'sanity.action.document.edit', draftId: 'drafts.x'}]},
            {
              actions: [
                {
                  actionType: 'sanity.action.document.edit',
                  draftId: `drafts.${IDS[0]}`,
                  publishedId: IDS[0],
                  patch: rng.pick(BAD_OPS),
                },
              ],
            },
          ]),
        ),
        auth: true,
      }
    case 'bad-route': {
      const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
      const path = rng.pick([
        '/data/mutate/other-dataset',
        '/data/query/other',
        '/data/doc',
        '/data/nothing/production',
        '/data/export/../../etc',
        '/projects/x/datasets/y/acl',
        '/%2e%2e/%2e%2e/etc/passwd',
        `/data/${'x/'.repeat(rng.int(1, 50))}`,
      ])
      return {kind, method, path, auth: rng.chance(0.5), body: method === 'GET' ? undefined : '{}'}
    }
    case 'bad-query':
      return {
        kind,
        method: 'POST',
        path: '/data/query/production',
        body: rng.pick([
          ...[
            {},
            {query: 42},
            {query: '*[', params: []},
            {query: '*', params: 'x'},
            {query: '*[_id == $id]'},
          ].map((b) => JSON.stringify(b)),
          `{"query": "*", "params": {"p": ${deepJson(rng.int(150, 5000))}}}`,
        ]),
        auth: rng.chance(0.5),
      }
    case 'deep':
      return mutate(
        kind,
        `{"mutations": [{"createOrReplace": {"_id": "deep-doc", "_type": "concern", "body": ${deepJson(rng.int(150, 5000))}}}]}`,
      )
    default:
      return mutate('binary-body', rng.bytes(rng.int(1, 2048)))
  }
}

let tmp: ReturnType<typeof tempDir>
let dataset: string
let api: ApiProcess
beforeAll(async () => {
  tmp = tempDir('fuzz-api-')
  dataset = seededDataset(
    join(tmp.dir, 'dataset.sqlite'),
    join(import.meta.dirname, '..', 'fixtures', 'api', 'seed.ndjson'),
  )
  api = await startApiProcess(dataset, join(tmp.dir, 'tls'))
})
afterAll(async () => {
  await api?.stop()
  tmp.cleanup()
})

async function send(r: Request): Promise<Response> {
  const headers: Record<string, string> = {'content-type': r.contentType ?? 'application/json'}
  if (r.auth === true) headers.authorization = `Bearer ${api.info.token}`
  else if (typeof r.auth === 'string') headers.authorization = `Bearer ${r.auth}`
  return fetch(`${api.info.httpUrl}/v2025-02-19${r.path}`, {
    method: r.method,
    headers,
    ...(r.body !== undefined
      ? {body: typeof r.body === 'string' ? r.body : Buffer.from(r.body)}
      : {}),
  })
}

async function alive(): Promise<boolean> {
  const res = await fetch(`${api.info.httpUrl}/v2025-02-19/ping`)
  return res.status === 200 && (await res.text()) === 'PONG'
}

describe('fuzzing the local API (fixed seed)', () => {
  it('every invalid request gets a 4xx with a JSON error, changes nothing, and the server keeps answering', async () => {
    const CASES = 400
    const rng = mulberry32(FUZZ_SEED)
    const before = digestOf(dataset)
    const failures: string[] = []
    const statuses: Record<string, number> = {}
    const kinds: Record<string, number> = {}
    for (let i = 0; i < CASES; i++) {
      const r = makeRequest(rng)
      kinds[r.kind] = (kinds[r.kind] ?? 0) + 1
      const where = `case ${i} (${r.kind} ${r.method} ${r.path}, seed ${FUZZ_SEED})`
      const res = await send(r)
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
      const text = await res.text()
      if (res.status < 400 || res.status >= 500)
        failures.push(
          `${where}: status ${res.status} ${text.slice(0, 200)} for ${typeof r.body === 'string' ? r.body.slice(0, 300) : 'binary'}`,
        )
      else {
        try {
          const body = JSON.parse(text) as {error?: {description?: unknown; type?: unknown}}
          if (typeof body.error?.description !== 'string' || typeof body.error?.type !== 'string')
            failures.push(`${where}: error body without description/type`)
        } catch {
          failures.push(`${where}: error body is not JSON: ${text.slice(0, 100)}`)
        }
      }
      if (text.includes(api.info.token))
        failures.push(`${where}: the token appears in the response`)
      if (digestOf(dataset) !== before) {
        failures.push(`${where}: the dataset changed`)
        break
      }
      if (!(await alive())) {
        failures.push(`${where}: the server stopped answering`)
        break
      }
    }
    console.log(
      `fuzz api: ${CASES} requests (seed ${FUZZ_SEED}), statuses ${JSON.stringify(statuses)}, ${failures.length} failures — ${Object.entries(
        kinds,
      )
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    )
    expect(failures).toEqual([])
    expect(api.proc.exitCode).toBeNull()
  }, 300_000)

  it('a body over the 32 MB limit is refused (413, or the connection is cut) and the server keeps answering', async () => {
    const before = digestOf(dataset)
    const huge = `{"mutations": [{"create": {"_id": "huge", "_type": "concern", "title": "${'x'.repeat(33 * 1024 * 1024)}"}}]}`
    let status: number | string
    try {
      const res = await send(mutate('huge', huge))
      status = res.status
      await res.text()
    } catch (e) {
      status = (e as Error).message
    }
    expect([413, 'fetch failed']).toContain(status)
    expect(await alive()).toBe(true)
    expect(digestOf(dataset)).toBe(before)
  }, 60_000)
})
