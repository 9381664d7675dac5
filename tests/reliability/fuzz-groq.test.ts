/**
 * Fuzzing GROQ with a fixed seed, through a real `npm run api` process: random token soup (syntax
 * errors, type errors, missing params) and random well-formed queries must be answered — 200, or
 * 400 with a JSON error saying where — never 5xx; pathological queries (nested `*`, quadratic and
 * worse) are stopped by the API's time limit with a 400 `queryTimeoutError`, while the server
 * keeps answering other requests; the dataset never changes. `npm run query` reports syntax
 * errors with line and column.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {mulberry32, type Rng} from '../../scripts/reliability/random.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {runScript} from '../helpers/run.ts'
import {digestOf, FUZZ_SEED, startApiProcess, tempDir, type ApiProcess} from './helpers.ts'

const TOKENS = [
  '*',
  '*',
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  '_type',
  '==',
  '!=',
  '"benefit"',
  '"concern"',
  '&&',
  '||',
  '!',
  '->',
  '.',
  ',',
  '$p',
  '$missing',
  'count',
  'order',
  'defined',
  '|',
  'select',
  '=>',
  '...',
  '..',
  '1',
  '0',
  '-1',
  '2.5',
  'title',
  'slug.current',
  'references',
  '^',
  '@',
  'true',
  'null',
  '"unterminated',
  'in',
  'match',
  '+',
  '-',
  '/',
  '%',
  '**',
  'score',
  'pt::text',
  'math::sum',
  'dateTime',
  'now()',
  '[0..5]',
  '[-1]',
  'asc',
  'desc',
  '_id',
  'concerns[]',
  'lower',
  'upper',
  'string::split',
  'array::unique',
  'coalesce',
  'round',
  '>',
  '<=',
  '#',
  '\\',
  '`',
  '😀',
  '\u0000',
]

function soup(rng: Rng): string {
  return Array.from({length: rng.int(1, 25)}, () => rng.pick(TOKENS)).join(rng.pick([' ', '', ' ']))
}

/** A well-formed query over the test data (results may be empty). */
function wellFormed(rng: Rng): string {
  const type = rng.pick(['benefit', 'concern', 'serum', 'nothing'])
  const cond = rng.pick([
    '',
    ` && defined(title)`,
    ` && title match "acne*"`,
    ` && count(concerns) > ${rng.int(0, 3)}`,
    ` && _id in path("concern-*")`,
    ` && references("concern-c${rng.int(0, 9)}")`,
  ])
  const proj = rng.pick([
    '',
    '{_id}',
    '{title, "n": count(concerns)}',
    '{title, "c": concerns[]->title}',
    '{"t": lower(title), "s": slug.current}',
    '{...}',
  ])
  const order = rng.pick([
    '',
    ' | order(title asc)',
    ' | order(_id desc)',
    ' | order(coalesce(title, _id))',
  ])
  const slice = rng.pick([
    '',
    '[0]',
    `[0..${rng.int(0, 20)}]`,
    `[${rng.int(0, 5)}...${rng.int(5, 30)}]`,
  ])
  return `*[_type == "${type}"${cond}]${proj}${order}${slice}`
}

/** Queries whose cost grows with the cube (or worse) of the dataset: stopped by the time limit. */
const PATHOLOGICAL = [
  '*{"a": *{"b": *{"c": *}}}',
  'count(*[count(*[count(*[_id > ^._id]) > 0]) > 0])',
  // Benefits are not referenced, so a second references() level would end early: cubic after it.
  '*[_type == "concern"]{"x": *[references(^._id)]{"y": *[_id != ^._id]{"z": *[_id != ^._id]}}}',
  'math::sum(*[]{"n": count(*[count(*) > 1])}.n)',
]

let tmp: ReturnType<typeof tempDir>
let dataset: string
let api: ApiProcess
beforeAll(async () => {
  tmp = tempDir('fuzz-groq-')
  dataset = join(tmp.dir, 'dataset.sqlite')
  const ds = Dataset.open(dataset)
  const docs: Array<Record<string, unknown> & {_id: string; _type: string}> = []
  for (let i = 0; i < 10; i++)
    docs.push({
      _id: `concern-c${i}`,
      _type: 'concern',
      title: `Acne concern ${i}`,
      slug: {_type: 'slug', current: `c${i}`},
    })
  for (let i = 0; i < 1500; i++) {
    docs.push({
      _id: `benefit-b${i}`,
      _type: 'benefit',
      title: `Benefit ${i}`,
      slug: {_type: 'slug', current: `b${i}`},
      concerns: [{_type: 'reference', _ref: `concern-c${i % 10}`, _key: `k${i}`}],
    })
  }
  ds.transaction(
    docs.map((d) => ({createOrReplace: d})),
    {author: 'fuzz setup'},
  )
  ds.close()
  api = await startApiProcess(dataset, join(tmp.dir, 'tls'), ['--query-timeout', '1500'])
})
afterAll(async () => {
  await api?.stop()
  tmp.cleanup()
})

