/**
 * A Sanity client for the Studio's validation rules that never leaves the process: its requester
 * answers `/data/query` and `/data/doc` from the documents being validated. Uses the
 * @sanity/client copy that `sanity` itself depends on, because `requester` must survive the
 * `withConfig()` calls the rules make.
 *
 * It also records what the rules asked, so validation results can be cached: the answer of every
 * slug-uniqueness query per document, and whether any other query was made (then nothing may be
 * cached: the answer could depend on any document).
 */
import {createRequire} from 'node:module'
import {evaluate, parse} from 'groq-js'
import {Observable} from 'rxjs'
import {publishedId} from '../store/ids.ts'
import type {StoredDocument} from '../store/types.ts'

const requireFromSanity = createRequire(createRequire(import.meta.url).resolve('sanity'))
const {createClient} = requireFromSanity('@sanity/client') as typeof import('@sanity/client')

/** The query Sanity's built-in slug rule runs for every slug field. */
const SLUG_UNIQUE_QUERY =
  /^!defined\(\*\[_type == \$docType && !sanity::versionOf\(\$published\) && ([\w.]+) == \$slug\]\[0\]\._id\)$/

/** A request of the Studio's client, as its requester gets it (the fields read here). */
export interface ClientRequest {
  url: string
  method?: string
  body?: unknown
}

/** One slug-uniqueness answer: the document's slug path, its value, and whether it was unique. */
export type SlugAnswer = [path: string, slug: unknown, unique: boolean]

export interface OfflineIndex {
  /** Whether a document with this id exists (getDocumentExists, reference checks). */
  exists(id: string): boolean
  /** Slug value → ids, for one type and slug path. */
  slugs(type: string, path: string): Map<unknown, string[]>
  /** Any other request (rare: custom rules that query); undefined = answer from `documents`. */
  other?: (req: ClientRequest) => Promise<unknown>
  /** Every document, when this process has them all (the default index). */
  documents?: readonly StoredDocument[]
  /** Slug answers per published id, and whether any other query was answered. */
  log: {slugs: Map<string, SlugAnswer[]>; other: boolean}
}

const valueAt = (doc: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc)

/** Slug values by (type, path), built lazily from documents. */
export function slugIndexOf(
  docs: Iterable<{_id: string; _type: string}>,
): (type: string, path: string) => Map<unknown, string[]> {
  const cache = new Map<string, Map<unknown, string[]>>()
  const all = [...docs]
  return (type, path) => {
    const key = `${type}\u0000${path}`
    let bySlug = cache.get(key)
    if (!bySlug) {
      bySlug = new Map()
      for (const d of all) {
        if (d._type !== type) continue
        const v = valueAt(d, path)
        if (v !== undefined) bySlug.set(v, [...(bySlug.get(v) ?? []), d._id])
      }
      cache.set(key, bySlug)
    }
    return bySlug
  }
}

/** The index over every document, in this process. */
export function createOfflineIndex(docs: readonly StoredDocument[]): OfflineIndex {
  const ids = new Set(docs.map((d) => d._id))
  return {
    exists: (id) => ids.has(id),
    slugs: slugIndexOf(docs),
    documents: docs,
    log: {slugs: new Map(), other: false},
  }
}

/** Whether `slug` at `path` is free for the document whose published id is `published`. */
export function slugIsUnique(
  index: Pick<OfflineIndex, 'slugs'>,
  path: string,
  params: {docType: string; slug: unknown; published: string},
): boolean {
  return !(index.slugs(params.docType, path).get(params.slug) ?? []).some(
    (id) => publishedId(id) !== params.published,
  )
}

/** Record a slug-uniqueness answer the rules got, for the validation cache (cache.ts). */
export function logSlugAnswer(index: OfflineIndex, published: string, answer: SlugAnswer): void {
  let answers = index.log.slugs.get(published)
  if (!answers) index.log.slugs.set(published, (answers = []))
  answers.push(answer)
}

function readQuery(req: ClientRequest, url: URL): {query: string; params: Record<string, unknown>} {
  if (req.body) {
    const body = (typeof req.body === 'string' ? JSON.parse(req.body) : req.body) as {
      query: string
      params?: Record<string, unknown>
    }
    return {query: body.query, params: body.params ?? {}}
  }
  const params: Record<string, unknown> = {}
  for (const [k, v] of url.searchParams) if (k.startsWith('$')) params[k.slice(1)] = JSON.parse(v)
  return {query: url.searchParams.get('query') ?? '', params}
}

/** Any request, answered from every document (the slug query has its own index). */
export async function answerFromDocuments(
  docs: readonly StoredDocument[],
  req: ClientRequest,
): Promise<unknown> {
  const url = new URL(req.url)
  if (/\/data\/query\/[^/]+$/.test(url.pathname)) {
    const {query, params} = readQuery(req, url)
    const value = await evaluate(parse(query, {params}), {dataset: docs, params})
    return {result: await value.get(), ms: 0}
  }
  const doc = /\/data\/doc\/[^/]+\/(.+)$/.exec(url.pathname)
  if (doc) {
    const byId = new Map(docs.map((d) => [d._id, d]))
    const want = doc[1]!.split(',').map(decodeURIComponent)
    return {
      documents: want.flatMap((id) => byId.get(id) ?? []),
      omitted: want.filter((id) => !byId.has(id)).map((id) => ({id, reason: 'existence'})),
    }
  }
  throw new Error(`offline validation: no network (${req.method ?? 'GET'} ${url.pathname})`)
}

async function answer(index: OfflineIndex, req: ClientRequest): Promise<unknown> {
  const url = new URL(req.url)
  if (/\/data\/query\/[^/]+$/.test(url.pathname)) {
    const {query, params} = readQuery(req, url)
    const slugPath = SLUG_UNIQUE_QUERY.exec(query)?.[1]
    if (slugPath) {
      const p = params as {docType: string; slug: unknown; published: string}
      const unique = slugIsUnique(index, slugPath, p)
      logSlugAnswer(index, p.published, [slugPath, p.slug, unique])
      return {result: unique, ms: 0}
    }
  }
  // Only data requests make a result depend on other documents (the workspace also asks for
  // grants and the like, which fail offline as they always did and say nothing about documents).
  if (!/\/data\/(query|doc)\//.test(url.pathname)) return answerFromDocuments([], req)
  index.log.other = true
  if (index.other) return index.other(req)
  return answerFromDocuments(index.documents ?? [], req)
}

export function createOfflineClient(
  index: OfflineIndex,
  config: {projectId: string; dataset: string},
) {
  const requester = (req: ClientRequest) =>
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
  return createClient({...config, apiVersion: '2025-02-19', useCdn: false, requester} as Parameters<
    typeof createClient
  >[0])
}
