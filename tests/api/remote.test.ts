/**
 * Same client code, two targets: the pipeline's remote query path (scripts/query/remote.ts,
 * @sanity/client) against the local API must answer exactly like the local runner, and the
 * client it builds can write, patch, lose an ifRevisionID race and listen.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {remoteTargetFromEnv} from '../../scripts/lib/env.ts'
import {createLocalSource, runQuery as runLocal} from '../../scripts/query/local.ts'
import * as queries from '../../scripts/query/queries.ts'
import {
  createRemoteSource,
  runQuery as runRemote,
  type RemoteSource,
} from '../../scripts/query/remote.ts'
import {startTestApi, type TestApi} from './helpers.ts'

let t: TestApi
let remote: RemoteSource
beforeAll(async () => {
  t = await startTestApi()
  const target = remoteTargetFromEnv({
    SANITY_PROJECT_ID: t.api.projectId,
    SANITY_DATASET: t.api.datasetName,
    SANITY_API_HOST: t.api.httpUrl!,
    SANITY_TOKEN: t.token,
  })!
  remote = createRemoteSource(target)
})
afterAll(() => t.close())

const pipelineQueries = Object.entries(queries as Record<string, unknown>).filter(
  (e): e is [string, string] => typeof e[1] === 'string' && e[0].endsWith('_QUERY'),
)

describe('remote query path against the local API', () => {
  it('has the pipeline queries to compare', () => {
    expect(pipelineQueries.length).toBeGreaterThan(3)
  })

  it.each(pipelineQueries)(
    '%s returns the same over the API as locally (published and drafts)',
    async (_name, query) => {
      for (const perspective of ['published', 'drafts'] as const) {
        const local = await runLocal(createLocalSource(t.ds), query, {}, {perspective})
        const viaApi = await runRemote(remote, query, {}, {perspective})
        // Content Lake marks every document of the drafts perspective with _originalId; compare content.
        expect(
          JSON.parse(
            JSON.stringify(viaApi, (k, v: unknown) => (k === '_originalId' ? undefined : v)),
          ),
        ).toEqual(
          JSON.parse(
            JSON.stringify(local, (k, v: unknown) => (k === '_originalId' ? undefined : v)),
          ),
        )
      }
    },
  )

  it('a GROQ error comes back as the pipeline’s GroqQueryError with its line', async () => {
    await expect(runRemote(remote, '*[_type == "benefit"', {})).rejects.toMatchObject({
      name: 'GroqQueryError',
      line: 1,
    })
  })

  it('the client writes, patches, commits transactions, loses a stale ifRevisionID race and listens', async () => {
    const {client} = remote
    const received: Array<{documentId: string; transition: string; transactionId: string}> = []
    const sub = client.listen('*[_type == "skinType"]').subscribe((e) => {
      if (e.type === 'mutation')
        received.push({
          documentId: e.documentId,
          transition: e.transition,
          transactionId: e.transactionId,
        })
    })
    await new Promise((r) => setTimeout(r, 200))
    const created = await client.create({_id: 'skinType-dry', _type: 'skinType', title: 'Dry skin'})
    const patched = await client.patch('skinType-dry').set({title: 'Dry, flaky skin'}).commit()
    expect(patched.title).toBe('Dry, flaky skin')
    const tx = await client
      .transaction()
      .patch('skinType-oily', (p) => p.set({title: 'Oily, shiny skin'}))
      .delete('skinType-dry')
      .commit({transactionId: 'tx-remote'})
    expect(tx.transactionId).toBe('tx-remote')
    await expect(
      client.patch('skinType-oily').ifRevisionId(created._rev).set({title: 'x'}).commit(),
    ).rejects.toMatchObject({statusCode: 409})
    expect(await runRemote(remote, '*[_id == "skinType-oily"][0].title')).toBe('Oily, shiny skin')
    const deadline = Date.now() + 5000
    while (received.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    sub.unsubscribe()
    expect(received).toEqual([
      {documentId: 'skinType-dry', transition: 'appear', transactionId: created._rev},
      {documentId: 'skinType-dry', transition: 'update', transactionId: patched._rev},
      {documentId: 'skinType-oily', transition: 'update', transactionId: 'tx-remote'},
      {documentId: 'skinType-dry', transition: 'disappear', transactionId: 'tx-remote'},
    ])
  })
})
