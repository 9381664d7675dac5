/**
 * GROQ over a snapshot of the dataset: the project's local runner (scripts/query/local.ts). The
 * snapshot is rebuilt only when the transaction log moved (this process or another one wrote), so
 * the Studio's bursts of preview queries share one read of the file. Used inside the query worker
 * (queryWorker.ts) and, for in-memory datasets, on the server's own thread.
 *
 * A rebuild ends with a full garbage collection: at 100k documents, V8 otherwise kept collecting
 * the new snapshot concurrently for about a second, and the queries answered meanwhile took 5–10×
 * their usual time (40–86 ms for a 6 ms query); after one synchronous collection (~0.3 s, once per
 * rebuild, which already takes seconds) they are back to normal within a few queries.
 *
 * Callers without the token query a dataset of their own: only documents with public ids (no `.`:
 * no drafts, versions or `_.`-paths such as `_.migrations.x`), as on the hosted API. They cannot
 * reach a private document at all: not by filter, not by count, not through `->`.
 */
import {createLocalSource, type LocalSource} from '../query/local.ts'
import type {Dataset} from '../store/dataset.ts'
import {isPublicId} from '../store/ids.ts'
import {collectGarbage} from '../lib/gc.ts'

/** Who is asking: the token holder sees every document, anyone else only public ids. */
export type Visibility = 'all' | 'public'

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
        const documents = base
          .view('drafts')
          .documents.map((d) => (d._originalId ? d : {...d, _originalId: d._id}))
        drafts = {documents, byId: new Map(documents.map((d) => [d._id, d]))}
      }
      return drafts
    },
  }
}

export class QuerySnapshot {
  private readonly ds: Dataset
  private snapshot: {seq: number; source: LocalSource; publicSource?: LocalSource} | undefined

  constructor(ds: Dataset) {
    this.ds = ds
  }

  source(visibility: Visibility = 'all'): LocalSource {
    const seq = this.ds.lastSeq()
    if (!this.snapshot || this.snapshot.seq !== seq) {
      // The old snapshot can be collected while the new one is built.
      this.snapshot = undefined
      this.snapshot = {seq, source: withOriginalIds(createLocalSource(this.ds))}
      collectGarbage('sync')
    }
    if (visibility === 'all') return this.snapshot.source
    // Built on first anonymous use; shares the documents, not copies of them.
    this.snapshot.publicSource ??= createLocalSource(
      this.snapshot.source.documents.filter((d) => isPublicId(d._id)),
    )
    return this.snapshot.publicSource
  }
}
