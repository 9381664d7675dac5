/**
 * After a publish: each partner that wants pushes has its files hashed and compared with what it
 * was last told (queue.ts enqueueChanges); a change is queued, unless it cannot be sent (no
 * signing secret, a notify URL that is not http/https), which an event reports; the partner is
 * then not told of that change later either (push announces changes while it is set up; the
 * files themselves can always be fetched). A partner that no longer wants pushes is forgotten, so
 * turning push on again starts from a fresh baseline.
 */
import {isSafePartnerName} from '../../feeds/partners.ts'
import {faultOf, QUEUE_DROPPED, wantsPush, type PushContext} from './context.ts'
import {webhookSecret} from './deliver.ts'
import {enqueueChanges} from './queue.ts'
import {partnerFiles} from './scan.ts'
import {notifyTarget} from './send.ts'

/** Why a partner's changes cannot be sent now, or '' (a credentials file unreadable for now is no reason). */
function blocked(ctx: PushContext, name: string, notifyUrl: string): string {
  const target = notifyTarget(notifyUrl)
  if ('reason' in target) return target.reason
  const secret = webhookSecret(ctx.credentialsPath, name)
  return 'reason' in secret && !secret.retry ? secret.reason : ''
}

/** Compare every partner's files and queue what changed; the caller saves and starts delivery. */
export async function comparePartners(ctx: PushContext): Promise<void> {
  const {state, emit} = ctx
  const wanted = (await ctx.partners()).filter(wantsPush)
  const names = new Set(wanted.map((p) => p.name))
  for (const name of Object.keys(state.partners)) {
    if (names.has(name)) continue
    if (state.partners[name]!.queue.length)
      emit({type: 'skipped', partner: name, reason: QUEUE_DROPPED})
    delete state.partners[name]
  }
  for (const p of wanted) {
    if (ctx.closing.aborted) return
    if (!isSafePartnerName(p.name)) {
      emit({type: 'skipped', partner: p.name, reason: 'not a safe partner name'})
      continue
    }
    const files = await partnerFiles(ctx.out, p.name).catch((e: unknown) => {
      emit({type: 'error', partner: p.name, message: `partner files unreadable (${faultOf(e)})`})
      return null
    })
    if (files === null) continue
    if (files === undefined) {
      emit({type: 'error', message: 'output folder missing: nothing compared this time'})
      return
    }
    const r = enqueueChanges(state.partners[p.name], p.name, files, ctx.now())
    state.partners[p.name] = r.entry
    if (r.kind === 'baseline')
      emit({type: 'baseline', partner: p.name, files: Object.keys(files).length})
    if (r.kind === 'withdrawn') emit({type: 'withdrawn', partner: p.name})
    if (r.kind !== 'queued') continue
    const reason = blocked(ctx, p.name, p.notifyUrl!)
    if (reason) {
      r.entry.queue = r.entry.queue.filter((d) => d.id !== r.delivery.id)
      emit({type: 'skipped', partner: p.name, reason})
      continue
    }
    const {id, changes} = r.delivery
    emit({type: 'queued', partner: p.name, id, files: changes.length, merged: r.merged})
  }
}
