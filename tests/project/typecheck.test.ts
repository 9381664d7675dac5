/** The whole project type-checks under the strict tsconfig (Node runs it by stripping types, so nothing else would catch a type error). */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {ROOT} from '../../scripts/lib/paths.ts'
import {NODE} from '../helpers/run.ts'

it('passes `tsc --noEmit`', () => {
  const r = spawnSync(
    NODE,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', ROOT],
    {cwd: ROOT, encoding: 'utf8'},
  )
  expect(r.stdout + r.stderr).toBe('')
  expect(r.status).toBe(0)
}, 180_000)
