/**
 * One delivery attempt: a POST with a timeout, bounded on every side. Redirects are not followed
 * (a 3xx is a failure: the partner should fix its notify URL, and a signed delivery must not be
 * forwarded somewhere else), at most a few KiB of the answer are read (so the connection can be
 * kept, without letting a receiver stream at us), and only http/https URLs without credentials
 * are used. A failure is described by a status or a short code, never the error's message, which
 * may quote the URL (its query may hold the partner's own key).
 */

/** What the per-partner log records of an attempt. */
export interface AttemptResult {
  ok: boolean
  status?: number
  /** `timeout`, `aborted`, or a system code such as `ECONNREFUSED`. */
  error?: string
  ms: number
}

const BODY_LIMIT = 4096

/** A notify URL the pusher will POST to, or why not. */
export function notifyTarget(notifyUrl: string): URL | {reason: string} {
  let url: URL
  try {
    url = new URL(notifyUrl)
  } catch {
    return {reason: 'notifyUrl is not a URL'}
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return {reason: 'notifyUrl is not http or https'}
  if (url.username !== '' || url.password !== '')
    return {reason: 'notifyUrl must not hold credentials'}
  return url
}

async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return
  const reader = body.getReader()
  try {
    for (let read = 0; read <= BODY_LIMIT;) {
      const chunk = await reader.read()
      if (chunk.done) return
      read += chunk.value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
}

function errorCode(e: unknown, closing: AbortSignal): string {
  if (closing.aborted) return 'aborted'
  if ((e as Error)?.name === 'TimeoutError') return 'timeout'
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 4; depth++) {
    const code = (cur as {code?: unknown}).code
    if (typeof code === 'string') return code
    cur = (cur as {cause?: unknown}).cause
  }
  return 'network error'
}

export async function post(
  fetchFn: typeof fetch,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  closing: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any([closing, AbortSignal.timeout(timeoutMs)]),
    })
    // The status is the answer; a body that stalls or breaks off does not change it.
    await discard(res.body).catch(() => {})
    return {ok: res.status >= 200 && res.status < 300, status: res.status, ms: ms()}
  } catch (e) {
    return {ok: false, error: errorCode(e, closing), ms: ms()}
  }
}
