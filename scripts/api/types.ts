/** Shapes shared by the server, the router and the routes. */
import type {Dataset} from '../store/dataset.ts'
import type {WebhookDelivery} from './hooks/delivery.ts'
import type {ListenHub} from './listen/hub.ts'
import type {QueryService} from './queryService.ts'
import type {Req, Res} from './http.ts'

/** The one user of the local API: whoever holds the dataset's token. */
export interface ApiUser {
  id: string
  name: string
  email: string
}

/** Everything a route may use; one per running server. */
export interface ApiContext {
  ds: Dataset
  projectId: string
  /** The dataset name clients use in URLs (`/data/query/<name>`). */
  datasetName: string
  user: ApiUser
  queries: QueryService
  hub: ListenHub
  /** Webhooks: their store, delivery loop and attempts log (hooks/delivery.ts). */
  webhooks: WebhookDelivery
  /** `/users/me/keyvalue`: Studio UI preferences, kept for the server's lifetime. */
  keyValue: Map<string, unknown>
  /** Diagnostics (stderr); never called with a token. */
  log: (message: string) => void
}

/**
 * Who may call a route:
 * - `public`: anyone (metadata, health checks);
 * - `read`: anyone, but without the token only published content is visible (a public dataset);
 * - `token`: the dataset's token is required (writes, history, drafts-only data).
 */
export type Access = 'public' | 'read' | 'token'

export interface RequestContext {
  req: Req
  res: Res
  method: string
  url: URL
  /** Path without the `/vYYYY-MM-DD` prefix. */
  path: string
  apiVersion: string
  /** Named captures of the route's pattern. */
  params: Record<string, string>
  query: URLSearchParams
  /** A valid token came with the request. */
  authenticated: boolean
  /** The parsed JSON body (undefined when empty). */
  body(): Promise<unknown>
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY'
  /** Matched against the unversioned path; named groups become `params`. */
  pattern: RegExp
  access: Access
  handle(ctx: RequestContext, app: ApiContext): Promise<void> | void
}
