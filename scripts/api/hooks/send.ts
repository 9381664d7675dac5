/**
 * One webhook request. node:http rather than fetch: Sanity sends the body with every method,
 * GET and DELETE included, and fetch refuses a body on GET. Redirects are not followed (a 3xx is
 * an answer, and a failure), and only the start of the response is kept, so a receiver cannot make
 * the server hold a large answer.
 */
import {request as httpRequest, type ClientRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import type {DeliveryAttempt} from './types.ts'

/** Response bytes kept for the attempts log; the rest is read and dropped. */
export const RESULT_BODY_BYTES = 8 * 1024

export interface SendResult {
  status: number | null
  body: string | null
  failureReason: DeliveryAttempt['failureReason']
}

export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  opts: {timeoutMs: number; signal: AbortSignal},
): Promise<SendResult> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest
    const payload = Buffer.from(body)
    let settled = false
    const finish = (result: SendResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    let req: ClientRequest
    try {
      req = request(new URL(url), {
        method,
        headers: {...headers, 'content-length': String(payload.length)},
        signal: opts.signal,
      })
    } catch {
      // Node refused the request before sending it (a header it will not write).
      return resolve({status: null, body: null, failureReason: 'other'})
    }
    const timer = setTimeout(() => {
      finish({status: null, body: null, failureReason: 'timeout'})
      req.destroy()
    }, opts.timeoutMs)
    req.on('response', (res) => {
      const status = res.statusCode ?? 0
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        if (size < RESULT_BODY_BYTES) chunks.push(chunk)
        size += chunk.length
      })
      res.on('end', () => {
        const text = Buffer.concat(chunks).subarray(0, RESULT_BODY_BYTES).toString('utf8')
        finish({
          status,
          body: text,
          failureReason: status >= 200 && status < 300 ? null : 'http',
        })
      })
      res.on('error', () => finish({status, body: null, failureReason: 'network'}))
    })
    req.on('error', () =>
      finish({status: null, body: null, failureReason: opts.signal.aborted ? 'other' : 'network'}),
    )
    req.end(payload)
  })
}
