/**
 * GROQ over a snapshot of the dataset: the project's local runner (scripts/query/local.ts). The
 * snapshot is rebuilt only when the transaction log moved (this process or another one wrote), so
 * the Studio's bursts of preview queries share one read of the file. Used inside the query worker
 * (queryWorker.ts) and, for in-memory datasets, on the server's own thread.
 */
import {createLocalSource, runQuery, type LocalSource, type Perspective} from '../query/local.ts'
import type {Dataset} from '../store/dataset.ts'

/**
 * In the drafts perspective the Studio reads `_originalId` on every document, published ones
 * included (Content Lake sets it on all of them there); the runner sets it on overlaid drafts.
 */
function withOriginalIds(base: LocalSource): LocalSource {
  let drafts: ReturnType<LocalSource['view']> | undefined
  return {
    kind: 'local',
    documents: base.documents,
    view(perspective) {
      if (perspective !== 'drafts') return base.view(perspective)
      if (!drafts) {
        const documents = base.view('drafts').documents.map((d) => (d._originalId ? d : {...d, _originalId: d._id}))
        drafts = {documents, byId: new Map(documents.map((d) => [d._id, d]))}
      }
      return drafts
    },
  }
}

export class QuerySnapshot {
  private readonly ds: Dataset
  private snapshot: {seq: number; source: LocalSource} | undefined

  constructor(ds: Dataset) {
    this.ds = ds
  }

  source(): LocalSource {
    const seq = this.ds.lastSeq()
    if (!this.snapshot || this.snapshot.seq !== seq) this.snapshot = {seq, source: withOriginalIds(createLocalSource(this.ds))}
    return this.snapshot.source
  }

  run(query: string, params: Record<string, unknown>, perspective: Perspective): Promise<unknown> {
    return runQuery(this.source(), query, params, {perspective})
  }
}
