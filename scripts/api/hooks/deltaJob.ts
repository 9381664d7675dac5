/**
 * A webhook's rule (filter and projection, in delta GROQ) against each change of a transaction,
 * run inside a query worker (queryJobs.ts) like every other GROQ of the API: a rule is arbitrary
 * GROQ from whoever holds the token, and may take seconds per document.
 *
 * Each change is evaluated as Content Lake does for document webhooks: `@` is the document (the
 * new version, or the old one for a delete), `before()`/`after()` are the two versions (null where
 * absent), and `sanity::projectId()`/`sanity::dataset()` name the project. The dataset is that
 * document alone: references resolve to nothing, so a hook never costs a snapshot of the dataset.
 */
import {evaluate, parse, type EvaluateOptions, type ExprNode} from 'groq-js'
import {GroqQueryError} from '../../query/errors.ts'
import type {DeltaResult, QueryRequest} from '../queryProtocol.ts'

type DeltaJob = Extract<QueryRequest, {type: 'delta'}>

/** Parse one part of a rule in delta mode; a syntax error names the part for the 400 or the log. */
export function parseDelta(text: string, part: 'filter' | 'projection'): ExprNode {
  try {
    return parse(text, {mode: 'delta'})
  } catch (e) {
    throw new GroqQueryError(`Invalid webhook ${part}: ${(e as Error).message}`, text)
  }
}

async function valueOf(tree: ExprNode, options: EvaluateOptions): Promise<unknown> {
  return (await evaluate(tree, options)).get() as Promise<unknown>
}

export async function runDeltaJob(job: DeltaJob): Promise<DeltaResult[]> {
  const filter = job.query.trim() === '' ? undefined : parseDelta(job.query, 'filter')
  const projection = job.projection === null ? undefined : parseDelta(job.projection, 'projection')
  const results: DeltaResult[] = []
  for (const {before, after} of job.changes) {
    const doc = after ?? before
    const options = {root: doc, dataset: doc ? [doc] : [], before, after, sanity: job.sanity}
    if (filter) {
      // As in `*[filter]`: only `true` matches; a filter that fails on a document does not.
      const verdict = await valueOf(filter, options).catch(() => false)
      if (verdict !== true) {
        results.push({matched: false})
        continue
      }
    }
    try {
      const value = projection ? await valueOf(projection, options) : doc
      const body = JSON.stringify(value ?? null)
      results.push(
        Buffer.byteLength(body) > job.maxBytes
          ? {matched: true, error: `Payload larger than ${job.maxBytes} bytes of JSON`}
          : {matched: true, body},
      )
    } catch (e) {
      results.push({matched: true, error: `Projection failed: ${(e as Error).message}`})
    }
  }
  return results
}
