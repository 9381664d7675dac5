import {spawn} from 'node:child_process'
import {connect} from 'node:http2'
import {join} from 'node:path'
import WebSocket from 'ws'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startApiServer} from '../../scripts/api/server.ts'
import {ROOT} from '../../scripts/lib/paths.ts'
import {exportNdjson} from '../../scripts/store/ndjson.ts'
import {NODE, testEnv} from '../helpers/run.ts'
import {readEvents, startTestApi, type TestApi} from './helpers.ts'

let t: TestApi
beforeAll(async () => {
  t = await startTestApi()
})
afterAll(() => t.close())

const json = async (res: Response) => ({
  status: res.status,
  body: (await res.json()) as Record<string, any>,
})
const q = (query: string, extra = '') =>
  `/data/query/production?query=${encodeURIComponent(query)}${extra}`

/** A write from another process, the way CLI scripts write: `npm run dataset -- import`. */
function importFromOtherProcess(path: string, ndjson: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      NODE,
      [
        join(ROOT, 'scripts/store/cli.ts'),
        'import',
        '-',
        '--dataset',
        path,
        '--replace',
        '--quiet',
      ],
      {cwd: ROOT, env: testEnv(), stdio: ['pipe', 'ignore', 'inherit']},
    )
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
    child.stdin.end(ndjson)
  })
}

describe('query', () => {
  it('answers GET and POST with {query, result, ms}; published by default', async () => {
    const get = await json(await t.http(q('*[_type == "benefit"] | order(_id) {_id, title}')))
    expect(get.status).toBe(200)
    expect(get.body.query).toBe('*[_type == "benefit"] | order(_id) {_id, title}')
    expect(get.body.result).toEqual([
      {_id: 'benefit-fades-acne-scars', title: 'Fades Acne Scars'},
      {_id: 'benefit-minimizes-pores', title: 'Minimizes Pores'},
    ])
    expect(typeof get.body.ms).toBe('number')
    const post = await json(
      await t.http('/data/query/production', {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({query: '*[_id == $id][0].title', params: {id: 'concern-acne-scars'}}),
      }),
    )
    expect(post.body.result).toBe('Acne scars')
    const param = await json(
      await t.http(`${q('*[_id == $id][0].title')}&$id=${encodeURIComponent('"skinType-oily"')}`),
    )
    expect(param.body.result).toBe('Oily skin')
  })

  it('drafts and raw perspectives need the token; without it every perspective is published', async () => {
    const count = 'count(*[_type == "benefit"])'
    expect((await json(await t.http(q(count, '&perspective=raw')))).body.result).toBe(2)
    expect((await json(await t.http(q(count, '&perspective=raw'), {auth: true}))).body.result).toBe(
      4,
    )
    const drafts = await json(
      await t.http(
        q('*[_type == "benefit"] | order(_id) {_id, _originalId, title}', '&perspective=drafts'),
        {auth: true},
      ),
    )
    expect(drafts.body.result).toEqual([
      {
        _id: 'benefit-fades-acne-scars',
        _originalId: 'benefit-fades-acne-scars',
        title: 'Fades Acne Scars',
      },
      {
        _id: 'benefit-minimizes-pores',
        _originalId: 'drafts.benefit-minimizes-pores',
        title: 'Minimizes Pores (draft)',
      },
      {
        _id: 'benefit-unpublished-idea',
        _originalId: 'drafts.benefit-unpublished-idea',
        title: 'Unpublished idea',
      },
    ])
    // The Studio's older name, and a release stack that includes drafts.
    for (const p of ['previewDrafts', 'rABC,drafts'])
      expect(
        (await json(await t.http(q(count, `&perspective=${p}`), {auth: true}))).body.result,
      ).toBe(3)
  })

  it('a GROQ syntax error is a 400 queryParseError with where it is', async () => {
    const res = await json(await t.http(q('*[_type == ')))
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({type: 'queryParseError', query: '*[_type == '})
    expect(res.body.error.description).toMatch(/line 1/)
  })
})

