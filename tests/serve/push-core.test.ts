/** The pusher's pure core: file diffs, the queue (baseline, merge, withdraw), ids, payload, backoff. */
import {describe, expect, it} from 'vitest'
import {exponentialBackoff} from '../../scripts/serve/push/backoff.ts'
import {diffFiles} from '../../scripts/serve/push/changes.ts'
import {buildPayload, deliveryId} from '../../scripts/serve/push/payload.ts'
import {enqueueChanges, nextStep, type PartnerState} from '../../scripts/serve/push/queue.ts'
import {notifyTarget} from '../../scripts/serve/push/send.ts'
import {strongEtag} from '../../scripts/serve/rules.ts'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)
const NOW = new Date('2026-12-01T10:00:00Z')

describe('diffFiles', () => {
  it('lists changed, added and removed files by path, and nothing for equal hashes', () => {
    expect(diffFiles({'p/x': A, 'p/y': A, 'p/z': A}, {'p/w': B, 'p/x': A, 'p/y': B})).toEqual([
      {path: 'p/w', sha256: B},
      {path: 'p/y', sha256: B},
      {path: 'p/z', removed: true},
    ])
    expect(diffFiles({'p/x': A}, {'p/x': A})).toEqual([])
  })
})

describe('enqueueChanges', () => {
  const sent = (files: PartnerState['files']) =>
    enqueueChanges({files, seq: 0, queue: []}, 'p', files, NOW)

  it('records a baseline first, then queues changes against what was last queued', () => {
    const base = enqueueChanges(undefined, 'p', {x: A}, NOW)
    expect(base).toEqual({kind: 'baseline', entry: {files: {x: A}, seq: 0, queue: []}})
    expect(sent({x: A}).kind).toBe('unchanged')
    const q = enqueueChanges(base.entry, 'p', {x: B}, NOW)
    if (q.kind !== 'queued') throw new Error(q.kind)
    expect(q.delivery).toEqual({
      id: deliveryId('p', 1, [{path: 'x', sha256: B}]),
      seq: 1,
      createdAt: NOW.toISOString(),
      base: {x: A},
      changes: [{path: 'x', sha256: B}],
      attempts: 0,
    })
    expect(q.entry.files).toEqual({x: B})
  })

  it('never touches the head; merges into an unsent delivery behind it, or withdraws it', () => {
    const head = enqueueChanges({files: {x: A}, seq: 0, queue: []}, 'p', {x: B}, NOW)
    const second = enqueueChanges(head.entry, 'p', {x: B, y: A}, NOW)
    if (second.kind !== 'queued') throw new Error(second.kind)
    expect(second.merged).toBe(false)
    expect(second.entry.queue).toHaveLength(2)

    const merged = enqueueChanges(second.entry, 'p', {x: C, y: B}, NOW)
    if (merged.kind !== 'queued') throw new Error(merged.kind)
    expect(merged.merged).toBe(true)
    expect(merged.entry.queue[0]).toBe(head.entry.queue[0])
    expect(merged.delivery.base).toEqual({x: B})
    expect(merged.delivery.changes).toEqual([
      {path: 'x', sha256: C},
      {path: 'y', sha256: B},
    ])
    expect(merged.delivery.id).not.toBe(second.entry.queue[1]!.id)

    const back = enqueueChanges(merged.entry, 'p', {x: B}, NOW)
    expect(back.kind).toBe('withdrawn')
    expect(back.entry.queue).toEqual([head.entry.queue[0]])
    expect(back.entry.files).toEqual({x: B})
  })
})

describe('deliveryId and payload', () => {
  it('derives the same id from the same partner, number and hashes only', () => {
    const changes = [{path: 'x', sha256: A}]
    expect(deliveryId('p', 1, changes)).toBe(deliveryId('p', 1, changes))
    expect(deliveryId('p', 2, changes)).not.toBe(deliveryId('p', 1, changes))
    expect(deliveryId('q', 1, changes)).not.toBe(deliveryId('p', 1, changes))
  })

  it('names each file with its strong ETag and encoded URL', () => {
    const changes = [
      {path: 'partners/p/a b.json', sha256: A},
      {path: 'partners/p/old.xml', removed: true as const},
    ]
    expect(buildPayload('p', changes, NOW.toISOString(), 'https://feeds.test/base')).toEqual({
      type: 'partner.files.changed',
      timestamp: '2026-12-01T10:00:00.000Z',
      data: {
        partner: 'p',
        files: [
          {
            path: 'partners/p/a b.json',
            url: 'https://feeds.test/base/partners/p/a%20b.json',
            etag: strongEtag(A),
            sha256: A,
          },
          {path: 'partners/p/old.xml', removed: true},
        ],
      },
    })
    expect(buildPayload('p', changes, '', undefined).data.files[0]).not.toHaveProperty('url')
  })
})

describe('retries', () => {
  it('backs off ×4 from 5 s, jittered within [wait/2, wait], capped at 30 min', () => {
    const low = exponentialBackoff({random: () => 0})
    const high = exponentialBackoff({random: () => 1 - 1e-12})
    expect([1, 2, 3, 4, 5].map(low)).toEqual([2_500, 10_000, 40_000, 160_000, 640_000])
    expect([1, 2, 3, 4, 5].map(high)).toEqual([5_000, 20_000, 80_000, 320_000, 1_280_000])
    expect(high(9)).toBe(1_800_000)
  })

  it('delivers on 2xx, retries below maxAttempts, then gives up', () => {
    const backoff = () => 7
    expect(nextStep(1, true, 3, backoff)).toEqual({kind: 'delivered'})
    expect(nextStep(2, false, 3, backoff)).toEqual({kind: 'retry', delayMs: 7})
    expect(nextStep(3, false, 3, backoff)).toEqual({kind: 'dead'})
  })

  it('posts only to http(s) URLs without credentials', () => {
    expect(notifyTarget('https://partner.test/hook?key=1')).toBeInstanceOf(URL)
    expect(notifyTarget('ftp://partner.test/')).toEqual({reason: 'notifyUrl is not http or https'})
    expect(notifyTarget('https://u:p@partner.test/')).toHaveProperty('reason')
    expect(notifyTarget('not a url')).toHaveProperty('reason')
  })
})
