/**
 * An upload client as curl and most upload code behave: it writes the whole request body before
 * it reads a byte of the answer. Against a server that answers early (a 413) and stops reading,
 * such a client blocks on a full socket and never sees the answer.
 */
import {connect} from 'node:net'

export interface EarlyAnswer {
  status: number
  /** From the first byte sent to the answer's status line and headers. */
  ms: number
}

/**
 * POST `bytes` of spaces to `path` (API version prefix included) on the plain-HTTP base
 * `httpUrl`; resolves with the answer's status once the body is written and the head arrived,
 * rejects when the connection is reset first. `chunked` sends no Content-Length.
 */
export function postWholeBody(
  httpUrl: string,
  path: string,
  bytes: number,
  opts: {token?: string; chunked?: boolean} = {},
): Promise<EarlyAnswer> {
  const socket = connect(Number(new URL(httpUrl).port), '127.0.0.1')
  const started = performance.now()
  const chunk = Buffer.alloc(1024 * 1024, 0x20)
  return new Promise((resolve, reject) => {
    let received = ''
    // Not a byte is read until the body is written.
    socket.pause()
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)
      if (status && received.includes('\r\n\r\n')) {
        resolve({status: Number(status[1]), ms: performance.now() - started})
        socket.destroy()
      }
    })
    socket.on('error', (e) => reject(new Error(`${e.message} after ${received.length} bytes`)))
    socket.write(
      [
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        ...(opts.token ? [`Authorization: Bearer ${opts.token}`] : []),
        opts.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${bytes}`,
        '',
        '',
      ].join('\r\n'),
    )
    let written = 0
    const pump = () => {
      while (written < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - written))
        written += piece.length
        let more: boolean
        if (!opts.chunked) more = socket.write(piece)
        else {
          socket.write(`${piece.length.toString(16)}\r\n`)
          socket.write(piece)
          more = socket.write('\r\n')
        }
        if (!more) return void socket.once('drain', pump)
      }
      if (opts.chunked) socket.write('0\r\n\r\n')
      socket.resume()
    }
    pump()
  })
}
