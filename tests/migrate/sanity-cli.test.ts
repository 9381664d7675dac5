/**
 * The same migration files under Sanity's own CLI, offline: `sanity migration list` finds them and
 * `sanity migration run <id> --from-export` dry-runs them on an archive written by
 * `npm run migrate -- --export-archive`, planning the same changes as our dry run.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunReport} from '../../scripts/migrate/types.ts'
import {runSanity, runScript} from '../helpers/run.ts'
import {datasetWith, fixtureDocs, tempDir} from './helpers.ts'

const {dir, cleanup} = tempDir('migrate-sanity-cli-')
afterAll(cleanup)

// Sanity's runner buffers exports under $TMPDIR/sanity-migrate and never deletes them: keep them in our temp dir.
const sanity = (args: string[]) => runSanity(args, {env: {TMPDIR: dir}})
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')
const IDS = [
  '2026-11-01-backfill-benefit-summary',
  '2026-11-02-reviewer-name-to-person',
  '2026-11-03-serum-kind-backfill',
  '2026-12-08-partners-as-documents',
]

/** A dataset file from a migration's fixture, and its export archive. */
function archiveOf(id: string): {dataset: string; archive: string; documents: number} {
  const dataset = join(dir, `${id}.sqlite`)
  datasetWith(fixtureDocs(id), dataset).close()
  const archive = join(dir, `${id}.tar.gz`)
  const r = runScript('scripts/migrate/cli.ts', [
    '--export-archive',
    archive,
    '--dataset',
    dataset,
    '--json',
  ])
  expect(r.status, r.stderr).toBe(0)
  return {dataset, archive, documents: (JSON.parse(r.stdout) as {documents: number}).documents}
}

/** Ids of the documents in Sanity's dry-run output (`[patch] [benefit] <id>`). */
const plannedIds = (out: string) =>
  [
    ...new Set(
      [...plain(out).matchAll(/^\[(?:patch|create\w*|delete)\] \[[^\]]*\] (\S+)/gm)].map(
        (m) => m[1]!,
      ),
    ),
  ].sort()

describe('Sanity CLI on our migration files', () => {
  beforeAll(() => {
    // Fail early with the CLI's own words if it cannot start here.
    const r = sanity(['migration', 'list'])
    expect(r.status, plain(r.stderr)).toBe(0)
  }, 120_000)

  it('`sanity migration list` finds every migration', () => {
    const out = plain(sanity(['migration', 'list']).stdout)
    for (const id of IDS) expect(out).toContain(id)
  })

  it.each(IDS)('`sanity migration run %s --from-export` plans what our dry run plans', (id) => {
    const {dataset, archive, documents} = archiveOf(id)
    expect(documents).toBe(fixtureDocs(id).filter((d) => !d._id.startsWith('_.')).length)

    const r = sanity(['migration', 'run', id, '--from-export', archive])
    const out = plain(r.stdout + r.stderr)
    expect(r.status, out).toBe(0)
    expect(out).toContain('in dry mode')

    const ours = JSON.parse(
      runScript('scripts/migrate/cli.ts', [id, '--dry-run', '--json', '--dataset', dataset]).stdout,
    ) as RunReport
    expect(plannedIds(out)).toEqual(ours.migrations[0]!.changes.map((c) => c.id).sort())
    if (id === IDS[0])
      expect(out).toContain('set("Tiny punctures prompt the skin to make new collagen.")')
  })
})
