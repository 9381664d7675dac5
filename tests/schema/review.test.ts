/** Review that expires: the pure rules (schemas/rules/review.ts) the Studio, desk and exporter share. */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {
  DEFAULT_REVIEW_MONTHS,
  parseReviewMonths,
  REVIEW_MONTHS_ENV,
  reviewCutoff,
  reviewState,
} from '../../schemas/rules/review.ts'
import {NODE, testEnv} from '../helpers/run.ts'

describe('reviewState', () => {
  const now = '2026-06-15'

  it('is "never" without a review or a review date', () => {
    expect(reviewState(undefined, now)).toBe('never')
    expect(reviewState(null, now)).toBe('never')
    expect(reviewState({}, now)).toBe('never')
    expect(reviewState({lastReviewed: null}, now)).toBe('never')
    expect(reviewState({lastReviewed: ''}, now)).toBe('never')
  })

  it('treats a malformed or impossible date as never reviewed', () => {
    expect(reviewState({lastReviewed: '2026-6-1'}, now, 12)).toBe('never')
    expect(reviewState({lastReviewed: '2026-02-30'}, now, 12)).toBe('never')
    expect(reviewState({lastReviewed: 'last spring'}, now, 12)).toBe('never')
  })

  it('expires a review older than the period, to the day', () => {
    expect(reviewState({lastReviewed: '2025-06-15'}, now, 12)).toBe('current')
    expect(reviewState({lastReviewed: '2025-06-14'}, now, 12)).toBe('expired')
    expect(reviewState({lastReviewed: '2026-06-15'}, now, 12)).toBe('current')
    expect(reviewState({lastReviewed: '2019-01-01'}, now, 12)).toBe('expired')
  })

  it('uses the period it is given', () => {
    const review = {lastReviewed: '2025-12-01'}
    expect(reviewState(review, now, 12)).toBe('current')
    expect(reviewState(review, now, 6)).toBe('expired')
    expect(reviewState(review, now, 7)).toBe('current')
  })

  it('defaults to the configured period (12 months unless SANITY_STUDIO_REVIEW_MONTHS is set)', () => {
    const months = parseReviewMonths(process.env[REVIEW_MONTHS_ENV])
    expect(reviewState({lastReviewed: reviewCutoff(now, months)}, now)).toBe('current')
    expect(reviewState({lastReviewed: '1990-01-01'}, now)).toBe('expired')
  })

  it('judges a date-time "now" by its UTC day, whatever the offset', () => {
    const review = {lastReviewed: '2025-06-15'}
    expect(reviewState(review, '2026-06-15T23:59:59Z', 12)).toBe('current')
    expect(reviewState(review, '2026-06-16T00:00:00Z', 12)).toBe('expired')
    // 01:30 at +02:00 is still 15 June in UTC.
    expect(reviewState(review, '2026-06-16T01:30:00+02:00', 12)).toBe('current')
  })

  it('refuses a "now" that is not an unambiguous date, and a period that is not whole months', () => {
    expect(() => reviewState(undefined, 'yesterday')).toThrow(/"now" must be an ISO date/)
    // Without an offset JavaScript would read it in the machine's time zone.
    expect(() => reviewState(undefined, '2026-06-15T10:00:00')).toThrow(/"now" must be/)
    expect(() => reviewState(undefined, now, 0)).toThrow(/whole number of months/)
    expect(() => reviewState(undefined, now, 1.5)).toThrow(/whole number of months/)
  })
})

describe('reviewCutoff', () => {
  it('is the same day the period earlier, clamped to a shorter month', () => {
    expect(reviewCutoff('2026-06-15', 12)).toBe('2025-06-15')
    expect(reviewCutoff('2026-03-31', 1)).toBe('2026-02-28')
    expect(reviewCutoff('2024-03-31', 1)).toBe('2024-02-29')
    expect(reviewCutoff('2025-02-28', 12)).toBe('2024-02-28')
    expect(reviewCutoff('2026-01-10', 13)).toBe('2024-12-10')
  })

  it('is the first date still current: the day before it has expired', () => {
    for (const now of ['2026-03-31', '2024-02-29', '2026-12-01']) {
      for (const months of [1, 6, 12, 24]) {
        const cutoff = reviewCutoff(now, months)
        const before = new Date(`${cutoff}T00:00:00Z`)
        before.setUTCDate(before.getUTCDate() - 1)
        expect(reviewState({lastReviewed: cutoff}, now, months)).toBe('current')
        expect(reviewState({lastReviewed: before.toISOString().slice(0, 10)}, now, months)).toBe(
          'expired',
        )
      }
    }
  })
})

describe('the review period setting', () => {
  it('is 12 months when unset or blank, else the whole months given', () => {
    expect(DEFAULT_REVIEW_MONTHS).toBe(12)
    expect(parseReviewMonths(undefined)).toBe(12)
    expect(parseReviewMonths('  ')).toBe(12)
    expect(parseReviewMonths('6')).toBe(6)
    expect(parseReviewMonths(' 24 ')).toBe(24)
  })

  it('refuses what is not a whole number of months from 1 to 1200, naming the variable', () => {
    for (const bad of ['0', '-3', '1.5', 'twelve', '12m', '1201'])
      expect(() => parseReviewMonths(bad), bad).toThrow(
        /SANITY_STUDIO_REVIEW_MONTHS must be a whole number of months from 1 to 1200/,
      )
  })

  it('is read from SANITY_STUDIO_REVIEW_MONTHS by Node scripts', () => {
    const probe = (value: string | undefined) => {
      const env: NodeJS.ProcessEnv = testEnv()
      delete env[REVIEW_MONTHS_ENV]
      if (value !== undefined) env[REVIEW_MONTHS_ENV] = value
      const r = spawnSync(
        NODE,
        [
          '--input-type=module',
          '-e',
          `import {REVIEW_MONTHS} from ${JSON.stringify(join(ROOT, 'schemas/rules/review.ts'))}; console.log(REVIEW_MONTHS)`,
        ],
        {cwd: ROOT, encoding: 'utf8', env},
      )
      return {out: r.stdout.trim(), err: r.stderr, status: r.status}
    }
    expect(probe(undefined).out).toBe('12')
    expect(probe('18').out).toBe('18')
    const bad = probe('soon')
    expect(bad.status).not.toBe(0)
    expect(bad.err).toContain('SANITY_STUDIO_REVIEW_MONTHS must be a whole number of months')
  })
})