describe('doc, mutate, actions', () => {
  it('doc returns documents and says why others are omitted', async () => {
    const anon = await json(
      await t.http('/data/doc/production/concern-acne-scars,drafts.benefit-minimizes-pores,nope'),
    )
    expect(anon.body.documents.map((d: {_id: string}) => d._id)).toEqual(['concern-acne-scars'])
    expect(anon.body.omitted).toEqual([
      {id: 'drafts.benefit-minimizes-pores', reason: 'permission'},
      {id: 'nope', reason: 'existence'},
    ])
    const authed = await json(
      await t.http('/data/doc/production/drafts.benefit-minimizes-pores', {auth: true}),
    )
    expect(authed.body.documents[0].title).toBe('Minimizes Pores (draft)')
  })

  it('mutate needs the token; a wrong token is refused too', async () => {
    const body = JSON.stringify({mutations: [{create: {_type: 'concern', title: 'x'}}]})
    const anon = await json(await t.http('/data/mutate/production', {method: 'POST', body}))
    expect(anon.status).toBe(401)
    const wrong = await json(
      await t.http('/data/mutate/production', {
        method: 'POST',
        body,
        headers: {authorization: 'Bearer nope'},
      }),
    )
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.description).toBe('Session not found')
    expect(t.ds.count({type: 'concern'})).toBe(2)
  })

  it('mutate applies atomically, honours transactionId and returns documents on request', async () => {
    const res = await json(
      await t.http(
        '/data/mutate/production?returnIds=true&returnDocuments=true&transactionId=tx-mutate-1',
        {
          method: 'POST',
          auth: true,
          body: JSON.stringify({
            mutations: [
              {createOrReplace: {_id: 'concern-redness', _type: 'concern', title: 'Redness', n: 1}},
              {
                patch: {
                  id: 'concern-redness',
                  inc: {n: 2},
                  setIfMissing: {synonyms: []},
                  insert: {after: 'synonyms[-1]', items: ['flushing']},
                },
              },
            ],
          }),
        },
      ),
    )
    expect(res.status).toBe(200)
    expect(res.body.transactionId).toBe('tx-mutate-1')
    expect(res.body.results).toEqual([
      {
        id: 'concern-redness',
        operation: 'create',
        document: expect.objectContaining({n: 3, synonyms: ['flushing'], _rev: 'tx-mutate-1'}),
      },
    ])
  })

  it('a stale ifRevisionID is a 409 and nothing is written', async () => {
    const res = await json(
      await t.http('/data/mutate/production', {
        method: 'POST',
        auth: true,
        body: JSON.stringify({
          mutations: [
            {patch: {id: 'concern-redness', set: {title: 'X'}}},
            {patch: {id: 'concern-acne-scars', ifRevisionID: 'stale', set: {title: 'Y'}}},
          ],
        }),
      }),
    )
    expect(res.status).toBe(409)
    expect(res.body.error.type).toBe('mutationError')
    expect(t.ds.get('concern-redness')!.title).toBe('Redness')
  })

  it('actions: edit then publish (what the Studio sends)', async () => {
    const post = (actions: unknown[], transactionId: string) =>
      t.http('/data/actions/production', {
        method: 'POST',
        auth: true,
        body: JSON.stringify({actions, transactionId}),
      })
    const pub = {
      publishedId: 'benefit-fades-acne-scars',
      draftId: 'drafts.benefit-fades-acne-scars',
    }
    const edit = await json(
      await post(
        [{actionType: 'sanity.action.document.edit', ...pub, patch: {set: {title: 'Fades Scars'}}}],
        'tx-edit',
      ),
    )
    expect(edit).toEqual({status: 200, body: {transactionId: 'tx-edit'}})
    const publish = await json(
      await post(
        [{actionType: 'sanity.action.document.publish', ...pub, ifDraftRevisionId: 'tx-edit'}],
        'tx-publish',
      ),
    )
    expect(publish.status).toBe(200)
    expect(t.ds.get('benefit-fades-acne-scars')).toMatchObject({
      title: 'Fades Scars',
      _rev: 'tx-publish',
    })
    const again = await json(
      await post([{actionType: 'sanity.action.document.publish', ...pub}], 'tx-publish-2'),
    )
    expect(again.status).toBe(409)
    expect(again.body.error.description).toMatch(/no draft/)
  })
})

