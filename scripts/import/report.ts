/** What an import did, as data (for --json and callers) and as a short text for people. */
import {formatProblem} from '../lib/errors.ts'
import type {Composition, FlaggedEntry, LinkEntry, UnlinkedEntry} from './documents.ts'
import type {Plan} from './plan.ts'
import type {ImportWarning} from './types.ts'

export interface ImportReport {
  ok: true
  /** The source path as given. */
  file: string
  articleId: string
  title: string
  treatment?: Composition['treatment']
  dryRun: boolean
  created: number
  updated: number
  unchanged: number
  deleted: number
  ids: {
    created: string[]
    updated: string[]
    unchanged: string[]
    deleted: string[]
    kept: string[]
  }
  /** Set when something was written. */
  transactionId?: string
  benefits: Array<{number: number; id: string; title: string; line: number}>
  /** Relations per benefit: `kind` tells suits from caution and contraindicated. */
  links: LinkEntry[]
  unlinked: UnlinkedEntry[]
  /** Sentences with uncertain cues: nothing in them was linked positively; an editor decides. */
  flagged: FlaggedEntry[]
  warnings: ImportWarning[]
}

export function buildReport(
  file: string,
  c: Composition,
  plan: Plan,
  opts: {dryRun: boolean; transactionId?: string; lines: ReadonlyMap<string, number>},
): ImportReport {
  return {
    ok: true,
    file,
    articleId: c.article._id,
    title: c.article.title,
    ...(c.treatment ? {treatment: c.treatment} : {}),
    dryRun: opts.dryRun,
    created: plan.created.length,
    updated: plan.updated.length,
    unchanged: plan.unchanged.length,
    deleted: plan.deleted.length,
    ids: {
      created: plan.created,
      updated: plan.updated,
      unchanged: plan.unchanged,
      deleted: plan.deleted,
      kept: plan.kept,
    },
    ...(opts.transactionId ? {transactionId: opts.transactionId} : {}),
    benefits: c.benefits.map((b, i) => ({
      number: i + 1,
      id: b._id,
      title: b.title,
      line: opts.lines.get(b._id) ?? 0,
    })),
    links: c.links,
    unlinked: c.unlinked,
    flagged: c.flagged,
    warnings: [...c.warnings, ...plan.warnings],
  }
}

/** A few readable lines: counts, per-benefit links, then warnings (file:line: message). */
export function formatReport(r: ImportReport): string {
  const counts = `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.deleted} deleted`
  const out = [
    `${r.file} → ${r.articleId} "${r.title}"${r.treatment ? ` (treatment: ${r.treatment.id})` : ''}`,
    r.dryRun
      ? `dry run, nothing written; the import would give: ${counts}`
      : r.created + r.updated + r.deleted === 0
        ? `${counts}: already up to date, nothing written`
        : counts,
  ]
  if (r.ids.kept.length) out.push(`kept editor changes in: ${r.ids.kept.join(', ')}`)
  const slug = (l: LinkEntry) => l.targetId.replace(/^[a-zA-Z]+-/, '')
  for (const b of r.benefits) {
    const own = r.links.filter((l) => l.benefitId === b.id)
    const of = (kind: LinkEntry['kind']) => own.filter((l) => l.kind === kind).map(slug)
    const [suits, caution, not] = [of('suits'), of('caution'), of('contraindicated')]
    out.push(
      `  ${String(b.number).padStart(2)}. ${b.title}${own.length ? '' : ' → (nothing linked)'}${suits.length ? ` → ${suits.join(', ')}` : ''}${caution.length ? ` | caution: ${caution.join(', ')}` : ''}${not.length ? ` | not for: ${not.join(', ')}` : ''}`,
    )
  }
  const notes = r.unlinked.filter(
    (u) => u.reason !== 'nothing-linked' && u.reason !== 'title-unmatched',
  )
  for (const u of notes) out.push(`  unlinked: ${r.file}:${u.line}: ${u.message}`)
  for (const f of r.flagged)
    out.push(`  flagged: ${r.file}:${f.line}: ${f.reason} (not linked positively): "${f.sentence}"`)
  if (r.warnings.length) {
    out.push(`${r.warnings.length} editorial note(s):`)
    for (const w of r.warnings) out.push(`  ${formatProblem(w)} [${w.rule}]`)
  }
  return out.join('\n')
}
