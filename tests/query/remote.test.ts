import {describe, expect, it} from 'vitest'
import {API_VERSION, remoteTargetFromEnv} from '../../scripts/lib/env.ts'
import {createRemoteSource, remoteClientConfig} from '../../scripts/query/remote.ts'
import {openQuerySource} from '../../scripts/query/source.ts'

// No requests are made here: these check how the client is configured. The runner itself is
// exercised against the local API by the API tests.
describe('remote query source', () => {
  it('targets the hosted Content Lake through the project hostname, without the CDN', () => {
    const target = remoteTargetFromEnv({
      SANITY_PROJECT_ID: 'abc123',
      SANITY_DATASET: 'production',
      SANITY_TOKEN: 'sk-test',
    })!
    expect(remoteClientConfig(target)).toEqual({
      projectId: 'abc123',
      dataset: 'production',
      apiVersion: API_VERSION,
      useCdn: false,
      perspective: 'published',
      token: 'sk-test',
    })
    const {client} = createRemoteSource(target)
    expect(client.config().url).toBe(`https://abc123.api.sanity.io/v${API_VERSION}`)
  })

  it('addresses a custom API host (the local API) directly', () => {
    const target = remoteTargetFromEnv({
      SANITY_PROJECT_ID: 'local',
      SANITY_DATASET: 'skincare',
      SANITY_API_HOST: 'http://127.0.0.1:3335/',
    })!
    const config = remoteClientConfig(target)
    expect(config).toMatchObject({
      apiHost: 'http://127.0.0.1:3335',
      useProjectHostname: false,
      useCdn: false,
    })
    expect(config).not.toHaveProperty('token')
    const {client, kind} = createRemoteSource(target)
    expect(kind).toBe('remote')
    expect(client.config().url).toBe(`http://127.0.0.1:3335/v${API_VERSION}`)
    expect(client.config().dataset).toBe('skincare')
  })

  it('openQuerySource picks the API when SANITY_PROJECT_ID is set, unless a dataset file is given', () => {
    const env = {SANITY_PROJECT_ID: 'p', SANITY_DATASET: 'd', SANITY_API_HOST: 'http://127.0.0.1:1'}
    expect(openQuerySource({env}).kind).toBe('remote')
    expect(() => openQuerySource({env: {}, dataset: '/nonexistent/dataset.sqlite'})).toThrow(
      /dataset not found/,
    )
  })
})
