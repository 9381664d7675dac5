/**
 * The feed server while a publish swaps the output folder by renames, as write.ts swapIn does
 * (out → old, tmp → out): another thread swaps two trees hundreds of times while clients request
 * every file. No request may see a 404 or 500, and every body must match its ETag. A download
 * started before a swap completes with the old bytes after the old tree was deleted.
 */
import {renameSync, rmSync, writeFileSync, mkdtempSync, mkdirSync} from 'node:fs'
import {Agent, get as httpGet} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {Worker} from 'node:worker_threads'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {hashToken, newToken, saveCredentials} from '../../scripts/serve/credentials.ts'
import {SWAP_WAIT_MS} from '../../scripts/serve/files.ts'
import {strongEtag} from '../../scripts/serve/rules.ts'
import {startFeedServer, type FeedServer} from '../../scripts/serve/server.ts'
import {decoded, request} from './http.ts'
import {outputFiles, sha256, writeOutput} from './outputFixture.ts'

const dir = mkdtempSync(join(tmpdir(), 'feed-swap-'))
const out = join(dir, 'dist')
const credentials = join(dir, 'credentials.json')
const tokens: Record<string, string> = {'clinic-network': newToken(), 'wellness-app': newToken()}
const versions = [writeOutput(out, 'a'), writeOutput(join(dir, 'next'), 'b')]
let server: FeedServer

/** Every tag a response for `path` may carry: either version, any coding. */
function tagsOf(path: string): Set<string> {
  const tags = new Set<string>()
  for (const v of versions) {
    const tag = strongEtag(sha256(v.get(path)!))
    tags.add(tag)
    for (const coding of ['gzip', 'br']) tags.add(`${tag.slice(0, -1)}-${coding}"`)
  }
  return tags
}

/** A thread that swaps `out` with `next` by renames, with a gap between the two renames on every other swap. */
const SWAPPER = `
const {parentPort, workerData} = require('node:worker_threads')
const {renameSync} = require('node:fs')
const {out, next, old, swaps} = workerData
const pause = new Int32Array(new SharedArrayBuffer(4))
for (let i = 0; i < swaps; i++) {
  renameSync(out, old)
  if (i % 2) Atomics.wait(pause, 0, 0, 1)
  renameSync(next, out)
  renameSync(old, next)
  Atomics.wait(pause, 0, 0, i % 3)
}
parentPort.postMessage('done')
`

