/** A real notify receiver for the push tests: node:http, every request recorded, answers scripted. */
import {createServer, type IncomingHttpHeaders} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** performance.now() when the body had arrived. */
  at: number
}

/** What the receiver does with request n (1-based): answer with a status (and headers), or hang. */
export type Answer = {status: number; headers?: Record<string, string>} | 'hang'

export interface Receiver {
  url: string
  requests: Received[]
  /** Resolves once `n` requests have arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<void>
  close(): Promise<void>
}

export async function startReceiver(
  answer: (n: number) => Answer = () => ({status: 200}),
): Promise<Receiver> {
  const requests: Received[] = []
  const waiters: Array<() => void> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      })
      waiters.splice(0).forEach((w) => w())
      const a = answer(requests.length)
      if (a === 'hang') return
      res.writeHead(a.status, a.headers).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/feeds`,
    requests,
    async waitFor(n, ms = 5_000) {
      const deadline = Date.now() + ms
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`${requests.length} of ${n} requests arrived`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50)
        })
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
