/**
 * Apply named migrations of the migrations folder to an open dataset, as `npm run migrate <name>`
 * would (ledger, revision checks, one transaction each): how `npm start` creates the documents a
 * migration owns (the partners) on a fresh dataset. Already applied: nothing happens. A failure
 * throws, nothing of that migration written.
 */
import {MIGRATIONS_DIR} from '../lib/paths.ts'
import type {Dataset} from '../store/dataset.ts'
import {discoverMigrations, findMigration} from './discover.ts'
import {EmbeddedTarget} from './embedded.ts'
import {MigrationFailedError} from './errors.ts'
import {runMigrations, type RunOptions} from './runner.ts'
import type {MigrationOutcome} from './types.ts'

export async function applyMigrations(
  ds: Dataset,
  names: readonly string[],
  opts: RunOptions = {},
): Promise<MigrationOutcome[]> {
  const all = await discoverMigrations(MIGRATIONS_DIR)
  const {migrations} = await runMigrations(
    new EmbeddedTarget(ds),
    names.map((name) => findMigration(all, name)),
    opts,
  )
  const failed = migrations.find((m) => m.status === 'failed')
  if (failed)
    throw new MigrationFailedError(
      failed.id,
      (failed.error?.message ?? 'failed').replace(`${failed.id}: `, ''),
    )
  return migrations
}