beforeAll(async () => {
  saveCredentials(credentials, {
    version: 1,
    partners: Object.fromEntries(
      Object.entries(tokens).map(([name, token]) => [name, {tokenSha256: hashToken(token)}]),
    ),
  })
  server = await startFeedServer({out, credentialsPath: credentials})
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('a tree swapped by renames during requests', () => {
  it('never a 404 or 500, and every ETag matches its body', async () => {
    const paths = [...outputFiles('a').keys()]
    const tags = new Map(paths.map((p) => [p, tagsOf(p)]))
    const swapper = new Worker(SWAPPER, {
      eval: true,
      workerData: {out, next: join(dir, 'next'), old: join(dir, 'old'), swaps: 400},
    })
    let swapping = true
    const finished = new Promise<void>((resolve, reject) => {
      swapper.once('message', () => resolve())
      swapper.once('error', reject)
    }).finally(() => (swapping = false))

    const agent = new Agent({keepAlive: true, maxSockets: 8})
    const problems: string[] = []
    const statuses = new Map<number, number>()
    const client = async (n: number) => {
      for (let i = n; swapping; i++) {
        const path = paths[i % paths.length]!
        if (path === 'app/bundle.json' && i % 5) continue
        const versionTags = [...tags.get(path)!]
        const headers: Record<string, string> = {
          'accept-encoding': ['identity', 'gzip', 'br'][i % 3]!,
          ...(path.startsWith('partners/')
            ? {authorization: `Bearer ${tokens[path.split('/')[1]!]}`}
            : {}),
          ...(i % 4 === 0 ? {'if-none-match': versionTags[i % versionTags.length]!} : {}),
        }
        const res = await request(server.url, `/${path}`, {agent, headers})
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        const etag = res.headers.etag ?? ''
        if (res.status === 304) {
          if (!tags.get(path)!.has(etag)) problems.push(`${path}: 304 with unknown tag ${etag}`)
          continue
        }
        if (res.status !== 200) {
          problems.push(`${path}: ${res.status}`)
          continue
        }
        const body = decoded(res)
        const coding = res.headers['content-encoding']
        const tag = strongEtag(sha256(body))
        const expected = coding ? `${tag.slice(0, -1)}-${coding}"` : tag
        if (etag !== expected) problems.push(`${path}: ETag ${etag} for a body tagged ${expected}`)
        if (!versions.some((v) => v.get(path)!.equals(body)))
          problems.push(`${path}: a body of neither version`)
      }
    }
    await Promise.all([...Array.from({length: 8}, (_, n) => client(n)), finished])
    agent.destroy()
    expect(problems).toEqual([])
    expect(statuses.get(200)).toBeGreaterThan(100)
    expect(statuses.get(304)).toBeGreaterThan(10)
  })

  it('a request that arrives while the folder is missing waits for the new tree', async () => {
    const old = join(dir, 'old')
    renameSync(out, old)
    const pending = request(server.url, '/feeds/rss.xml')
    await sleep(20)
    renameSync(join(dir, 'next'), out)
    const res = await pending
    expect(res.status).toBe(200)
    expect(res.headers.etag).toBe(strongEtag(sha256(res.body)))
    renameSync(old, join(dir, 'next'))
  })

  it('…but not for ever: with no folder at all, a 404 after SWAP_WAIT_MS', async () => {
    renameSync(out, join(dir, 'away'))
    const started = performance.now()
    const res = await request(server.url, '/feeds/rss.xml')
    const ms = performance.now() - started
    renameSync(join(dir, 'away'), out)
    expect(res.status).toBe(404)
    expect(ms).toBeGreaterThanOrEqual(SWAP_WAIT_MS - 5)
    expect(ms).toBeLessThan(SWAP_WAIT_MS + 1000)
  })

  it('a download in progress completes with the old bytes after the old tree is deleted', async () => {
    const tree = (version: string) => {
      const root = join(dir, `big-${version}`)
      mkdirSync(root)
      writeFileSync(join(root, 'big.json'), JSON.stringify({version, x: 'y'.repeat(32 << 20)}))
      return root
    }
    const bigOut = tree('a')
    const bigNext = tree('b')
    const big = await startFeedServer({out: bigOut, credentialsPath: credentials})
    try {
      const body = await new Promise<{etag: string; bytes: Buffer}>((resolve, reject) => {
        httpGet(`${big.url}/big.json`, (res) => {
          const chunks: Buffer[] = []
          let swapped = false
          res.on('data', (c: Buffer) => {
            chunks.push(c)
            if (swapped) return
            swapped = true
            // The first bytes are here: publish the next tree and delete this one.
            res.pause()
            renameSync(bigOut, `${bigOut}.old`)
            renameSync(bigNext, bigOut)
            rmSync(`${bigOut}.old`, {recursive: true, force: true})
            setTimeout(() => res.resume(), 50)
          })
          res.on('end', () => resolve({etag: res.headers.etag!, bytes: Buffer.concat(chunks)}))
          res.on('error', reject)
        }).on('error', reject)
      })
      expect(JSON.parse(body.bytes.toString()).version).toBe('a')
      expect(body.etag).toBe(strongEtag(sha256(body.bytes)))
      const after = await request(big.url, '/big.json', {headers: {'accept-encoding': 'identity'}})
      expect(JSON.parse(after.body.toString()).version).toBe('b')
    } finally {
      await big.close()
    }
  })
})