describe('listen', () => {
  it('welcome, then events for matching changes — including writes from another process', async () => {
    const res = await t.http(
      `/data/listen/production?query=${encodeURIComponent('*[_type == "concern"]')}&effectFormat=mendoza&includeResult=false`,
      {auth: true},
    )
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const events = readEvents(res, 3)
    await new Promise((r) => setTimeout(r, 100))
    // Same process (the API's own write) and another process (a CLI import) reach the stream alike.
    t.ds.transaction(
      [
        {patch: {id: 'concern-acne-scars', set: {title: 'Acne scarring'}}},
        {patch: {id: 'benefit-minimizes-pores', set: {summary: 'not a concern'}}},
      ],
      {transactionId: 'tx-listen-1'},
    )
    expect(
      await importFromOtherProcess(
        t.datasetPath,
        `${JSON.stringify({_id: 'concern-dullness', _type: 'concern', title: 'Dullness'})}\n`,
      ),
    ).toBe(0)
    const [welcome, first, second] = await events
    expect(welcome!.event).toBe('welcome')
    expect(first).toMatchObject({
      event: 'mutation',
      data: {
        documentId: 'concern-acne-scars',
        transactionId: 'tx-listen-1',
        transition: 'update',
        transactionTotalEvents: 1,
        transactionCurrentEvent: 1,
      },
    })
    expect((first!.data as {effects: {apply: unknown[]}}).effects.apply[1]).toMatchObject({
      title: 'Acne scarring',
    })
    expect(first!.data).not.toHaveProperty('result')
    expect(second).toMatchObject({
      event: 'mutation',
      data: {documentId: 'concern-dullness', transition: 'appear'},
    })
  })

  it('without the token a stream never sees drafts', async () => {
    const res = await t.http(
      `/data/listen/production?query=${encodeURIComponent('*[_type == "benefit"]')}`,
    )
    const events = readEvents(res, 2)
    await new Promise((r) => setTimeout(r, 100))
    t.ds.transaction([
      {patch: {id: 'drafts.benefit-minimizes-pores', set: {title: 'secret draft'}}},
    ])
    t.ds.transaction([{patch: {id: 'benefit-minimizes-pores', set: {title: 'Public change'}}}], {
      transactionId: 'tx-public',
    })
    const [, event] = await events
    expect(event).toMatchObject({
      data: {
        documentId: 'benefit-minimizes-pores',
        transactionId: 'tx-public',
        result: {title: 'Public change'},
      },
    })
  })
})

