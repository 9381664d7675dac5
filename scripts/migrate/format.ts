/** Human-readable output of the migrate CLI (--json prints the report objects instead). Pure. */
import type {
  DocumentChange,
  ListedMigration,
  MigrationOutcome,
  RunReport,
  TargetDescription,
} from './types.ts'

const MAX_VALUE = 100

/** A value on one line, long ones cut: `"Tiny punctures…"`, `(missing)`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)'
  const json = JSON.stringify(value)
  return json.length > MAX_VALUE ? `${json.slice(0, MAX_VALUE - 1)}…` : json
}

export function describeTarget(t: TargetDescription): string {
  return t.kind === 'embedded'
    ? t.dataset
    : `${t.apiHost ?? 'https://api.sanity.io'} project ${t.projectId} dataset ${t.dataset}`
}

const SIGN = {create: '+', update: '~', delete: '-'} as const

export function formatChange(c: DocumentChange): string[] {
  const head = `  ${SIGN[c.operation]} ${c.id} (${c.type}${c.operation === 'update' ? '' : `, ${c.operation}`})`
  if (c.operation === 'delete') return [head]
  return [
    head,
    ...c.fields.map((f) => `      ${f.path}: ${formatValue(f.before)} → ${formatValue(f.after)}`),
  ]
}

function formatOutcome(o: MigrationOutcome, dryRun: boolean): string[] {
  const head = `${o.id}: ${o.title}`
  switch (o.status) {
    case 'already-applied':
      return [`${head}\n  already applied${o.appliedAt ? ` ${o.appliedAt}` : ''}: skipped`]
    case 'not-run':
      return [`${head}\n  not run (an earlier migration failed)`]
    case 'failed':
      return [
        `${head}\n  FAILED, nothing of it was written: ${o.error?.message ?? 'unknown error'}`,
      ]
    default: {
      const verb = dryRun ? 'would change' : 'changed'
      const tx = o.transactionIds.length ? ` in transaction ${o.transactionIds.join(', ')}` : ''
      return [
        head,
        ...o.changes.flatMap(formatChange),
        `  ${o.changes.length} document(s) ${verb} (${o.selected} selected, ${o.mutations} mutation(s))${tx}`,
      ]
    }
  }
}

export function formatRun(report: RunReport): string {
  const lines = [
    report.dryRun
      ? `Dry run on ${describeTarget(report.target)}: nothing is written.`
      : `Migrating ${describeTarget(report.target)}`,
  ]
  if (report.migrations.length === 0) lines.push('No migrations found.')
  for (const o of report.migrations) lines.push(...formatOutcome(o, report.dryRun))
  const ran = report.migrations.filter(
    (o) => o.status === 'applied' || o.status === 'dry-run',
  ).length
  if (report.migrations.length > 0 && ran === 0 && report.ok)
    lines.push('Nothing to do: every migration is applied.')
  return lines.join('\n')
}

export function formatList(target: TargetDescription, list: readonly ListedMigration[]): string {
  const width = Math.max(0, ...list.map((m) => m.id.length))
  const lines = list.map((m) => {
    const notes = [
      m.appliedAt,
      m.transactionId && `tx ${m.transactionId}`,
      m.modified && 'files changed since',
      m.missing && 'folder missing',
    ].filter(Boolean)
    return `${m.status.padEnd(8)} ${m.id.padEnd(width)}  ${m.title}${notes.length ? `  (${notes.join(', ')})` : ''}`
  })
  const applied = list.filter((m) => m.status === 'applied').length
  return [
    `Migrations on ${describeTarget(target)}:`,
    ...lines,
    `${applied} applied, ${list.length - applied} pending`,
  ].join('\n')
}
