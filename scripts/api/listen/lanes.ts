/**
 * Each client's listen-filter evaluations run one at a time, in the order asked; different
 * clients' run side by side. A change can make hundreds of distinct filters ask at once: queued
 * all together they would overflow the query pool's per-client queue (a 429 that would close
 * the streams) and put the Studio's filters behind every filter an anonymous caller opened,
 * each of which may run to the time limit. In lanes, an anonymous caller waits behind its own
 * filters, and the pool (queryScheduler.ts) keeps a worker free for the token holder.
 */
export class ClientLanes {
  /** The end of each client's lane; removed when it runs empty. */
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(client: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(client) ?? Promise.resolve()).then(task)
    const tail = result.then(
      () => {},
      () => {},
    )
    this.tails.set(client, tail)
    void tail.then(() => {
      if (this.tails.get(client) === tail) this.tails.delete(client)
    })
    return result
  }
}
