/**
 * A Sanity client for the Studio's validation rules that never leaves the process: its requester
 * answers `/data/query` and `/data/doc` from the documents being validated. Uses the
 * @sanity/client copy that `sanity` itself depends on, because `requester` must survive the
 * `withConfig()` calls the rules make.
 */
import {createRequire} from 'node:module'
import {evaluate, parse} from 'groq-js'
import {Observable} from 'rxjs'
import type {StoredDocument} from '../store/types.ts'

const requireFromSanity = createRequire(createRequire(import.meta.url).resolve('sanity'))
const {createClient} = requireFromSanity('@sanity/client') as typeof import('@sanity/client')

/** The query Sanity's built-in slug rule runs for every slug field. */
const SLUG_UNIQUE_QUERY = /^!defined\(\*\[_type == \$docType && !sanity::versionOf\(\$published\) && ([\w.]+) == \$slug\]\[0\]\._id\)$/

interface Request {
  url: string
  method?: string
  body?: unknown
}

export interface OfflineIndex {
  byId: Map<string, StoredDocument>
  /** `${type}\0${path}` → slug value → ids. Built lazily per slug path. */
  slugs: Map<string, Map<unknown, string[]>>
}

export function createOfflineIndex(docs: readonly StoredDocument[]): OfflineIndex {
  return {byId: new Map(docs.map((d) => [d._id, d])), slugs: new Map()}
}

const publishedIdOf = (id: string) =>
  id.startsWith('drafts.') ? id.slice(7) : id.startsWith('versions.') ? id.split('.').slice(2).join('.') : id

function slugIsUnique(index: OfflineIndex, path: string, params: {docType: string; slug: unknown; published: string}): boolean {
  const key = `${params.docType}\u0000${path}`
  let bySlug = index.slugs.get(key)
  if (!bySlug) {
    bySlug = new Map()
    for (const d of index.byId.values()) {
      if (d._type !== params.docType) continue
      const v = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], d)
      if (v !== undefined) bySlug.set(v, [...(bySlug.get(v) ?? []), d._id])
    }
    index.slugs.set(key, bySlug)
  }
  return !(bySlug.get(params.slug) ?? []).some((id) => publishedIdOf(id) !== params.published)
}

function readQuery(req: Request, url: URL): {query: string; params: Record<string, unknown>} {
  if (req.body) {
    const body = (typeof req.body === 'string' ? JSON.parse(req.body) : req.body) as {query: string; params?: Record<string, unknown>}
    return {query: body.query, params: body.params ?? {}}
  }
  const params: Record<string, unknown> = {}
  for (const [k, v] of url.searchParams) if (k.startsWith('$')) params[k.slice(1)] = JSON.parse(v)
  return {query: url.searchParams.get('query') ?? '', params}
}

async function answer(index: OfflineIndex, req: Request): Promise<unknown> {
  const url = new URL(req.url)
  if (/\/data\/query\/[^/]+$/.test(url.pathname)) {
    const {query, params} = readQuery(req, url)
    const slugPath = SLUG_UNIQUE_QUERY.exec(query)?.[1]
    if (slugPath) return {result: slugIsUnique(index, slugPath, params as never), ms: 0}
    const dataset = [...index.byId.values()]
    const value = await evaluate(parse(query, {params}), {dataset, params})
    return {result: await value.get(), ms: 0}
  }
  const doc = /\/data\/doc\/[^/]+\/(.+)$/.exec(url.pathname)
  if (doc) {
    const want = doc[1]!.split(',').map(decodeURIComponent)
    return {
      documents: want.flatMap((id) => index.byId.get(id) ?? []),
      omitted: want.filter((id) => !index.byId.has(id)).map((id) => ({id, reason: 'existence'})),
    }
  }
  throw new Error(`offline validation: no network (${req.method ?? 'GET'} ${url.pathname})`)
}

export function createOfflineClient(index: OfflineIndex, config: {projectId: string; dataset: string}) {
  const requester = (req: Request) =>
    new Observable((sub) => {
      answer(index, req).then(
        (body) => {
          sub.next({type: 'response', body, statusCode: 200, headers: {}})
          sub.complete()
        },
        (e: unknown) => sub.error(e),
      )
    })
  // `requester` is a config option of the 7.x client sanity bundles; the 8.x typings we compile against lack it.
  return createClient({...config, apiVersion: '2025-02-19', useCdn: false, requester} as Parameters<typeof createClient>[0])
}
