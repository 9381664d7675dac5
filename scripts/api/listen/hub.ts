/**
 * Fan-out of committed transactions to open listen streams. The source of truth is the
 * dataset's transaction log, not this process: CLI scripts write the same SQLite file from
 * other processes, so the hub polls `transactionsSince(cursor)` and every write — the API's own
 * or anyone else's — reaches the Studio the same way. Writes made here call `notify()` so their
 * events go out at once instead of at the next tick.
 */
import type {Dataset} from '../../store/dataset.ts'
import type {LoggedTransaction} from '../../store/types.ts'
import type {ResolvedTransaction} from './events.ts'

export interface Subscriber {
  /** Only transactions after this log position reach the subscriber (where it connected). */
  fromSeq: number
  deliver(tx: ResolvedTransaction): void
}

export interface HubOptions {
  pollMs?: number
  /** Transactions read per poll; the rest follow on the next one. */
  batch?: number
  log?: (message: string) => void
}

export class ListenHub {
  private readonly ds: Dataset
  private readonly subscribers = new Set<Subscriber>()
  private readonly batch: number
  private readonly log: (message: string) => void
  private cursor: number
  private readonly timer: NodeJS.Timeout
  private pending: NodeJS.Immediate | undefined
  private closed = false

  constructor(ds: Dataset, opts: HubOptions = {}) {
    this.ds = ds
    this.batch = opts.batch ?? 200
    this.log = opts.log ?? (() => {})
    this.cursor = ds.lastSeq()
    this.timer = setInterval(() => this.poll(), opts.pollMs ?? 250)
    this.timer.unref()
  }

  /** The log position a new subscriber starts after. */
  position(): number {
    return this.ds.lastSeq()
  }

  subscribe(sub: Subscriber): () => void {
    this.subscribers.add(sub)
    return () => this.subscribers.delete(sub)
  }

  get size(): number {
    return this.subscribers.size
  }

  /** Poll soon (this process just committed). */
  notify(): void {
    if (this.closed || this.pending) return
    this.pending = setImmediate(() => {
      this.pending = undefined
      this.poll()
    })
  }

  poll(): void {
    if (this.closed) return
    try {
      if (this.subscribers.size === 0) {
        this.cursor = this.ds.lastSeq()
        return
      }
      for (;;) {
        const txs = this.ds.transactionsSince(this.cursor, this.batch)
        for (const tx of txs) {
          const resolved = this.resolve(tx)
          for (const sub of this.subscribers) if (tx.seq > sub.fromSeq) sub.deliver(resolved)
          this.cursor = tx.seq
        }
        if (txs.length < this.batch) break
      }
    } catch (e) {
      this.log(`listen: reading the transaction log failed: ${(e as Error).message}`)
    }
  }

  /** Both versions of every document the transaction changed, from the dataset's history. */
  private resolve(tx: LoggedTransaction): ResolvedTransaction {
    const changes = tx.effects.map((e) => {
      const before =
        e.previousRev === undefined ? undefined : this.ds.documentAtRevision(e.id, e.previousRev)
      const after =
        e.resultRev === undefined ? undefined : this.ds.documentAtRevision(e.id, e.resultRev)
      return {id: e.id, ...(before ? {before} : {}), ...(after ? {after} : {})}
    })
    const resolved: ResolvedTransaction = {
      transactionId: tx.transactionId,
      timestamp: tx.timestamp,
      seq: tx.seq,
      changes,
    }
    if (tx.author !== undefined) resolved.author = tx.author
    return resolved
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    if (this.pending) clearImmediate(this.pending)
    this.subscribers.clear()
  }
}
