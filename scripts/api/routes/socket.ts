/**
 * `/socket/{ds}`: the Studio's presence channel (Sanity's "bifur" JSON-RPC over WebSocket).
 * One editor works locally, so there is nobody else's presence to relay: the socket answers
 * authorization and (un)subscribe calls and sends the heartbeat the client expects, which
 * keeps the Studio's connection indicator green.
 */
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'
import {randomBytes} from 'node:crypto'
import {WebSocketServer, type WebSocket} from 'ws'
import {tokenMatches} from '../auth.ts'
import {splitApiVersion} from '../http.ts'

const HEARTBEAT = '\u2665'
const HEARTBEAT_MS = 10_000
/** Presence calls are a few hundred bytes; ws would take 100 MiB by default. */
const MAX_MESSAGE_BYTES = 64 * 1024

interface RpcMessage {
  id?: unknown
  method?: unknown
  params?: {token?: unknown} & Record<string, unknown>
}

function answer(ws: WebSocket, token: string, raw: string): void {
  let msg: RpcMessage
  try {
    msg = JSON.parse(raw) as RpcMessage
  } catch {
    return
  }
  // Ids are numbers or strings; anything else (an array nested 100,000 deep) would throw in
  // JSON.stringify below, in an event listener: a crash of the whole server.
  if (typeof msg.method !== 'string' || (typeof msg.id !== 'number' && typeof msg.id !== 'string'))
    return
  const reply = (result: unknown) => ws.send(JSON.stringify({jsonrpc: '2.0', id: msg.id, result}))
  if (msg.method === 'authorization') {
    if (tokenMatches(typeof msg.params?.token === 'string' ? msg.params.token : undefined, token))
      return reply(true)
    return ws.send(
      JSON.stringify({jsonrpc: '2.0', id: msg.id, error: {code: 401, message: 'Invalid token'}}),
    )
  }
  if (msg.method.endsWith('_subscribe')) return reply(`sub-${randomBytes(4).toString('hex')}`)
  reply(true)
}

export interface PresenceSockets {
  /** Take over an HTTP upgrade if it is for the presence socket; false leaves it to the caller. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  close(): void
}

export function presenceSockets(opts: {datasetName: string; token: string}): PresenceSockets {
  const wss = new WebSocketServer({noServer: true, maxPayload: MAX_MESSAGE_BYTES})
  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const api = splitApiVersion(url.pathname)
      if (!api || api.path !== `/socket/${opts.datasetName}`) return false
      wss.handleUpgrade(req, socket, head, (ws) => {
        const beat = setInterval(() => ws.send(HEARTBEAT), HEARTBEAT_MS)
        ws.send(HEARTBEAT)
        ws.on('message', (data) => answer(ws, opts.token, String(data)))
        ws.on('close', () => clearInterval(beat))
        ws.on('error', () => clearInterval(beat))
      })
      return true
    },
    close() {
      for (const client of wss.clients) client.terminate()
      wss.close()
    },
  }
}
