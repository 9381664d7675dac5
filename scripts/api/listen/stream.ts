/** One `/data/listen` response as the hub writes to it. */
import type {ServerResponse} from 'node:http'
import type {Res} from '../http.ts'
import type {EventFormat, Pieces} from './events.ts'
import type {ListenStream} from './events.ts'

/**
 * How long a closed stream's last bytes may wait for its client before the connection is cut:
 * a client that reads gets them and the last event; one that never reads would otherwise keep
 * the socket, and every byte queued on it, for as long as it likes.
 */
const CLOSE_GRACE_MS = 2000

export class SseStream implements ListenStream {
  readonly fromSeq: number
  readonly format: EventFormat
  private readonly res: Res
  private written = 0

  constructor(res: Res, fromSeq: number, format: EventFormat) {
    this.res = res
    this.fromSeq = fromSeq
    this.format = format
  }

  private get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed
  }

  write(pieces: Pieces): void {
    if (!this.open) return
    for (const piece of pieces) this.written += Buffer.byteLength(piece)
    const res = this.res as ServerResponse
    // One write to the socket for all of them (documents are separate, shared buffers).
    res.cork()
    for (const piece of pieces) res.write(piece)
    res.uncork()
  }

  pendingBytes(): number {
    return this.res.writableLength
  }

  /** Approximate: HTTP/1.1 chunk headers count as pending but not as written, never as taken. */
  takenBytes(): number {
    return Math.max(0, this.written - this.res.writableLength)
  }

  /** The last event, then the connection (over HTTP/2: the stream), once it is sent or the grace is up. */
  close(lastEvent: string): void {
    if (!this.open) return
    this.res.end(lastEvent, () => this.res.destroy())
    const cut = setTimeout(() => this.res.destroy(), CLOSE_GRACE_MS)
    cut.unref()
    this.res.once('close', () => clearTimeout(cut))
  }
}
