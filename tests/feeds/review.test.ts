/**
 * Reviews expire with time, not with the data: the next publish after a review passes the review
 * period drops the page from `reviewedOnly` partners and marks it expired — incrementally, and
 * exactly as a full export judged on the same day would.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportTo, fixtureDataset, readTree, tempDir, treeDiff} from './helpers.ts'

const TEXTURE = 'benefit-improves-skin-texture'
let tmp: ReturnType<typeof tempDir>
let dataset: string
beforeAll(() => {
  tmp = tempDir('review-expiry-')
  dataset = fixtureDataset(tmp.dir)
})
afterAll(() => tmp.cleanup())

const read = (out: string, path: string) => JSON.parse(readFileSync(join(out, path), 'utf8')) as any
const wellnessIds = (out: string) =>
  (read(out, 'partners/wellness-app/content.json').items as Array<{id: string}>).map((i) => i.id)

describe('a review that expires between two publishes', () => {
  it('drops the page from reviewedOnly partners on the next (incremental) export', async () => {
    const out = join(tmp.dir, 'dist')
    // Reviewed 2024-06-01: current on 2025-05-31, expired on 2025-06-02 (12 months).
    const first = await exportTo(out, dataset, {reviewedAsOf: '2025-05-31T00:00:00Z'})
    expect(first.mode).toBe('full')
    expect(read(out, 'web/benefits/improves-skin-texture.json').review.status).toBe('current')
    expect(wellnessIds(out)).toContain(TEXTURE)

    const next = await exportTo(out, dataset, {reviewedAsOf: '2025-06-02T00:00:00Z'})
    expect(next.mode, next.fullReason).toBe('incremental')
    expect(next.changedFiles).toBeGreaterThan(0)
    expect(read(out, 'web/benefits/improves-skin-texture.json').review).toMatchObject({
      lastReviewed: '2024-06-01',
      status: 'expired',
    })
    expect(wellnessIds(out)).not.toContain(TEXTURE)
    const bundle = read(out, 'app/bundle.json')
    expect(bundle.benefits.find((e: {id: string}) => e.id === TEXTURE).review.status).toBe(
      'expired',
    )

    const full = join(tmp.dir, 'full')
    await exportTo(full, dataset, {
      reviewedAsOf: '2025-06-02T00:00:00Z',
      cacheDir: false,
      incremental: false,
    })
    expect(treeDiff(readTree(out), readTree(full))).toEqual([])

    // The same day again: nothing to do.
    const again = await exportTo(out, dataset, {reviewedAsOf: '2025-06-02T12:00:00Z'})
    expect(again).toMatchObject({mode: 'incremental', changedFiles: 0})
  })

  it('refuses a review date that is not an ISO date-time with an offset', async () => {
    await expect(
      exportTo(join(tmp.dir, 'bad'), dataset, {reviewedAsOf: '2025-06-02'}),
    ).rejects.toThrow(/--review-date must be an ISO 8601 date-time/)
  })
})
