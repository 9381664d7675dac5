/**
 * Document webhooks in the shapes of Sanity's Webhooks API (`/hooks/projects/<projectId>`), as
 * stored in the dataset file and as answered. The secret is stored, never answered.
 */

export const HOOK_OPERATIONS = ['create', 'update', 'delete'] as const
export type HookOperation = (typeof HOOK_OPERATIONS)[number]

export const HOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type HookMethod = (typeof HOOK_METHODS)[number]

export interface HookRule {
  on: HookOperation[]
  /** Delta GROQ filter; null: every document. */
  filter: string | null
  /** Delta GROQ projection: the request body; null: the whole document. */
  projection: string | null
}

/** The fields a client sets (POST, PATCH). */
export interface HookSettings {
  type: 'document'
  name: string
  description: string | null
  url: string
  /** The dataset's name, or `*` for every dataset (this API serves one). */
  dataset: string
  rule: HookRule
  apiVersion: string
  httpMethod: HookMethod
  includeDrafts: boolean
  headers: Record<string, string>
  secret: string | null
  isDisabledByUser: boolean
}

export interface StoredHook extends HookSettings {
  id: string
  projectId: string
  createdAt: string
  createdByUserId: string
  /** Transactions up to this log position were committed before the hook existed. */
  fromSeq: number
}

/** A hook as the API answers it: Sanity's shape, without the secret or the log position. */
export type PublicHook = Omit<StoredHook, 'secret' | 'fromSeq'> & {
  isDisabled: boolean
  deletedAt: string | null
}

export function publicHook(hook: StoredHook, deletedAt: string | null = null): PublicHook {
  const {secret, fromSeq, ...rest} = hook
  return {...rest, isDisabled: hook.isDisabledByUser, deletedAt}
}

/** One document change to deliver (Sanity's "message"): its payload and how delivery went. */
export interface HookMessage {
  id: string
  projectId: string
  dataset: string
  hookId: string
  documentId: string
  transactionId: string
  operation: HookOperation
  createdAt: string
  status: 'queued' | 'delivered' | 'failed'
  /** The last attempt's HTTP status (null: none answered). */
  resultCode: number | null
  failureCount: number
  /** The request body (JSON text), kept in the log up to LOGGED_PAYLOAD_BYTES. */
  payload: string | null
}

/** One HTTP request of a message: Sanity's attempt shape. */
export interface DeliveryAttempt {
  id: string
  projectId: string
  hookId: string
  messageId: string
  createdAt: string
  updatedAt: string | null
  inProgress: boolean
  isFailure: boolean
  failureReason: 'http' | 'timeout' | 'network' | 'other' | null
  resultCode: number | null
  /** The response body's start (see RESULT_BODY_BYTES in send.ts). */
  resultBody: string | null
  /** Milliseconds until the answer or the failure; null while in progress. */
  duration: number | null
}
