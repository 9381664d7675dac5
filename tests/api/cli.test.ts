/**
 * `npm run api` from the outside: start it, read its JSON line, drive it with a plain
 * @sanity/client script that is not the project's code, stop it with SIGTERM.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {firstLine} from '../helpers/firstLine.ts'
import {NODE, runScript, testEnv} from '../helpers/run.ts'
import {FIXTURE} from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'api-cli-'))
const datasetPath = join(dir, 'dataset.sqlite')
let child: ChildProcessWithoutNullStreams
let stderr = ''
let info: Record<string, string>

function runPlainClient(line: string, scheme: 'https' | 'http') {
  const env = testEnv(scheme === 'https' ? {NODE_EXTRA_CA_CERTS: info.caCert!} : {})
  const r = runScript('tests/fixtures/api/plain-client.mjs', [line, scheme], {env})
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout) as Record<string, any>
}

let line: string
beforeAll(async () => {
  const ds = Dataset.open(datasetPath)
  importNdjson(ds, readFileSync(FIXTURE, 'utf8'), {file: FIXTURE})
  ds.close()
  child = spawn(
    NODE,
    [
      join(ROOT, 'scripts/api/cli.ts'),
      '--dataset',
      datasetPath,
      '--port',
      '0',
      '--tls-dir',
      join(dir, 'tls'),
      '--json',
    ],
    {cwd: ROOT, env: testEnv()},
  )
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  line = await firstLine(
    child,
    (code) => `exited ${code} before printing a line; stderr:\n${stderr}`,
  )
  info = JSON.parse(line) as Record<string, string>
})
afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, {recursive: true, force: true})
})

describe('npm run api', () => {
  it('prints one JSON line with the API bases, project, dataset and write token', () => {
    expect(info).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      httpUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      projectId: 'local',
      dataset: 'production',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      caCert: join(dir, 'tls', 'ca.crt'),
    })
    // The token lives beside the dataset, readable by the owner only, and is never logged.
    expect(readFileSync(`${datasetPath}.token`, 'utf8').trim()).toBe(info.token)
    expect(statSync(`${datasetPath}.token`).mode & 0o777).toBe(0o600)
    expect(stderr).not.toContain(info.token)
  })

  it('a plain @sanity/client script (over HTTPS) can query, create, patch, commit, listen; stale revisions get 409; anonymous writes are refused', () => {
    const out = runPlainClient(line, 'https')
    expect(out.count).toBe(2)
    expect(out.created).toMatchObject({title: 'Redness', id: expect.any(String)})
    expect(out.patched).toEqual({
      rev: expect.any(String),
      title: 'Redness and flushing',
      synonyms: ['rosacea'],
    })
    expect(out.transaction.documentIds).toEqual(['concern-plain-script', out.created.id])
    expect(out.conflict).toEqual({status: 409})
    expect(out.anonymousWrite).toEqual({status: 401})
    expect(out.anonymousDrafts).toBe(0)
    expect(out.final).toMatchObject({title: 'Redness and flushing', mentions: 1})
    const mutations = (
      out.events as Array<{type: string; documentId: string; transition: string; title: string}>
    ).filter((e) => e.type === 'mutation')
    expect(mutations.map((e) => [e.documentId, e.transition, e.title])).toEqual([
      [out.created.id, 'appear', 'Redness'],
      [out.created.id, 'update', 'Redness and flushing'],
      ['concern-plain-script', 'appear', 'From a plain script (https)'],
      [out.created.id, 'update', 'Redness and flushing'],
    ])
  })

  it('the same script works over the plain-HTTP port', () => {
    const out = runPlainClient(line, 'http')
    expect(out.count).toBe(2)
    expect(out.conflict).toEqual({status: 409})
    expect(out.anonymousWrite).toEqual({status: 401})
  })

  it('stops cleanly on SIGTERM', async () => {
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', (c) => resolve(c))
      child.kill('SIGTERM')
    })
    expect(code).toBe(0)
    expect(stderr).toMatch(/api: stopped/)
  })

  it('refuses a bad port with a usage error (exit 2)', () => {
    const r = runScript('scripts/api/cli.ts', ['--port', 'abc', '--dataset', datasetPath])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--port: expected a port number/)
  })
})
