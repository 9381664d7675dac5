/**
 * What a query worker does with each request (queryProtocol.ts), over its snapshot of the dataset.
 * The same code answers in-memory datasets on the server's own thread (they cannot be opened from
 * a worker), so both kinds of dataset answer alike. Every GROQ error becomes a reply, never an
 * exception: the worker must outlive any input.
 */
import {evaluateSync, parse, toJS, type ExprNode} from 'groq-js'
import {GroqQueryError} from '../query/errors.ts'
import {runQuery} from '../query/local.ts'
import {selectedIds} from '../store/select.ts'
import {runDeltaJob} from './hooks/deltaJob.ts'
import {encodeJsonWithin} from './jsonBytes.ts'
import type {QueryRequest, QueryResponse} from './queryProtocol.ts'
import type {QuerySnapshot} from './querySnapshot.ts'

export interface JobAnswer {
  reply: QueryResponse
  /** ArrayBuffers to transfer with the reply (the result's bytes). */
  transfer: ArrayBuffer[]
}

export async function runJob(snapshot: QuerySnapshot, job: QueryRequest): Promise<JobAnswer> {
  try {
    switch (job.type) {
      case 'query': {
        const source = snapshot.source(job.visibility)
        const result = await runQuery(source, job.query, job.params, {
          perspective: job.perspective,
        })
        // Serialized here, not on the main thread: a huge result costs this thread alone.
        const bytes = encodeJsonWithin(result ?? null, job.maxBytes)
        if (!bytes) return answer({type: 'tooLarge', id: job.id, maxBytes: job.maxBytes})
        return {reply: {type: 'json', id: job.id, bytes}, transfer: [bytes.buffer as ArrayBuffer]}
      }
      case 'match':
        return answer({type: 'matches', id: job.id, matches: matchEach(job)})
      case 'ids': {
        const result = await runQuery(snapshot.source('all'), job.query, job.params, {
          perspective: 'raw',
        })
        return answer({type: 'ids', id: job.id, ids: selectedIds(result)})
      }
      case 'delta':
        return answer({type: 'delta', id: job.id, results: await runDeltaJob(job)})
      default:
        // A compile error when a request type is added to queryProtocol.ts but not handled here.
        return job satisfies never
    }
  } catch (e) {
    return answer(errorReply(job.id, e))
  }
}

const answer = (reply: QueryResponse): JobAnswer => ({reply, transfer: []})

/**
 * A listen filter against each document alone, as Content Lake decides whether a change reaches a
 * listener: `*[filter]` over a one-document dataset returns it or nothing. References resolve to
 * nothing (there is nothing else in that dataset), and a document the filter fails on does not
 * match. Missing `$params` are null, as they always were for listeners.
 */
function matchEach(job: Extract<QueryRequest, {type: 'match'}>): boolean[] {
  let tree: ExprNode
  try {
    tree = parse(job.query, {params: job.params})
  } catch (e) {
    throw new GroqQueryError(`Invalid listen query: ${(e as Error).message}`, job.query)
  }
  return job.docs.map((doc) => {
    try {
      const result = toJS(
        evaluateSync(tree, {
          dataset: [doc],
          params: job.params,
          identity: job.identity,
          dereference: () => undefined,
        }),
      ) as unknown
      return Array.isArray(result)
        ? result.length > 0
        : result !== null && result !== undefined && result !== false
    } catch {
      return false
    }
  })
}

/**
 * GROQ errors keep their position for the 400. A RangeError is the input's fault too: a query or
 * result nested past the stack (groq-js recurses) or a string past V8's longest.
 */
function errorReply(id: number, e: unknown): QueryResponse {
  if (e instanceof GroqQueryError) {
    const reply: Extract<QueryResponse, {type: 'groqError'}> = {
      type: 'groqError',
      id,
      message: e.message,
    }
    if (e.position !== undefined) reply.position = e.position
    if (e.line !== undefined) reply.line = e.line
    if (e.column !== undefined) reply.column = e.column
    return reply
  }
  if (e instanceof RangeError) return {type: 'groqError', id, message: e.message}
  return {type: 'error', id, message: (e as Error)?.message ?? String(e)}
}
