/**
 * The feed server on its own thread, as `npm run serve` runs it, with the publisher's commit
 * signal: while a commit is open (counter odd) no file is opened, so a request waits and then
 * gets the committed file, never one from the middle of the commit.
 */
import {mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CommitSignal} from '../../scripts/feeds/commitSignal.ts'
import {startFeedServerThread} from '../../scripts/serve/thread.ts'
import type {FeedServer} from '../../scripts/serve/server.ts'
import {request} from './http.ts'
import {writeOutput} from './outputFixture.ts'

const dir = mkdtempSync(join(tmpdir(), 'feed-thread-'))
const out = join(dir, 'dist')
const signal = new CommitSignal()
const logged: string[] = []
let server: FeedServer

beforeAll(async () => {
  writeOutput(out, 'a')
  server = await startFeedServerThread({
    out,
    credentialsPath: join(dir, 'credentials.json'),
    commits: signal.buffer,
    logRequest: (line) => logged.push(line),
  })
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('feed server thread', () => {
  it('serves from its thread; its request log reaches the main thread', async () => {
    const res = await request(server.url, '/feeds/rss.xml')
    expect(res.status).toBe(200)
    await expect.poll(() => logged.some((l) => l.startsWith('GET /feeds/rss.xml 200'))).toBe(true)
  })

  it('opens no file while a commit is open; a waiting request gets the committed file', async () => {
    const target = join(out, 'web', 'concerns', 'acne.json')
    signal.begin()
    // The commit's first rename is in place, the rest are not yet.
    writeFileSync(`${target}.next`, JSON.stringify({version: 'b', title: 'Acne'}))
    renameSync(`${target}.next`, target)
    let answered = false
    const pending = request(server.url, '/web/concerns/acne.json').then((r) => {
      answered = true
      return r
    })
    await new Promise((r) => setTimeout(r, 150))
    expect(answered).toBe(false)
    signal.end()
    const res = await pending
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString()).version).toBe('b')
  })

  it('close() stops the thread; the port no longer answers', async () => {
    const {url} = server
    await server.close()
    await expect(request(url, '/feeds/rss.xml')).rejects.toThrow()
    server = undefined as unknown as FeedServer
  })
})
