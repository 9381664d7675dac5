/** The retry policy for Sanity API calls (scripts/lib/retry.ts): what is retried, how long it waits. */
import {describe, expect, it} from 'vitest'
import {
  classifyFailure,
  HttpStatusError,
  parseRetryAfter,
  retryDelay,
  withRetry,
} from '../../scripts/lib/retry.ts'

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter('0.5')).toBe(500)
    expect(
      parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)),
    ).toBe(10_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })

  it('retries 429 (never ambiguous), 5xx/408, timeouts and dropped connections (ambiguous); nothing else', () => {
    expect(classifyFailure(new HttpStatusError('x', 429, '2'))).toMatchObject({
      kind: 'rate-limited',
      retryable: true,
      ambiguous: false,
      retryAfterMs: 2000,
    })
    for (const s of [408, 500, 502, 503, 504])
      expect(classifyFailure({statusCode: s, message: 'x'})).toMatchObject({
        retryable: true,
        ambiguous: true,
      })
    for (const s of [400, 401, 403, 404, 409, 413])
      expect(classifyFailure({statusCode: s, message: 'x'})).toMatchObject({retryable: false})
    expect(
      classifyFailure(
        Object.assign(new TypeError('fetch failed'), {cause: {code: 'UND_ERR_SOCKET'}}),
      ),
    ).toMatchObject({kind: 'network', retryable: true, ambiguous: true})
    expect(
      classifyFailure(Object.assign(new Error('timed out'), {name: 'TimeoutError'})),
    ).toMatchObject({kind: 'timeout', retryable: true})
    expect(classifyFailure(new Error('boom'))).toMatchObject({retryable: false})
  })

  it('backs off exponentially with jitter, never below what Retry-After asks', () => {
    const plain = {kind: 'unavailable', retryable: true, ambiguous: true, message: ''} as const
    const low = [1, 2, 3, 4].map((a) => retryDelay(a, plain, {random: () => 0}))
    const high = [1, 2, 3, 4].map((a) => retryDelay(a, plain, {random: () => 0.999}))
    expect(low).toEqual([125, 250, 500, 1000])
    expect(high.every((h, i) => h >= low[i]! && h <= 250 * 2 ** i)).toBe(true)
    expect(retryDelay(20, plain, {random: () => 1})).toBe(15_000)
    expect(retryDelay(1, {...plain, retryAfterMs: 7000}, {random: () => 0})).toBe(7000)
  })

  it('gives up after the retries, or at once on a Retry-After longer than allowed; passes the previous failure on', async () => {
    const seen: Array<string | undefined> = []
    const fail = (e: unknown) =>
      withRetry(
        async ({previous}) => {
          seen.push(previous?.kind)
          throw e
        },
        {retries: 3, sleep: async () => {}},
      )
    await expect(fail(new HttpStatusError('down', 503))).rejects.toThrow('down')
    expect(seen).toEqual([undefined, 'unavailable', 'unavailable', 'unavailable'])
    seen.length = 0
    await expect(fail(new HttpStatusError('later', 429, '3600'))).rejects.toThrow('later')
    expect(seen).toEqual([undefined])
  })
})
