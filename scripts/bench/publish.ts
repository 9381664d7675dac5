/**
 * Publish latency: the publisher (`npm run export -- --watch`'s runPublisher, in this process)
 * follows the dataset while edits of the kinds editors make are committed through the local API
 * (`npm run api`, a process of its own, written to with @sanity/client as the Studio would). An
 * edit's latency is the publisher's own `latencyMs`: from the commit (the transaction's time) to
 * its files in place, validated. One edit at a time, each awaited before the next.
 *
 * The first edit after the publisher starts also loads the Studio's rules (~2 s of `sanity`): it
 * is reported apart (`firstMs`), not in the percentiles.
 */
import {createClient} from '@sanity/client'
import {runPublisher, type PublishReport} from '../feeds/publisher.ts'
import {disableTelemetry} from '../lib/env.ts'
import {Dataset} from '../store/dataset.ts'
import type {Mutation} from '../store/types.ts'
import {editMutations, type EditKind} from '../synthetic/edits.ts'
import {startApi} from './api.ts'
import {percentile, type StageResult} from './stages.ts'

/** A retitle, new references, a slug change, a delete, and the rest editors do. */
const KINDS: readonly EditKind[] = [
  'retitle-benefit',
  'contraindicate-benefit',
  'rename-taxonomy',
  'delete-benefit',
  'add-benefit',
  'reorder-article',
  'edit-reviewer',
  'rename-cautioned',
]

/** The id an edit is about (what its publish must list). */
const editedId = (mutations: Mutation[]): string => {
  const m = mutations[0]!
  const id =
    'patch' in m ? m.patch.id : 'delete' in m ? m.delete.id : 'create' in m ? m.create._id : null
  if (typeof id !== 'string') throw new Error(`unexpected edit ${JSON.stringify(m).slice(0, 200)}`)
  return id
}

export async function publishLatency(
  args: {dataset: string; out: string; edits: number; workDir: string},
  progress: (message: string) => void,
): Promise<StageResult> {
  disableTelemetry()
  const {info, stop} = await startApi(args.dataset, args.workDir)
  const client = createClient({
    projectId: info.projectId,
    dataset: info.dataset,
    apiHost: info.httpUrl,
    apiVersion: '2025-02-19',
    token: info.token,
    useCdn: false,
    useProjectHostname: false,
  })
  const reader = Dataset.open(args.dataset)
  const abort = new AbortController()
  const reports: PublishReport[] = []
  let wake: (() => void) | undefined
  let failed: unknown
  const running = runPublisher({
    dataset: args.dataset,
    out: args.out,
    signal: abort.signal,
    onPublish: (r) => {
      reports.push(r)
      wake?.()
    },
    onError: (e) => {
      failed = e
      wake?.()
    },
  })
  running.catch((e: unknown) => {
    failed = e
    wake?.()
  })
  /** The next publish (the publisher polls the log: it may already have happened). */
  const next = async (): Promise<PublishReport> => {
    const deadline = performance.now() + 120_000
    while (!reports.length && !failed) {
      const left = deadline - performance.now()
      if (left <= 0) throw new Error('no publish within 120 s')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    if (failed) throw failed
    return reports.shift()!
  }
  try {
    const started = performance.now()
    const first = await next()
    const startMs = performance.now() - started
    const latencies: number[] = []
    const byKind: Record<string, number[]> = {}
    let firstMs = 0
    for (let i = 0; i <= args.edits; i++) {
      const kind = KINDS[i % KINDS.length]!
      const mutations = editMutations(reader.documents(), kind, 1000 + i)
      const id = editedId(mutations)
      await client.mutate(mutations as never, {visibility: 'sync'})
      const r = await next()
      if (r.heldBack.length || !r.documents.includes(id))
        throw new Error(`edit ${kind} of ${id}: published ${JSON.stringify(r).slice(0, 500)}`)
      if (i === 0) firstMs = r.latencyMs!
      else {
        latencies.push(r.latencyMs!)
        ;(byKind[kind] ??= []).push(r.latencyMs!)
      }
      progress(`${kind} ${id}: ${r.latencyMs} ms (${r.mode})`)
    }
    return {
      ms: latencies.reduce((a, b) => a + b, 0),
      edits: latencies.length,
      startMs: Math.round(startMs),
      startMode: first.mode,
      firstMs,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: Math.max(...latencies),
      byKindP50: Object.fromEntries(
        Object.entries(byKind).map(([k, v]) => [k, percentile(v, 0.5)]),
      ),
    }
  } finally {
    abort.abort()
    await running.catch(() => {})
    reader.close()
    await stop()
  }
}
