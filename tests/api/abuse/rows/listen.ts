/**
 * The listen rows of the abuse table (#2, #3, #11): `/data/listen` streams opened without the
 * token, replayed with fixed inputs against the suite's server (400 filler documents,
 * `--query-timeout 2000`, default listener limits: listen/hub.ts). Each row listens to a type
 * of its own and deletes what it wrote.
 */
import {connect, type Socket} from 'node:net'
import {expect} from 'vitest'
import {readEvents} from '../../helpers.ts'
import type {AbuseTarget} from '../harness.ts'
import type {AbuseRow} from './types.ts'

/** The hub's defaults (scripts/api/listen/hub.ts). */
const MAX_PENDING_MS = 5000

type Event = {event: string; data: any}

const listenPath = (query: string, params: Record<string, unknown> = {}) =>
  `/data/listen/production?query=${encodeURIComponent(query)}${Object.entries(params)
    .map(([k, v]) => `&$${k}=${encodeURIComponent(JSON.stringify(v))}`)
    .join('')}`

async function listen(
  target: AbuseTarget,
  query: string,
  opts: {auth?: boolean; params?: Record<string, unknown>} = {},
): Promise<Response> {
  const res = await target.http(listenPath(query, opts.params), {auth: opts.auth ?? false})
  expect(res.status).toBe(200)
  return res
}

async function mutate(target: AbuseTarget, mutations: unknown[]): Promise<string> {
  const res = await target.http('/data/mutate/production', {
    method: 'POST',
    auth: true,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({mutations}),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as {transactionId: string}).transactionId
}

const summary = (events: Event[]) =>
  events.map((e) =>
    e.event === 'mutation'
      ? `mutation ${e.data.transactionId} ${e.data.documentId}`
      : e.event === 'channelError'
        ? `channelError ${e.data.statusCode} ${e.data.error.type}`
        : e.event === 'disconnect'
          ? `disconnect ${e.data.reason}`
          : e.event,
  )

/**
 * A listen request on a raw connection that reads its response head and welcome, then nothing:
 * resolves once the server has taken the stream.
 */
function stalledListener(target: AbuseTarget, path: string): Promise<Socket> {
  const {hostname, port} = new URL(target.httpUrl)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    socket.once('error', reject)
    socket.once('data', (head: Buffer) => {
      socket.pause()
      if (!head.toString().startsWith('HTTP/1.1 200'))
        reject(new Error(`listen refused: ${head.toString().split('\r\n')[0]}`))
      else resolve(socket)
    })
    socket.write(`GET /v2025-02-19${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`)
  })
}

/** Resolves when the server has closed the connection (what it still holds is read and dropped). */
function closeOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {})
    socket.on('close', () => resolve())
    socket.resume()
  })
}

/** The 3-level projection of the finding: 200^3 objects per document, seconds each. */
const PATHOLOGICAL = '*[count($a[]{"x": $a[]{"y": $a[]{"z": 1}}}) > 0]'
const a200 = Array.from({length: 200}, (_, i) => ({i}))

