/**
 * HTTP clients for the feed server tests that change nothing on the way: `request` sends its
 * target as given (no URL normalization, no automatic decompression), `rawExchange` writes the
 * request bytes on a socket itself, for targets even node:http would not send.
 */
import {request as httpRequest, type Agent, type IncomingHttpHeaders} from 'node:http'
import {connect} from 'node:net'
import {brotliDecompressSync, gunzipSync} from 'node:zlib'

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  /** As sent: still compressed when Content-Encoding says so. */
  body: Buffer
}

/** One request with `target` sent verbatim; resolves once the whole body arrived. */
export function request(
  base: string,
  target: string,
  opts: {method?: string; headers?: Record<string, string>; agent?: Agent} = {},
): Promise<RawResponse> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: target,
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
        ...(opts.agent ? {agent: opts.agent} : {}),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks)}),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** The body as the file's bytes, undoing gzip or br. */
export function decoded(res: RawResponse): Buffer {
  const coding = res.headers['content-encoding']
  if (coding === 'gzip') return gunzipSync(res.body)
  if (coding === 'br') return brotliDecompressSync(res.body)
  if (coding !== undefined) throw new Error(`unexpected content-encoding ${coding}`)
  return res.body
}

/** Write `head` (request line and headers, CRLF-joined by the caller) and read the whole answer. */
export function rawExchange(base: string, head: string): Promise<{status: number; text: string}> {
  const socket = connect(Number(new URL(base).port), new URL(base).hostname)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (status) resolve({status: Number(status[1]), text})
      else reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`))
    })
    socket.write(head)
  })
}

/** A GET of `target` as raw bytes, connection closed after the answer. */
export const rawGet = (base: string, target: string, headers: string[] = []) =>
  rawExchange(
    base,
    [`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers, '', ''].join(
      '\r\n',
    ),
  )
