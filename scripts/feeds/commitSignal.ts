/**
 * Tells readers of the output folder on other threads when a commit is moving files into it: a
 * counter in shared memory, odd while a commit runs (a seqlock). A reader opens a file between
 * two reads of the counter and keeps it only when both are the same even number, so it holds a
 * file of the tree as it was before a commit or after it, never one from the middle of a staged
 * rename commit. `npm run serve` shares one with its feed server thread.
 */
export class CommitSignal {
  readonly buffer: SharedArrayBuffer
  private readonly counter: Int32Array

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer
    this.counter = new Int32Array(buffer)
  }

  /** Around a commit's renames; the counter is even again when `commit` returns or throws. */
  around<T>(commit: () => T): T {
    this.begin()
    try {
      return commit()
    } finally {
      this.end()
    }
  }

  begin(): void {
    Atomics.add(this.counter, 0, 1)
  }

  end(): void {
    Atomics.add(this.counter, 0, 1)
  }

  /** The counter now: odd while a commit runs. */
  generation(): number {
    return Atomics.load(this.counter, 0)
  }
}
