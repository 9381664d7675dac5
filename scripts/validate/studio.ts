/**
 * The Studio's own validation rules, run headless: a workspace built from sanity.config.ts, no
 * login and no network (see studioClient.ts). Each document first goes through the fast path
 * (fastPath.ts: the same rules, evaluated synchronously from the compiled schema); a document it
 * cannot answer goes through Sanity's `validateDocument`, as every document used to, and is
 * counted in `stats.fallbacks`. Either way a document's problems come back sorted.
 */
import {createWorkspaceFromConfig, validateDocument, type Workspace} from 'sanity'
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {createFastPath, NeedsSanity, type FastMarker, type FastPathStats} from './fastPath.ts'
import {
  createOfflineClient,
  createOfflineIndex,
  logSlugAnswer,
  slugIsUnique,
  type OfflineIndex,
} from './studioClient.ts'

const VALIDATOR_USER = {
  id: 'validator',
  name: 'Validator',
  email: 'validator@localhost',
  role: 'administrator',
  roles: [],
}

export interface StudioValidator {
  validate(doc: StoredDocument): Promise<Problem[]>
}

/** How documents were validated: by the fast path, or by Sanity after it gave up (and why). */
export interface StudioValidatorStats extends FastPathStats {
  fast: number
  fallbacks: number
  fallbackReasons: Record<string, number>
}

export interface StudioValidatorOptions {
  /** false: every document through Sanity's `validateDocument` (the reference the fast path is tested against). */
  fastPath?: boolean
}

const LEVEL_ORDER = {error: 0, warning: 1, info: 2} as const

/**
 * Load the first workspace of sanity.config.ts with a client that answers from `docs` (or from an
 * index, when this thread holds only part of the documents: see worker.ts).
 */
export async function createStudioValidator(
  docs: readonly StoredDocument[] | OfflineIndex,
  options: StudioValidatorOptions = {},
): Promise<StudioValidator & {index: OfflineIndex; stats: StudioValidatorStats}> {
  const config = (await import('../../sanity.config.ts')).default
  const first = [config].flat()[0] as Parameters<typeof createWorkspaceFromConfig>[0]
  const index: OfflineIndex = Array.isArray(docs)
    ? createOfflineIndex(docs)
    : (docs as OfflineIndex)
  const client = createOfflineClient(index, {projectId: first.projectId, dataset: first.dataset})
  const workspace: Workspace = await createWorkspaceFromConfig({
    ...first,
    // Both given => Sanity uses a mock auth store and never calls /users/me.
    currentUser: VALIDATOR_USER,
    getClient: (options: {apiVersion: string}) => client.withConfig(options) as never,
  } as Parameters<typeof createWorkspaceFromConfig>[0])
  const getDocumentExists = async ({id}: {id: string}) => index.exists(id)
  // validateDocument loads the messages itself; the fast path's come from the same bundle.
  await workspace.i18n.loadNamespaces(['validation'])
  const stats: StudioValidatorStats = {
    fast: 0,
    fallbacks: 0,
    fallbackReasons: {},
    delegated: 0,
    delegatedReused: 0,
  }
  const fast =
    options.fastPath === false
      ? undefined
      : createFastPath({
          schema: workspace.schema,
          i18n: workspace.i18n,
          // validateDocument wraps this client in a concurrency limit; a rule that queries gets
          // the same answers without it.
          getClient: workspace.getClient,
          getDocumentExists,
          exists: (id) => index.exists(id),
          slugIsUnique: (q) => slugIsUnique(index, q.path, q),
          stats,
        })

  const problemsOf = (doc: StoredDocument, markers: readonly FastMarker[]): Problem[] =>
    markers
      .map((m) => ({
        documentId: doc._id,
        path: pathToString(m.path),
        level: m.level,
        message: typeof m.message === 'string' ? m.message : String(m.message),
      }))
      .sort(
        (a, b) =>
          LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
          (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
          (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
      )

  return {
    index,
    stats,
    async validate(doc) {
      if (fast)
        try {
          const {markers, slugs} = await fast.validate(doc)
          for (const [q, unique] of slugs)
            logSlugAnswer(index, q.published, [q.path, q.slug, unique])
          stats.fast++
          return problemsOf(doc, markers)
        } catch (e) {
          if (!(e instanceof NeedsSanity)) throw e
          stats.fallbacks++
          stats.fallbackReasons[e.reason] = (stats.fallbackReasons[e.reason] ?? 0) + 1
        }
      const markers = await validateDocument({
        document: doc as never,
        workspace,
        getDocumentExists,
        environment: 'cli',
      })
      return problemsOf(doc, markers as FastMarker[])
    },
  }
}

/** Sanity marker path → `benefits[_key=="x"].title` */
export function pathToString(path: ReadonlyArray<unknown>): string {
  return path.reduce<string>((s, seg) => {
    if (typeof seg === 'number') return `${s}[${seg}]`
    if (typeof seg === 'string') return s ? `${s}.${seg}` : seg
    if (seg && typeof seg === 'object' && '_key' in seg)
      return `${s}[_key=="${String((seg as {_key: unknown})._key)}"]`
    return `${s}[${JSON.stringify(seg)}]`
  }, '')
}
