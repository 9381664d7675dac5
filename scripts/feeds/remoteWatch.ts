/**
 * The publisher on a Sanity API (`npm run export -- --watch` with SANITY_PROJECT_ID etc.): the
 * sync mirror (scripts/sync) and the publisher (publisher.ts) in one process, on one embedded
 * dataset file. The mirror copies the source through the export endpoint, then follows it (the
 * listener, or webhook deliveries with `webhook`); once the first copy is in, the publisher does
 * its first export and then publishes whatever the mirror commits, incrementally, as it does for
 * any embedded dataset. Drafts are mirrored as drafts (with a token) and, as always, publish
 * nothing.
 *
 * Stopping (`signal`): the mirror drops the batch it was reading (every write it made is one
 * SQLite transaction: committed whole or not at all) and the publisher finishes the export under
 * way. Either one failing for good stops the other, and the failure is thrown.
 */
import type {RemoteTarget} from '../lib/env.ts'
import {runSync, type SyncOptions, type SyncReport} from '../sync/sync.ts'
import {runWebhookSync} from '../sync/webhook.ts'
import {runPublisher, type PublisherOptions} from './publisher.ts'

export interface RemoteWatchOptions {
  target: RemoteTarget
  /** The mirror file (created when missing; refused when it mirrors another source). */
  dataset: string
  /** Drive the mirror by webhooks on 127.0.0.1:`port` (0: a free one) instead of a listener. */
  webhook?: {port: number; secret: string}
  onListening?: (address: {port: number; url: string}) => void
  publisher: Omit<PublisherOptions, 'dataset' | 'signal'>
  signal: AbortSignal
  progress: (message: string) => void
  /** Documents per copy transaction (default 500). */
  batchSize?: number
}

const describeReport = (r: SyncReport) =>
  `mirror ${r.phase}: ${r.documents} document(s), ${r.written} written, ${r.deleted} deleted (${r.ms} ms)`

/** Run until `opts.signal` aborts; rejects when the first copy, the first export or the mirror fails. */
export async function runRemoteWatch(opts: RemoteWatchOptions): Promise<void> {
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  if (opts.signal.aborted) stop.abort()
  else opts.signal.addEventListener('abort', onAbort, {once: true})
  let markReady = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const failures: unknown[] = []
  const fail = (e: unknown) => {
    failures.push(e)
    stop.abort()
  }
  const sync: Omit<SyncOptions, 'once'> = {
    target: opts.target,
    datasetPath: opts.dataset,
    batchSize: opts.batchSize ?? 500,
    signal: stop.signal,
    report: (r) => opts.progress(describeReport(r)),
    progress: (m) => opts.progress(`mirror: ${m}`),
    onReady: markReady,
    persistent: true,
  }
  const mirror = (
    opts.webhook
      ? runWebhookSync({
          ...sync,
          ...opts.webhook,
          ...(opts.onListening ? {onListening: opts.onListening} : {}),
        })
      : runSync({...sync, once: false})
  ).then(
    // The mirror only returns when stopped; if it ever returned otherwise, nothing would follow.
    () => stop.abort(),
    fail,
  )
  try {
    // The first export waits for the first copy: it publishes the source, not half of it.
    const stopped = new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), {once: true}),
    )
    await Promise.race([ready, stopped, mirror])
    const publisher = stop.signal.aborted
      ? Promise.resolve()
      : runPublisher({...opts.publisher, dataset: opts.dataset, signal: stop.signal}).then(
          () => undefined,
          fail,
        )
    await Promise.all([mirror, publisher])
  } finally {
    opts.signal.removeEventListener('abort', onAbort)
  }
  if (failures.length > 0) throw failures[0]
}
