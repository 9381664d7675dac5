/**
 * A second process writing to a dataset file, for the concurrency tests. One JSON argument:
 * - {dataset, mutations, ifRevisionIDs?, barrier?}: wait until the `barrier` file exists (so two
 *   writers start together), then commit `mutations` through the store; prints {ok, transactionId}
 *   or {ok: false, code, message}.
 * - {dataset, hold, release}: take the write lock (BEGIN IMMEDIATE), change `hold` documents' json,
 *   print {locked: true}, keep the lock until the `release` file exists, then commit — a long write
 *   such as a 100k-document import, stretched for as long as the test needs.
 */
import {existsSync} from 'node:fs'
import {DatabaseSync} from 'node:sqlite'
import {setTimeout as sleep} from 'node:timers/promises'
import {PipelineError} from '../../../scripts/lib/errors.ts'
import {Dataset} from '../../../scripts/store/dataset.ts'
import type {Mutation} from '../../../scripts/store/types.ts'

const job = JSON.parse(process.argv[2]!) as {
  dataset: string
  mutations?: Mutation[]
  ifRevisionIDs?: Record<string, string>
  barrier?: string
  hold?: number
  release?: string
}

async function waitFor(file: string): Promise<void> {
  while (!existsSync(file)) await sleep(2)
}

if (job.hold !== undefined) {
  const db = new DatabaseSync(job.dataset, {timeout: 30_000})
  db.exec('BEGIN IMMEDIATE')
  const update = db.prepare(
    "UPDATE documents SET json = json_set(json, '$.heldBy', 'writer') WHERE rowid IN (SELECT rowid FROM documents LIMIT ?)",
  )
  update.run(job.hold)
  process.stdout.write(`${JSON.stringify({locked: true})}\n`)
  await waitFor(job.release!)
  db.exec('ROLLBACK')
  db.close()
  process.stdout.write(`${JSON.stringify({released: true})}\n`)
} else {
  const ds = Dataset.open(job.dataset)
  process.stdout.write(`${JSON.stringify({ready: true})}\n`)
  if (job.barrier) await waitFor(job.barrier)
  try {
    const tx = ds.transaction(job.mutations!, {
      author: `writer:${process.pid}`,
      ...(job.ifRevisionIDs ? {ifRevisionIDs: job.ifRevisionIDs} : {}),
    })
    process.stdout.write(`${JSON.stringify({ok: true, transactionId: tx.transactionId})}\n`)
  } catch (e) {
    const err = e as PipelineError
    process.stdout.write(
      `${JSON.stringify({ok: false, code: PipelineError.is(e) ? err.code : 'INTERNAL', message: err.message})}\n`,
    )
    process.exitCode = 1
  } finally {
    ds.close()
  }
}
