/**
 * One partner's deliveries, in order and one at a time: wait for the head's next attempt, look the
 * partner up again (disabled or its notify URL removed since: the queue is dropped; a URL that is
 * not http/https: the delivery is dead-lettered at once), attempt it, and record the outcome in the
 * state before moving on. The state is read afresh after every wait, since a publish may have
 * queued or merged deliveries behind the head meanwhile (queue.ts).
 */
import {QUEUE_DROPPED, wantsPush, type PushContext} from './context.ts'
import {attemptDelivery, giveUp} from './deliver.ts'
import type {Delivery, Step} from './queue.ts'
import {notifyTarget} from './send.ts'

/** Attempt the head `d` once; undefined when the partner no longer wants pushes. */
async function attemptHead(
  ctx: PushContext,
  partner: string,
  d: Delivery,
): Promise<Step | {kind: 'stopped'} | undefined> {
  const p = (await ctx.partners()).find((x) => x.name === partner && wantsPush(x))
  if (ctx.closing.aborted) return {kind: 'stopped'}
  if (!p) return undefined
  const target = notifyTarget(p.notifyUrl!)
  if ('reason' in target) return giveUp(ctx, partner, d, d.attempts, target.reason)
  return attemptDelivery(ctx, partner, target, d)
}

/** Deliver `partner`'s queue until it is empty or the pusher closes. */
export async function deliverQueue(ctx: PushContext, partner: string): Promise<void> {
  for (;;) {
    const d = ctx.state.partners[partner]?.queue[0]
    if (!d || ctx.closing.aborted) return
    const wait = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) - ctx.now().getTime() : 0
    if (wait > 0 && !(await ctx.sleep(wait))) return
    const step = await attemptHead(ctx, partner, d)
    const entry = ctx.state.partners[partner]
    if (step?.kind === 'stopped' || entry?.queue[0]?.id !== d.id) return
    if (!step) {
      delete ctx.state.partners[partner]
      ctx.emit({type: 'skipped', partner, reason: QUEUE_DROPPED})
    } else if (step.kind === 'retry') {
      const nextAttemptAt = new Date(ctx.now().getTime() + step.delayMs).toISOString()
      entry.queue[0] = {...d, attempts: d.attempts + 1, nextAttemptAt}
    } else entry.queue.shift()
    ctx.save()
  }
}
