/**
 * One attempt at a queued delivery: read the partner's signing secret (at send time, so a rotated
 * secret takes effect at once), build and sign the payload, POST it, log the attempt, and say
 * what comes next (queue.ts nextStep). A delivery given up on goes to the dead letters whole. The
 * secret is only ever handed to the signer: no event, log line or dead letter carries it, nor the
 * signature, nor a credentials file's text (a JSON parse error can quote it).
 */
import {loadCredentials} from '../credentials.ts'
import type {PushContext} from './context.ts'
import {deadLetter, logAttempt} from './journal.ts'
import {buildPayload, signedHeaders} from './payload.ts'
import {nextStep, type Delivery, type Step} from './queue.ts'
import {post, type AttemptResult} from './send.ts'

type DeliverContext = Pick<
  PushContext,
  | 'stateDir'
  | 'credentialsPath'
  | 'feedsUrl'
  | 'maxAttempts'
  | 'backoff'
  | 'timeoutMs'
  | 'now'
  | 'fetch'
  | 'closing'
  | 'emit'
>

export const NO_SECRET = 'no webhook secret (npm run partner -- webhook-secret <name>)'

/** The partner's secret, or why there is none (`retry`: a local fault that may pass). */
export function webhookSecret(
  credentialsPath: string,
  partner: string,
): {secret: string} | {reason: string; retry: boolean} {
  try {
    const {partners} = loadCredentials(credentialsPath)
    const secret = Object.hasOwn(partners, partner) ? partners[partner]!.webhookSecret : undefined
    return secret ? {secret} : {reason: NO_SECRET, retry: false}
  } catch {
    return {reason: 'credentials file unreadable', retry: true}
  }
}

/** Sign and send, or why not: a missing or malformed secret can never be sent with. */
async function send(
  ctx: DeliverContext,
  partner: string,
  url: URL,
  d: Delivery,
  body: string,
  at: Date,
): Promise<{result: AttemptResult; headers: Record<string, string>} | {fatal: string}> {
  const found = webhookSecret(ctx.credentialsPath, partner)
  if ('reason' in found)
    return found.retry
      ? {result: {ok: false, error: found.reason, ms: 0}, headers: {}}
      : {fatal: found.reason}
  let headers: Record<string, string>
  try {
    headers = signedHeaders(found.secret, d.id, at, body)
  } catch {
    return {fatal: 'webhook secret is not a whsec_ base64 key'}
  }
  return {result: await post(ctx.fetch, url, headers, body, ctx.timeoutMs, ctx.closing), headers}
}

export async function attemptDelivery(
  ctx: DeliverContext,
  partner: string,
  url: URL,
  d: Delivery,
): Promise<Step | {kind: 'stopped'}> {
  const attempt = d.attempts + 1
  const at = ctx.now()
  const body = JSON.stringify(buildPayload(partner, d.changes, d.createdAt, ctx.feedsUrl))
  const sent = await send(ctx, partner, url, d, body, at)
  if ('fatal' in sent) return giveUp(ctx, partner, d, d.attempts, sent.fatal)

  const {result} = sent
  const {'webhook-signature': _signature, ...headers} = sent.headers
  const outcome = result.status === undefined ? {error: result.error} : {status: result.status}
  const line = {time: at.toISOString(), id: d.id, attempt, ...outcome, ms: result.ms}
  if (ctx.closing.aborted && !result.ok) {
    logAttempt(ctx.stateDir, partner, {...line, result: 'stopped'})
    return {kind: 'stopped'}
  }
  const step = nextStep(attempt, result.ok, ctx.maxAttempts, ctx.backoff)
  if (step.kind === 'delivered') {
    logAttempt(ctx.stateDir, partner, {...line, result: 'delivered'})
    ctx.emit({type: 'delivered', partner, id: d.id, attempt, status: result.status!, ms: result.ms})
    return step
  }
  if (step.kind === 'retry') {
    logAttempt(ctx.stateDir, partner, {...line, result: 'retrying'})
    ctx.emit({type: 'retrying', partner, id: d.id, attempt, ...outcome, delayMs: step.delayMs})
    return step
  }
  logAttempt(ctx.stateDir, partner, {...line, result: 'dead-lettered'})
  const reason = String(result.status ?? result.error)
  return giveUp(ctx, partner, d, attempt, reason, headers)
}

/**
 * Dead-letter `d`: the delivery whole (its payload, and the headers of its last attempt without the
 * signature; just its id when none could be signed), so it can be inspected or resent.
 */
export function giveUp(
  ctx: DeliverContext,
  partner: string,
  d: Delivery,
  attempts: number,
  reason: string,
  signed: Record<string, string> = {},
): Step {
  const time = ctx.now().toISOString()
  const payload = buildPayload(partner, d.changes, d.createdAt, ctx.feedsUrl)
  const headers = {'content-type': 'application/json', 'webhook-id': d.id, ...signed}
  deadLetter(ctx.stateDir, {time, partner, id: d.id, attempts, reason, headers, payload})
  ctx.emit({type: 'dead-lettered', partner, id: d.id, attempts, reason})
  return {kind: 'dead'}
}
