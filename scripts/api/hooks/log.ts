/**
 * The delivery log behind `/hooks/projects/<p>/<id>/messages` and `/attempts`: the latest
 * messages of each hook and their attempts, kept in memory for the server's lifetime and bounded
 * per hook, like Sanity's log of recent deliveries. Entries are updated in place as attempts finish.
 */
import type {DeliveryAttempt, HookMessage} from './types.ts'

/** Messages kept per hook (their attempts with them); older ones are forgotten first. */
export const LOGGED_MESSAGES = 100
/** Payloads above this are logged as null (the delivery still sends them whole). */
export const LOGGED_PAYLOAD_BYTES = 16 * 1024

interface HookLog {
  messages: HookMessage[]
  attempts: DeliveryAttempt[]
}

export class DeliveryLog {
  private readonly hooks = new Map<string, HookLog>()

  addMessage(message: HookMessage): void {
    const log = this.of(message.hookId)
    log.messages.push(message)
    if (log.messages.length > LOGGED_MESSAGES) {
      const dropped = new Set(log.messages.splice(0, log.messages.length - LOGGED_MESSAGES))
      const ids = new Set([...dropped].map((m) => m.id))
      log.attempts = log.attempts.filter((a) => !ids.has(a.messageId))
    }
  }

  addAttempt(attempt: DeliveryAttempt): void {
    const log = this.hooks.get(attempt.hookId)
    // The message was forgotten meanwhile (a burst of newer ones): nothing to attach it to.
    if (log?.messages.some((m) => m.id === attempt.messageId)) log.attempts.push(attempt)
  }

  /** Newest first, as Sanity lists them. */
  messages(hookId: string): HookMessage[] {
    return [...(this.hooks.get(hookId)?.messages ?? [])].reverse()
  }

  attempts(hookId: string): DeliveryAttempt[] {
    return [...(this.hooks.get(hookId)?.attempts ?? [])].reverse()
  }

  forget(hookId: string): void {
    this.hooks.delete(hookId)
  }

  private of(hookId: string): HookLog {
    let log = this.hooks.get(hookId)
    if (!log) this.hooks.set(hookId, (log = {messages: [], attempts: []}))
    return log
  }
}
