/**
 * `npm run api` and `npm run studio` stop on SIGTERM/SIGINT sent to npm, as a supervisor or a
 * test harness sends them, and free their ports. npm passes the signal on to its child only: the
 * `sh -c` running the script, which does not pass it on. The scripts `exec` node, so the server is
 * that child. Started through npm, as users start them.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createConnection, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {testEnv} from '../helpers/run.ts'

const dir = mkdtempSync(join(tmpdir(), 'api-signals-'))
const running: ChildProcessWithoutNullStreams[] = []

afterAll(() => {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  rmSync(dir, {recursive: true, force: true})
})

interface Ready {
  url: string
  httpUrl: string
}

/** `npm run <script> -- <args>`; resolves with the `--json` line once the server is ready. */
function npmRun(
  script: string,
  args: string[],
): Promise<{proc: ChildProcessWithoutNullStreams; ready: Ready}> {
  const proc = spawn('npm', ['run', script, '--', ...args], {
    cwd: ROOT,
    env: testEnv({HOME: join(dir, 'home')}),
  })
  running.push(proc)
  let stderr = ''
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    let out = ''
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      // npm prints its own banner first; the server's line is the JSON one.
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line && out.includes(`${line}\n`)) resolve({proc, ready: JSON.parse(line) as Ready})
    })
    proc.on('close', (code) => reject(new Error(`npm run ${script} exited ${code}:\n${stderr}`)))
  })
}

const portOf = (url: string) => Number(new URL(url).port)

/** Whether something accepts connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({host: '127.0.0.1', port})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Whether this process can listen on 127.0.0.1:port (then closes it again). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function stopsAndFreesPorts(
  script: string,
  args: string[],
  signal: NodeJS.Signals,
): Promise<void> {
  const {proc, ready} = await npmRun(script, args)
  const ports = [portOf(ready.url), portOf(ready.httpUrl)]
  for (const port of ports) expect(await accepts(port)).toBe(true)
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()))
  proc.kill(signal)
  await exited
  for (const port of ports) {
    expect(await accepts(port), `port ${port} still answers`).toBe(false)
    expect(await canListen(port), `port ${port} still bound`).toBe(true)
  }
}

describe('stopping the servers through npm', () => {
  it('SIGTERM to `npm run api` stops the server and frees both ports', async () => {
    await stopsAndFreesPorts(
      'api',
      [
        '--port',
        '0',
        '--json',
        '--dataset',
        join(dir, 'api.sqlite'),
        '--tls-dir',
        join(dir, 'tls'),
        '--quiet',
      ],
      'SIGTERM',
    )
  }, 60_000)

  it('SIGINT to `npm run studio` stops the server and frees both ports', async () => {
    await stopsAndFreesPorts(
      'studio',
      [
        '--port',
        '0',
        '--json',
        '--dataset',
        join(dir, 'studio.sqlite'),
        '--tls-dir',
        join(dir, 'tls'),
        '--skip-trust',
        '--quiet',
      ],
      'SIGINT',
    )
  }, 300_000)
})
