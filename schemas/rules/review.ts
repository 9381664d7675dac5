/**
 * When a medical review stops counting. Health content goes stale: a review older than the review
 * period no longer vouches for the text, so the Studio warns, the desk lists it and partners that
 * take reviewed content only do not get it. One definition for the Studio (bundled for the
 * browser) and the Node scripts, hence no Studio imports here.
 *
 * "Now" is always an argument: callers read the clock at their edge (the Studio rule, the desk,
 * the badge) or pass the export's own date, so the same input always gives the same answer.
 */

// In the Studio bundle Vite replaces the literal `process.env.SANITY_STUDIO_REVIEW_MONTHS` at build
// time (an unset variable reads as undefined there); Node reads it at run time. Keep the literal.
declare const process: {env: Record<string, string | undefined>}

export const DEFAULT_REVIEW_MONTHS = 12

/** The environment variable that overrides the review period (whole months). */
export const REVIEW_MONTHS_ENV = 'SANITY_STUDIO_REVIEW_MONTHS'

/** Longest period accepted (100 years): anything longer is a typo, not a policy. */
const MAX_REVIEW_MONTHS = 1200

const validPeriod = (months: number) =>
  Number.isInteger(months) && months >= 1 && months <= MAX_REVIEW_MONTHS

/** A review period from the environment's text: the default when unset or blank, else whole months. */
export function parseReviewMonths(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_REVIEW_MONTHS
  const text = raw.trim()
  if (!/^\d+$/.test(text) || !validPeriod(Number(text)))
    throw new RangeError(
      `${REVIEW_MONTHS_ENV} must be a whole number of months from 1 to ${MAX_REVIEW_MONTHS}, got "${raw}"`,
    )
  return Number(text)
}

/** The review period in force: SANITY_STUDIO_REVIEW_MONTHS, else 12 months. */
export const REVIEW_MONTHS: number = parseReviewMonths(process.env.SANITY_STUDIO_REVIEW_MONTHS)

/** What pages and partners are told of a review: vouching now, too old, or none. */
export const REVIEW_STATES = ['current', 'expired', 'never'] as const
export type ReviewState = (typeof REVIEW_STATES)[number]

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
// A date-time must say its offset: without one, JavaScript reads it in the machine's time zone.
const NOW = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/

/** Whether `value` is a real calendar date written YYYY-MM-DD (what the Studio's date field stores). */
function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value)
  if (!m) return false
  const d = new Date(0)
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return d.toISOString().slice(0, 10) === value
}

/**
 * The earliest `lastReviewed` date (YYYY-MM-DD) that is still current on `now`'s UTC day: the same
 * day `periodMonths` months earlier, clamped to the end of a shorter month (31 March − 1 month →
 * 28 or 29 February). GROQ filters compare `review.lastReviewed < $cutoff` with it, so the desk and
 * `reviewState` agree by construction.
 */
export function reviewCutoff(now: string, periodMonths: number = REVIEW_MONTHS): string {
  if (!validPeriod(periodMonths))
    throw new RangeError(
      `The review period must be a whole number of months from 1 to ${MAX_REVIEW_MONTHS}, got ${periodMonths}`,
    )
  const at = new Date(now)
  if (!NOW.test(now) || Number.isNaN(at.getTime()))
    throw new RangeError(
      `"now" must be an ISO date (YYYY-MM-DD) or a date-time with Z or an offset, got "${now}"`,
    )
  const day = at.getUTCDate()
  const first = new Date(0)
  first.setUTCFullYear(at.getUTCFullYear(), at.getUTCMonth() - periodMonths, 1)
  const lastDay = new Date(0)
  lastDay.setUTCFullYear(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)
  first.setUTCDate(Math.min(day, lastDay.getUTCDate()))
  return first.toISOString().slice(0, 10)
}

/**
 * A document's review state on `now`: 'never' without a (well-formed) review date, 'expired' when
 * it is older than `periodMonths` months (default: the configured REVIEW_MONTHS), else 'current'.
 * A malformed date counts as never reviewed: it vouches for nothing.
 */
export function reviewState(
  review: {lastReviewed?: string | null} | null | undefined,
  now: string,
  periodMonths: number = REVIEW_MONTHS,
): ReviewState {
  const cutoff = reviewCutoff(now, periodMonths)
  const last = review?.lastReviewed
  if (typeof last !== 'string' || !isCalendarDate(last)) return 'never'
  return last < cutoff ? 'expired' : 'current'
}