describe('history and export', () => {
  it('lists a document’s transactions as NDJSON and returns it as any revision left it', async () => {
    const res = await t.http(
      '/data/history/production/transactions/concern-redness?effectFormat=mendoza',
      {auth: true},
    )
    expect(res.headers.get('content-type')).toMatch(/ndjson/)
    const lines = (await res.text())
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {id: string; documentIDs: string[]; effects: Record<string, unknown>},
      )
    expect(lines.map((l) => l.id)).toEqual(['tx-mutate-1'])
    expect(lines[0]!.documentIDs).toEqual(['concern-redness'])
    expect(lines[0]!.effects['concern-redness']).toMatchObject({
      apply: [0, {title: 'Redness'}],
      revert: [0, null],
    })

    const before = await json(
      await t.http(
        '/data/history/production/documents/benefit-fades-acne-scars?revision=tx-publish',
        {auth: true},
      ),
    )
    expect(before.body.documents[0]).toMatchObject({_rev: 'tx-publish', title: 'Fades Scars'})
    expect((await t.http('/data/history/production/transactions/concern-redness')).status).toBe(401)
  })

  it('document events are keyed by the id asked for (the Studio asks with the draft id)', async () => {
    const res = await json(
      await t.http(
        '/data/history/production/events/documents/drafts.benefit-fades-acne-scars?limit=100',
        {auth: true},
      ),
    )
    expect(res.body.nextCursor).toBe('')
    const events = res.body.events['drafts.benefit-fades-acne-scars'] as Array<{
      type: string
      revisionId?: string
    }>
    expect(events.map((e) => e.type)).toEqual([
      'publishDocumentVersion',
      'createDocumentVersion',
      'createLiveDocument',
    ])
    expect(events[0]!.revisionId).toBe('tx-publish')
  })

  it('exports NDJSON sorted by _id; published documents only without the token', async () => {
    const ids = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as {_id: string})._id)
    const anon = ids(await (await t.http('/data/export/production')).text())
    expect(anon).toEqual([...anon].sort())
    expect(anon.some((id) => id.startsWith('drafts.'))).toBe(false)
    const all = ids(await (await t.http('/data/export/production', {auth: true})).text())
    expect(all).toContain('drafts.benefit-minimizes-pores')
    expect(all).toHaveLength(t.ds.count())
    expect(ids(await (await t.http('/data/export/production?types=skinType')).text())).toEqual([
      'skinType-oily',
    ])
  })

  it('streams an export of many pages, byte for byte as the store writes it', async () => {
    // 12 pages of 500: a wait for the client per page, and no listener left behind by any.
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    t.ds.importDocuments(
      Array.from({length: 6000}, (_, i) => ({
        _id: `note-${String(i).padStart(4, '0')}`,
        _type: 'note',
        text: 'x'.repeat(2000),
      })),
    )
    const res = await t.http('/data/export/production', {auth: true})
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
    expect(await res.text()).toBe(exportNdjson(t.ds))
    process.off('warning', onWarning)
    expect(warnings).not.toContain('MaxListenersExceededWarning')
  })
})

describe('user, project and fixed endpoints', () => {
  it('users/me is empty for anonymous callers and the local editor with the token', async () => {
    expect((await json(await t.http('/users/me'))).body).toEqual({})
    expect((await json(await t.http('/users/me', {auth: true}))).body).toMatchObject({
      id: 'p-local-editor',
      role: 'administrator',
    })
    expect((await t.http('/auth/id')).status).toBe(401)
  })

  it('project, datasets, grants without deployStudio, ACL for the token holder', async () => {
    expect((await json(await t.http('/projects/local'))).body).toMatchObject({id: 'local'})
    expect((await t.http('/projects/other')).status).toBe(404)
    expect((await json(await t.http('/projects/local/datasets'))).body).toEqual([
      expect.objectContaining({name: 'production', aclMode: 'public'}),
    ])
    const grants = (await json(await t.http('/projects/local/grants', {auth: true}))).body
    expect(JSON.stringify(grants)).not.toContain('deployStudio')
    expect((await t.http('/projects/local/datasets/production/acl')).status).toBe(401)
    const acl = (await json(await t.http('/projects/local/datasets/production/acl', {auth: true})))
      .body
    expect(acl[0].permissions).toEqual(
      expect.arrayContaining(['read', 'create', 'update', 'history']),
    )
  })

  it('key-value preferences round-trip', async () => {
    await t.http('/users/me/keyvalue', {
      method: 'PUT',
      auth: true,
      body: JSON.stringify([{key: 'studio.a', value: {x: 1}}]),
    })
    expect(
      (await json(await t.http('/users/me/keyvalue/studio.a,studio.b', {auth: true}))).body,
    ).toEqual([
      {key: 'studio.a', value: {x: 1}},
      {key: 'studio.b', value: null},
    ])
  })

  it('small fixed endpoints; unknown paths and methods are 404/405', async () => {
    expect(await (await t.http('/ping')).text()).toBe('PONG')
    expect((await json(await t.http('/journey/document-limit'))).body).toBeNull()
    expect((await json(await t.http('/check/cors'))).body).toEqual({
      result: {allowed: true, withCredentials: true},
    })
    expect((await t.http('/intake/batch', {method: 'POST', body: '[]'})).status).toBe(200)
    expect((await t.http('/nope')).status).toBe(404)
    expect((await t.http('/data/mutate/production', {method: 'GET'})).status).toBe(405)
    expect((await t.http('/data/query/other?query=1')).status).toBe(404)
    expect((await fetch(`${t.api.httpUrl}/index.html`)).status).toBe(404)
  })
})

