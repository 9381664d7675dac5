import {describe, expect, it} from 'vitest'
import {FairQueue} from '../../scripts/api/queryScheduler.ts'

const limits = {workers: 2, perClient: 3, anonymous: 4, total: 6}

/** Take until nothing may run; returns the items taken. */
function takeAll(queue: FairQueue<string>): string[] {
  const taken: string[] = []
  for (let next = queue.take(); next; next = queue.take()) taken.push(next.item)
  return taken
}

describe('FairQueue', () => {
  it('serves the client served least recently first, not the first come', () => {
    const queue = new FairQueue<string>(limits)
    for (const item of ['a1', 'a2', 'a3']) queue.push('anon:a', item)
    expect(queue.take()).toEqual({client: 'anon:a', item: 'a1'})
    queue.push('anon:b', 'b1')
    // Anonymous clients hold their one worker of two; the token holder still gets the other.
    expect(queue.take()).toBeUndefined()
    queue.push('token', 't1')
    expect(queue.take()).toEqual({client: 'token', item: 't1'})
    queue.done('token')
    // a1 ends: anon:b has not had a turn yet, anon:a has.
    queue.done('anon:a')
    const order: string[] = []
    for (let next = queue.take(); next; next = queue.take()) {
      order.push(next.item)
      queue.done(next.client)
    }
    expect(order).toEqual(['b1', 'a2', 'a3'])
    expect(queue.size).toBe(0)
  })

  it('runs at most workers - 1 per client and for anonymous clients together', () => {
    const queue = new FairQueue<string>({...limits, workers: 3, total: 10})
    for (const item of ['a1', 'a2', 'a3']) queue.push('anon:a', item)
    queue.push('anon:b', 'b1')
    queue.push('token', 't1')
    queue.push('token', 't2')
    queue.push('token', 't3')
    // Anonymous: a1 and b1 (2 of 3 workers); the token: t1 and t2; not a2 (anonymous cap).
    expect(takeAll(queue)).toEqual(['a1', 'b1', 't1', 't2'])
    queue.done('anon:b')
    expect(takeAll(queue)).toEqual(['a2'])
  })

  it('refuses past the per-client (429), anonymous (429) and total (503) caps', () => {
    const queue = new FairQueue<string>(limits)
    for (const item of ['a1', 'a2', 'a3']) queue.push('anon:a', item)
    expect(() => queue.push('anon:a', 'a4')).toThrow(
      expect.objectContaining({statusCode: 429, type: 'queryQueueFull'}),
    )
    queue.push('anon:b', 'b1')
    expect(() => queue.push('anon:c', 'c1')).toThrow(
      expect.objectContaining({statusCode: 429, type: 'queryQueueFull'}),
    )
    // The token holder meets only the total: 4 anonymous + 2.
    queue.push('token', 't1')
    queue.push('token', 't2')
    expect(() => queue.push('token', 't3')).toThrow(
      expect.objectContaining({statusCode: 503, type: 'queryQueueFull'}),
    )
  })

  it('removes a waiting item, and drains all', () => {
    const queue = new FairQueue<string>(limits)
    queue.push('anon:a', 'a1')
    queue.push('anon:a', 'a2')
    expect(queue.remove('anon:a', 'a2')).toBe(true)
    expect(queue.remove('anon:a', 'a2')).toBe(false)
    expect(queue.size).toBe(1)
    queue.push('token', 't1')
    expect(queue.drain()).toEqual(['a1', 't1'])
    expect(queue.size).toBe(0)
    expect(queue.take()).toBeUndefined()
  })
})
