/**
 * The Studio's own validation rules, run headless: a workspace built from sanity.config.ts and
 * Sanity's `validateDocument`, no login and no network (see studioClient.ts).
 */
import {createWorkspaceFromConfig, validateDocument, type Workspace} from 'sanity'
import type {Problem} from '../lib/errors.ts'
import type {StoredDocument} from '../store/types.ts'
import {createOfflineClient, createOfflineIndex, type OfflineIndex} from './studioClient.ts'

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

/**
 * Load the first workspace of sanity.config.ts with a client that answers from `docs` (or from an
 * index, when this thread holds only part of the documents: see worker.ts).
 */
export async function createStudioValidator(
  docs: readonly StoredDocument[] | OfflineIndex,
): Promise<StudioValidator & {index: OfflineIndex}> {
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

  return {
    index,
    async validate(doc) {
      const markers = await validateDocument({
        document: doc as never,
        workspace,
        getDocumentExists,
        environment: 'cli',
      })
      return markers.map((m) => ({
        documentId: doc._id,
        path: pathToString(m.path),
        level: m.level,
        message: typeof m.message === 'string' ? m.message : String(m.message),
      }))
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
