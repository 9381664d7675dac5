/**
 * The load and abuse suite: every row of the hardening table replayed, with fixed inputs and
 * bounded request counts, against one real API process on loopback. Each row asserts its own
 * bounded answer; the last test asserts what holds across all of them: the server answered
 * `/ping` within 500 ms throughout, its RSS stayed under 1 GiB, and it is still up.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAbuseTarget, watchTarget, type AbuseTarget, type Watch} from './abuse/harness.ts'
import {rows as listenRows} from './abuse/rows/listen.ts'
import {rows as mutateRows} from './abuse/rows/mutate.ts'
import {rows as privateRows} from './abuse/rows/private.ts'
import {rows as queryRows} from './abuse/rows/query.ts'

const PING_LIMIT_MS = 500
const RSS_BUDGET = 1024 ** 3

let target: AbuseTarget & {stop(): Promise<void>}
let watch: Watch

beforeAll(async () => {
  target = await startAbuseTarget({filler: 400, args: ['--query-timeout', '2000']})
  watch = watchTarget(target, {slowMs: PING_LIMIT_MS})
})

afterAll(async () => {
  await watch?.stop()
  await target?.stop()
})

describe('abuse table', () => {
  const all = [...queryRows, ...listenRows, ...mutateRows, ...privateRows].sort(
    (a, b) => a.finding - b.finding,
  )
  for (const row of all)
    it(`#${row.finding} ${row.name}`, () => row.run(target), row.timeoutMs ?? 60_000)

  it('kept answering /ping within 500 ms, stayed under 1 GiB and is still up', async () => {
    const res = await target.http('/ping')
    expect(res.status).toBe(200)
    expect(target.alive()).toBe(true)
    expect(watch.slowPings()).toEqual([])
    expect(watch.maxPingMs()).toBeLessThan(PING_LIMIT_MS)
    expect(watch.maxRss()).toBeGreaterThan(0)
    expect(watch.maxRss()).toBeLessThan(RSS_BUDGET)
  })
})