export const rows: AbuseRow[] = [
  {
    finding: 2,
    name: 'pathological listen filters: a change makes them time out in a worker, their streams end with a channelError; others get their events',
    timeoutMs: 30_000,
    async run(target) {
      const type = 'abuseListen2'
      // Three streams share one filter (one evaluation per change), a fourth differs in params.
      const victims = await Promise.all([
        listen(target, PATHOLOGICAL, {params: {a: a200}}),
        listen(target, PATHOLOGICAL, {params: {a: a200}}),
        listen(target, PATHOLOGICAL, {params: {a: a200}}),
        listen(target, PATHOLOGICAL, {params: {a: a200, b: 1}}),
      ])
      const query = `*[_type == "${type}"]`
      const anonymous = readEvents(await listen(target, query), 2)
      let studioAt = 0
      const studio = readEvents(await listen(target, query, {auth: true}), 2).then((events) => {
        studioAt = performance.now()
        return events
      })
      const written = performance.now()
      const tx = await mutate(target, [{createOrReplace: {_id: 'abuse-listen-2', _type: type}}])
      const ends = await Promise.all(victims.map((res) => readEvents(res, 3)))
      const elapsed = performance.now() - written
      for (const events of ends)
        expect(summary(events as Event[])).toEqual([
          'welcome',
          'channelError 400 queryTimeoutError',
        ])
      const expected = ['welcome', `mutation ${tx} abuse-listen-2`]
      expect(summary((await anonymous) as Event[])).toEqual(expected)
      expect(summary((await studio) as Event[])).toEqual(expected)
      // The token holder's filter does not wait behind anonymous ones: a worker is kept for it.
      expect(studioAt - written).toBeLessThan(1500)
      // Two evaluations (one per distinct filter) to the time or memory limit, one after the other.
      expect(elapsed).toBeLessThan(10_000)
      await mutate(target, [{delete: {id: 'abuse-listen-2'}}])
    },
  },
  {
    finding: 3,
    name: '200 listen connections that never read, then eight 1 MB documents: they are dropped, memory stays bounded, readers get every event',
    timeoutMs: 60_000,
    async run(target) {
      const type = 'abuseListen3'
      const query = `*[_type == "${type}" && $n >= 0]`
      const baseline = target.rss()
      let peak = baseline
      const sampler = setInterval(() => (peak = Math.max(peak, target.rss())), 50)
      try {
        // Ten distinct filters, twenty streams each: ten texts per change, not one.
        const stalled = await Promise.all(
          Array.from({length: 200}, (_, i) =>
            stalledListener(target, listenPath(query, {n: i % 10})),
          ),
        )
        const reader = readEvents(await listen(target, query, {params: {n: 0}}), 9)
        const studio = readEvents(
          await target.http(`${listenPath(query, {n: 0})}&effectFormat=mendoza`, {auth: true}),
          9,
        )
        const ids = Array.from({length: 8}, (_, i) => `abuse-listen-3-${i}`)
        const txs: string[] = []
        for (const [i, id] of ids.entries())
          txs.push(
            await mutate(target, [
              {createOrReplace: {_id: id, _type: type, title: `${i}`, body: 'x'.repeat(1_000_000)}},
            ]),
          )
        const expected = ['welcome', ...txs.map((tx, i) => `mutation ${tx} ${ids[i]}`)]
        expect(summary((await reader) as Event[])).toEqual(expected)
        expect(summary((await studio) as Event[])).toEqual(expected)
        // Every stalled stream is dropped: over the total budget at once, the rest once over
        // their own limit for MAX_PENDING_MS, and cut 2 s later (their last event stays behind
        // what the server still held for them: listenServer.test.ts reads one). Read after
        // that, a connection gives what the kernel took for it, then the server's close.
        await new Promise((r) => setTimeout(r, MAX_PENDING_MS + 3000))
        let closed = 0
        await Promise.race([
          Promise.all(stalled.map((socket) => closeOf(socket).then(() => closed++))),
          new Promise((r) => setTimeout(r, 10_000)),
        ])
        expect(closed).toBe(200)
        await mutate(
          target,
          ids.map((id) => ({delete: {id}})),
        )
      } finally {
        clearInterval(sampler)
      }
      // The ten texts of each change are shared by their twenty streams, and what waits for the
      // stalled clients is capped in total; once they are dropped it is gone. Measured on this
      // row: +60 MB at the peak, and below the baseline after (the #2 worker's heap went too).
      expect(peak - baseline).toBeLessThan(300 * 1024 ** 2)
      expect(target.rss() - baseline).toBeLessThan(100 * 1024 ** 2)
    },
  },
  {
    finding: 11,
    name: 'listen: documents with private ids never reach a stream without the token',
    async run(target) {
      const type = 'abuseListen11'
      const query = `*[_type == "${type}"]`
      const anonymous = readEvents(await listen(target, query), 3)
      const withToken = readEvents(await listen(target, query, {auth: true}), 11)
      const ids = ['_.listen.abuse', 'abuse.private', 'drafts.abuse-11', 'versions.r1.abuse-11']
      const tx = await mutate(
        target,
        [...ids, 'abuse-11'].map((_id) => ({createOrReplace: {_id, _type: type}})),
      )
      const cleanup = await mutate(
        target,
        [...ids, 'abuse-11'].map((id) => ({delete: {id}})),
      )
      expect(summary((await anonymous) as Event[])).toEqual([
        'welcome',
        `mutation ${tx} abuse-11`,
        `mutation ${cleanup} abuse-11`,
      ])
      expect(summary((await withToken) as Event[])).toEqual([
        'welcome',
        ...[...ids, 'abuse-11'].map((id) => `mutation ${tx} ${id}`),
        ...[...ids, 'abuse-11'].map((id) => `mutation ${cleanup} ${id}`),
      ])
    },
  },
]