async function query(
  q: string,
  params: Record<string, unknown> = {},
  auth = false,
): Promise<{
  status: number
  body: {result?: unknown; error?: {description?: string; type?: string}}
}> {
  const res = await api.http('/data/query/production', {
    method: 'POST',
    auth,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({query: q, params}),
  })
  return {
    status: res.status,
    body: (await res.json()) as {result?: unknown; error?: {description?: string; type?: string}},
  }
}

describe('fuzzing GROQ (fixed seed)', () => {
  it('random and well-formed queries: 200 or a 400 with a JSON error, never a 5xx; the dataset never changes', async () => {
    const CASES = 300
    const rng = mulberry32(FUZZ_SEED)
    const before = digestOf(dataset)
    const failures: string[] = []
    const tally = {ok: 0, refused: 0}
    for (let i = 0; i < CASES; i++) {
      const q = rng.chance(0.6) ? soup(rng) : wellFormed(rng)
      const params = rng.chance(0.5) ? {p: rng.pick<unknown>([1, 'x', null, [1, 2], {a: 1}])} : {}
      const {status, body} = await query(q, params, rng.chance(0.3))
      if (status === 200) tally.ok++
      else if (
        status === 400 &&
        typeof body.error?.description === 'string' &&
        typeof body.error?.type === 'string'
      )
        tally.refused++
      else
        failures.push(
          `case ${i} (seed ${FUZZ_SEED}) ${JSON.stringify(q)}: status ${status} ${JSON.stringify(body).slice(0, 200)}`,
        )
    }
    expect(digestOf(dataset)).toBe(before)
    console.log(
      `fuzz groq: ${CASES} queries (seed ${FUZZ_SEED}): ${tally.ok} answered, ${tally.refused} refused with 400, ${failures.length} failures`,
    )
    expect(failures).toEqual([])
  }, 300_000)

  it('pathological queries (and delete-by-query selections) are stopped by the time limit (400 queryTimeoutError) while the server keeps answering', async () => {
    const before = digestOf(dataset)
    for (const q of PATHOLOGICAL) {
      const slow = query(q)
      // The server is not blocked meanwhile: a health check and a write-free read answer.
      const t = performance.now()
      const ping = await api.http('/ping')
      const pingMs = performance.now() - t
      expect(ping.status).toBe(200)
      const {status, body} = await slow
      expect(status, q).toBe(400)
      expect(body.error?.type, q).toBe('queryTimeoutError')
      expect(body.error?.description).toMatch(/longer than|more memory/)
      // The next query runs on a fresh worker.
      const after = await query('count(*[_type == "concern"])')
      expect(after).toMatchObject({status: 200, body: {result: 10}})
      console.log(
        `fuzz groq: pathological ${JSON.stringify(q)} → 400 ${body.error?.type}; /ping answered in ${Math.round(pingMs)} ms meanwhile`,
      )
    }
    // The same for a delete by query: its selection is tried under the time limit before the write lock is taken.
    const mutate = api.http('/data/mutate/production', {
      method: 'POST',
      auth: true,
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({
        mutations: [{delete: {query: '*[count(*[count(*[_id > ^._id]) > 0]) > 0]'}}],
      }),
    })
    expect((await api.http('/ping')).status).toBe(200)
    const refused = await mutate
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as {error: {type: string}}).error.type).toBe('queryTimeoutError')
    expect(digestOf(dataset)).toBe(before)
  }, 120_000)

  it('npm run query: a syntax error is a clear error with line and column, exit 1', () => {
    const r = runScript('scripts/query/cli.ts', [
      '*[_type == "benefit"\n  && title ==]',
      '--dataset',
      dataset,
    ])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^error: .*line 2, column \d+/m)
    expect(r.stderr).not.toMatch(/internal error/)
    const json = runScript('scripts/query/cli.ts', ['*[', '--dataset', dataset, '--json'])
    expect(json.status).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ok: false, error: {code: 'GROQ'}})
  })
})
