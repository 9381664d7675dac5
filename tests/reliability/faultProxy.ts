/**
 * A fault-injecting HTTP proxy on loopback, in front of the local API: what a hosted Content Lake
 * does on a bad day. Per request, `plan` picks a fault:
 * - `{status}`: answer 429/5xx itself (with Retry-After when given), never reaching the API;
 * - `drop-before`: cut the connection before forwarding (the API never sees the request);
 * - `drop-after`: forward, let the API apply it, then cut the connection instead of answering —
 *   the ambiguous failure that makes naive retries write twice;
 * - `{delayMs}`: forward, and answer only after a delay (a slow response);
 * - `pass`.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http'
import type {AddressInfo} from 'node:net'

export type Fault =
  'pass' | 'drop-before' | 'drop-after' | {status: number; retryAfter?: string} | {delayMs: number}

export interface ProxiedRequest {
  method: string
  path: string
  fault: string
  /** The API's status, when the request reached it. */
  upstreamStatus?: number
}

export interface FaultProxy {
  url: string
  log: ProxiedRequest[]
  setPlan(plan: (req: {method: string; path: string; index: number}) => Fault): void
  close(): Promise<void>
}

const faultName = (f: Fault): string =>
  typeof f === 'string' ? f : 'status' in f ? `status ${f.status}` : `delay ${f.delayMs}`

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream)
  let plan: (req: {method: string; path: string; index: number}) => Fault = () => 'pass'
  const log: ProxiedRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const method = req.method ?? 'GET'
      const path = req.url ?? '/'
      const fault = plan({method, path, index: log.length})
      const entry: ProxiedRequest = {method, path, fault: faultName(fault)}
      log.push(entry)
      if (fault === 'drop-before') return req.socket.destroy()
      if (typeof fault === 'object' && 'status' in fault) {
        const headers: Record<string, string> = {'content-type': 'application/json'}
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter
        res.writeHead(fault.status, headers)
        res.end(
          JSON.stringify({
            statusCode: fault.status,
            error: {description: `injected ${fault.status}`, type: 'injectedFault'},
            message: `injected ${fault.status}`,
          }),
        )
        return
      }
      const headers: IncomingHttpHeaders = {...req.headers, host: target.host}
      const up = httpRequest(
        {host: target.hostname, port: target.port, method, path, headers},
        (upRes) => {
          const body: Buffer[] = []
          upRes.on('data', (c: Buffer) => body.push(c))
          upRes.on('end', () => {
            entry.upstreamStatus = upRes.statusCode
            if (fault === 'drop-after') return req.socket.destroy()
            const answer = () => {
              const h = {...upRes.headers}
              delete h['transfer-encoding']
              delete h.connection
              res.writeHead(upRes.statusCode ?? 502, h).end(Buffer.concat(body))
            }
            if (typeof fault === 'object' && 'delayMs' in fault) setTimeout(answer, fault.delayMs)
            else answer()
          })
        },
      )
      up.on('error', () => req.socket.destroy())
      up.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setPlan(p) {
      plan = p
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
