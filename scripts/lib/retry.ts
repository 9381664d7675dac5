/**
 * Retries for calls to a Sanity API (the hosted Content Lake or the local API). Rate limits (429),
 * server errors (5xx, 408), timeouts and dropped connections are retried with exponential backoff
 * and jitter; a server's `Retry-After` is honoured. Anything else (400, 401, 403, 404, 409…)
 * fails at once: repeating it cannot help.
 *
 * Only use it for calls that are safe to repeat: reads, or writes the caller has made idempotent.
 * A write that failed *ambiguously* (the server may have applied it: a dropped connection, a
 * timeout, a 5xx) must be checked before it is sent again; `call` gets the previous failure for
 * that (see scripts/store/remoteImport.ts and scripts/migrate/remote.ts).
 */

export interface RetryPolicy {
  /** Attempts after the first (default 6). */
  retries?: number
  /** Backoff before the first retry in ms (default 250); doubles per retry. */
  baseDelayMs?: number
  /** Upper bound of one backoff in ms (default 15 s). */
  maxDelayMs?: number
  /** Longest `Retry-After` obeyed (default 120 s); a server asking for longer fails the call. */
  maxRetryAfterMs?: number
  /** Uniform [0, 1) source for the jitter (injected in tests). */
  random?: () => number
  sleep?: (ms: number) => Promise<void>
  /** Called before each wait, e.g. to print progress. */
  onRetry?: (info: RetryInfo) => void
}

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number
  delayMs: number
  failure: Failure
}

/**
 * Why a call failed, as far as retrying is concerned. `ambiguous` means a write may or may not
 * have been applied (no answer, or a server error after the request arrived).
 */
export interface Failure {
  kind: 'rate-limited' | 'unavailable' | 'server-error' | 'timeout' | 'network' | 'fatal'
  retryable: boolean
  ambiguous: boolean
  status?: number
  retryAfterMs?: number
  message: string
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** An HTTP answer a caller got from fetch() itself (no @sanity/client error to classify). */
export class HttpStatusError extends Error {
  readonly statusCode: number
  readonly retryAfter: string | undefined
  constructor(message: string, statusCode: number, retryAfter?: string | null) {
    super(message)
    this.name = 'HttpStatusError'
    this.statusCode = statusCode
    this.retryAfter = retryAfter ?? undefined
  }
}

function statusOf(e: Record<string, unknown>): number | undefined {
  const s =
    e.statusCode ?? e.status ?? (e.response as {statusCode?: unknown} | undefined)?.statusCode
  return typeof s === 'number' ? s : undefined
}

function retryAfterOf(e: Record<string, unknown>): string | undefined {
  if (typeof e.retryAfter === 'string') return e.retryAfter
  const headers = (e.response as {headers?: unknown} | undefined)?.headers ?? e.headers
  if (!headers || typeof headers !== 'object') return undefined
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get('retry-after') ?? undefined
  const v = (headers as Record<string, unknown>)['retry-after']
  return typeof v === 'string' ? v : undefined
}

function codeOf(e: unknown): string | undefined {
  for (
    let cur = e, depth = 0;
    cur && typeof cur === 'object' && depth < 4;
    cur = (cur as {cause?: unknown}).cause, depth++
  ) {
    const code = (cur as {code?: unknown}).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/** Classify an error from @sanity/client, get-it, fetch() or HttpStatusError. */
export function classifyFailure(e: unknown): Failure {
  const message = (e as Error)?.message ?? String(e)
  if (!e || typeof e !== 'object')
    return {kind: 'fatal', retryable: false, ambiguous: false, message}
  const err = e as Record<string, unknown>
  const status = statusOf(err)
  if (status !== undefined) {
    const retryAfterMs = parseRetryAfter(retryAfterOf(err))
    const extra = retryAfterMs === undefined ? {} : {retryAfterMs}
    // A rate limit is answered before any work is done: repeating the request is always safe.
    if (status === 429)
      return {kind: 'rate-limited', retryable: true, ambiguous: false, status, message, ...extra}
    if (status === 503)
      return {kind: 'unavailable', retryable: true, ambiguous: true, status, message, ...extra}
    if (status === 408 || status === 500 || status === 502 || status === 504)
      return {kind: 'server-error', retryable: true, ambiguous: true, status, message, ...extra}
    return {kind: 'fatal', retryable: false, ambiguous: false, status, message}
  }
  const name = typeof err.name === 'string' ? err.name : ''
  if (name === 'TimeoutError') return {kind: 'timeout', retryable: true, ambiguous: true, message}
  if (name === 'AbortError') return {kind: 'fatal', retryable: false, ambiguous: true, message}
  const code = codeOf(e)
  if (code !== undefined && RETRYABLE_CODES.has(code))
    return {kind: 'network', retryable: true, ambiguous: true, message: `${message} (${code})`}
  // undici reports a dropped connection as `TypeError: fetch failed` whose cause may carry no code.
  if (e instanceof TypeError && /fetch failed|terminated|socket|network/i.test(message))
    return {kind: 'network', retryable: true, ambiguous: true, message}
  if (/other side closed|socket hang up|ECONNRESET/i.test(message))
    return {kind: 'network', retryable: true, ambiguous: true, message}
  return {kind: 'fatal', retryable: false, ambiguous: false, message}
}

/** The wait before retry number `attempt` (1-based): jittered backoff, at least what Retry-After asks. */
export function retryDelay(attempt: number, failure: Failure, policy: RetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? 250
  const max = policy.maxDelayMs ?? 15_000
  const random = policy.random ?? Math.random
  const backoff = Math.min(max, base * 2 ** (attempt - 1))
  // Jitter (a random point in [backoff/2, backoff]) keeps many clients from retrying in step,
  // while every wait still grows with the attempt.
  const jittered = backoff / 2 + random() * (backoff / 2)
  return Math.round(Math.max(jittered, failure.retryAfterMs ?? 0))
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Run `call` until it succeeds, a failure is not retryable, or the retries are used up (then the
 * last error is thrown as it was). `previous` is the failure of the attempt before, so a write can
 * check whether an ambiguous failure had in fact been applied before sending itself again.
 */
export async function withRetry<T>(
  call: (ctx: {attempt: number; previous?: Failure}) => Promise<T>,
  policy: RetryPolicy = {},
): Promise<T> {
  const retries = policy.retries ?? 6
  const sleep = policy.sleep ?? defaultSleep
  let previous: Failure | undefined
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(previous ? {attempt, previous} : {attempt})
    } catch (e) {
      const failure = classifyFailure(e)
      if (!failure.retryable || attempt >= retries) throw e
      if (
        failure.retryAfterMs !== undefined &&
        failure.retryAfterMs > (policy.maxRetryAfterMs ?? 120_000)
      )
        throw e
      const delayMs = retryDelay(attempt + 1, failure, policy)
      policy.onRetry?.({attempt: attempt + 1, delayMs, failure})
      await sleep(delayMs)
      previous = failure
    }
  }
}