describe('transport and origin rules', () => {
  it('a port in use is a clear error', async () => {
    await expect(
      startApiServer({
        ds: t.ds,
        token: t.token,
        tls: t.tls,
        httpsPort: t.api.httpsPort,
        httpPort: false,
        log: () => {},
      }),
    ).rejects.toThrow(/port \d+ on 127.0.0.1 is in use/)
  })

  it('speaks HTTP/2 over TLS with the local CA', async () => {
    const session = connect(t.api.url, {ca: t.tls.caCert, servername: 'localhost'})
    try {
      const {status, body, alpn} = await new Promise<{
        status: number
        body: string
        alpn: string | false
      }>((resolve, reject) => {
        const req = session.request({
          ':path': `/v2025-02-19${q('count(*[_type == "concern"])')}`,
          ':authority': 'local.localhost',
        })
        let status = 0
        let body = ''
        req.on('response', (h) => (status = Number(h[':status'])))
        req.on('data', (c: Buffer) => (body += c.toString()))
        req.on('end', () => resolve({status, body, alpn: session.alpnProtocol ?? false}))
        req.on('error', reject)
      })
      expect(alpn).toBe('h2')
      expect(status).toBe(200)
      expect((JSON.parse(body) as {result: number}).result).toBe(t.ds.count({type: 'concern'}))
    } finally {
      session.close()
    }
  })

  it('CORS: the Studio origin is echoed (never *), other origins are refused', async () => {
    const studio = `https://localhost:${t.api.httpsPort}`
    const pre = await t.http('/data/query/production', {
      method: 'OPTIONS',
      headers: {origin: studio, 'access-control-request-headers': 'authorization,x-sanity-app'},
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe(studio)
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true')
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,x-sanity-app')
    const get = await t.http('/ping', {headers: {origin: studio}})
    expect(get.headers.get('access-control-allow-origin')).toBe(studio)
    const evil = await t.http('/data/query/production?query=1', {
      headers: {origin: 'https://evil.example'},
    })
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('presence socket: authorization with the token, subscriptions acknowledged', async () => {
    const ws = new WebSocket(
      `${t.api.httpUrl!.replace('http', 'ws')}/v2022-06-30/socket/production`,
    )
    const replies: unknown[] = []
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => {
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'authorization',
            params: {token: t.token},
          }),
        )
        ws.send(JSON.stringify({jsonrpc: '2.0', id: 2, method: 'presence_subscribe', params: {}}))
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 3,
            method: 'authorization',
            params: {token: 'wrong'},
          }),
        )
      })
      ws.on('message', (m) => {
        const text = String(m)
        if (text.startsWith('{')) replies.push(JSON.parse(text))
        if (replies.length === 3) resolve()
      })
      ws.on('error', reject)
    })
    ws.close()
    expect(replies[0]).toEqual({jsonrpc: '2.0', id: 1, result: true})
    expect(replies[1]).toMatchObject({id: 2, result: expect.stringMatching(/^sub-/)})
    expect(replies[2]).toMatchObject({id: 3, error: {code: 401}})
  })
})
