/**
 * The receiving end of Sanity webhooks, for whatever this project runs that hooks drive (the
 * publisher's `--webhook-port`): a verifier for the `sanity-webhook-signature` header, and a
 * node:http handler that answers 401 to a request it cannot verify before anything acts on it.
 *
 * The signature covers the raw body, so the handler verifies the bytes as received, before any
 * parsing, with @sanity/webhook (the deliveries are signed with it too: hooks/delivery.ts).
 */
import type {IncomingHttpHeaders, IncomingMessage, ServerResponse} from 'node:http'
import {isValidSignature, SIGNATURE_HEADER_NAME} from '@sanity/webhook'
import {HttpError, parseJson, readBody, sendError, sendJson} from './http.ts'

/** Whether `signature` (the header's value) signs `rawBody` with `secret`. */
export async function isValidWebhookSignature(
  rawBody: string | Buffer,
  signature: string | string[] | undefined,
  secret: string,
): Promise<boolean> {
  // Two signature headers are a forgery or a proxy's mistake: neither is trusted.
  if (typeof signature !== 'string' || secret === '') return false
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')
  try {
    return await isValidSignature(body, signature, secret)
  } catch {
    // A malformed header (no t= or v1=) is not a valid signature.
    return false
  }
}

/** A verified delivery: the parsed body, the raw text it was verified on, and the headers. */
export interface VerifiedWebhook {
  body: unknown
  rawBody: string
  headers: IncomingHttpHeaders
}

export interface WebhookHandlerOptions {
  secret: string
  /**
   * Called once per verified request. What it returns (when not undefined) is the 200 answer's
   * JSON body; an HttpError it throws is answered as such (a 400 for a delivery it cannot use);
   * any other throw answers 500, so the sender retries.
   */
  onWebhook(delivery: VerifiedWebhook): unknown
  /** Largest body accepted (default 1 MiB, the delivery's own limit); larger is a 413. */
  maxBodyBytes?: number
}

/**
 * A request handler for node:http: 401 without a valid signature, 400 for a body that is not
 * JSON, 413 past `maxBodyBytes`, 200 `{ok: true}` (or what `onWebhook` returned) once
 * `onWebhook` has resolved.
 */
export function createWebhookHandler(
  opts: WebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  if (opts.secret === '') throw new Error('A webhook receiver needs a non-empty secret')
  return async (req, res) => {
    try {
      const rawBody = await readBody(req, opts.maxBodyBytes ?? 1024 * 1024)
      if (
        !(await isValidWebhookSignature(rawBody, req.headers[SIGNATURE_HEADER_NAME], opts.secret))
      )
        throw new HttpError(
          401,
          `Missing or invalid ${SIGNATURE_HEADER_NAME} header`,
          'invalidSignature',
        )
      const body = parseJson(rawBody)
      const answer: unknown = await opts.onWebhook({body, rawBody, headers: req.headers})
      sendJson(res, 200, answer ?? {ok: true})
    } catch (e) {
      const err = HttpError.is(e)
        ? e
        : new HttpError(500, `Webhook handler failed: ${(e as Error)?.message}`, 'internalError')
      if (!res.headersSent) sendError(res, err)
      else res.end()
      // An early answer: the rest of the body is not read, and the connection not reused.
      if (!req.complete) res.once('finish', () => req.socket.destroy())
    }
  }
}
