/**
 * The publish gate (scripts/feeds/gate.ts) on `npm run export`: a published document with a
 * validation error stops the export, every error named, the output untouched; warnings do not.
 */
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {exportFeeds, ValidationGateError} from '../../scripts/feeds/export.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import {importNdjson} from '../../scripts/store/ndjson.ts'
import {validationCachePath} from '../../scripts/validate/cache.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {FIXTURE as API_SEED} from '../api/helpers.ts'
import {runScript} from '../helpers/run.ts'
import {readTree, tempDir, workFolders} from './helpers.ts'

const {dir, cleanup} = tempDir('gate-test-')
afterAll(cleanup)

const DANGLING = 'concerns[_key=="c1"].target'

function seeded(name: string): string {
  const path = join(dir, `${name}.sqlite`)
  const ds = Dataset.open(path)
  importNdjson(ds, readFileSync(API_SEED, 'utf8'), {file: API_SEED})
  ds.close()
  return path
}

const exportCli = (dataset: string, out: string, extra: string[] = []) =>
  runScript('scripts/feeds/cli.ts', ['--dataset', dataset, '--out', out, '--quiet', ...extra])

describe('npm run export: the publish gate', () => {
  it('exits 1 on a dangling reference, names the document and the field, and leaves dist/ as it was', () => {
    const dataset = seeded('dangling')
    const out = join(dir, 'dangling-dist')
    const first = exportCli(dataset, out, ['--json'])
    expect(first.status, first.stderr).toBe(0)
    expect(
      (JSON.parse(first.stdout) as {validation: {documents: number}}).validation.documents,
    ).toBe(6)
    const before = readTree(out)

    const ds = Dataset.open(dataset)
    ds.transaction([
      {patch: {id: 'benefit-fades-acne-scars', set: {[`${DANGLING}._ref`]: 'concern-gone'}}},
      // A second broken document: every error is reported at once.
      {patch: {id: 'benefit-minimizes-pores', unset: ['title']}},
    ])
    ds.close()

    const human = exportCli(dataset, out)
    expect(human.status).toBe(1)
    expect(human.stderr).toContain(
      `error: benefit-fades-acne-scars ${DANGLING}: references "concern-gone", which does not exist`,
    )
    expect(human.stderr).toMatch(/error: benefit-minimizes-pores title: Title is required/)

    const json = exportCli(dataset, out, ['--json'])
    expect(json.status).toBe(1)
    const report = JSON.parse(json.stdout) as {
      ok: boolean
      error: {code: string; problems: Array<{documentId: string; path: string; level: string}>}
    }
    expect(report.ok).toBe(false)
    expect(report.error.code).toBe('VALIDATION_FAILED')
    expect(report.error.problems).toContainEqual(
      expect.objectContaining({documentId: 'benefit-fades-acne-scars', path: DANGLING}),
    )
    expect(report.error.problems.map((p) => p.documentId)).toContain('benefit-minimizes-pores')
    expect(report.error.problems.every((p) => p.level === 'error')).toBe(true)

    const after = readTree(out)
    expect([...after.keys()]).toEqual([...before.keys()])
    for (const [path, bytes] of before) expect(after.get(path)!.equals(bytes), path).toBe(true)
    expect(workFolders(out)).toEqual([])
  })

  it('exports with exit 0 when published documents have only warnings', () => {
    const dataset = seeded('warnings')
    const ds = Dataset.open(dataset)
    ds.transaction([
      // Not linked from anything, and a benefit without a summary: warnings, not errors.
      {
        create: {
          _id: 'concern-lonely',
          _type: 'concern',
          title: 'Lonely',
          slug: {_type: 'slug', current: 'lonely'},
        },
      },
      {patch: {id: 'benefit-fades-acne-scars', unset: ['summary']}},
    ])
    ds.close()
    const out = join(dir, 'warnings-dist')
    const r = exportCli(dataset, out, ['--json'])
    expect(r.status, r.stderr).toBe(0)
    const summary = JSON.parse(r.stdout) as {
      ok: boolean
      validation: {warnings: Array<{documentId: string; level: string}>}
    }
    expect(summary.ok).toBe(true)
    const warned = summary.validation.warnings.map((w) => w.documentId)
    expect(warned).toContain('concern-lonely')
    expect(warned).toContain('benefit-fades-acne-scars')
    expect(existsSync(join(out, 'web', 'concerns', 'lonely.json'))).toBe(true)
  })

  it('answers from the last verdicts while the log has not moved, and never after it has', () => {
    const dataset = seeded('verdicts')
    const validate = runScript('scripts/validate/cli.ts', ['--dataset', dataset, '--json'])
    // Its exit code speaks for the drafts too (the fixture has a broken one); its verdicts are kept.
    expect((JSON.parse(validate.stdout) as {documents: number}).documents, validate.stderr).toBe(8)
    // Without the per-document cache, only the verdicts can spare the gate its work.
    rmSync(validationCachePath(dataset))
    const out = join(dir, 'verdicts-dist')
    const r = exportCli(dataset, out, ['--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(
      (JSON.parse(r.stdout) as {validation: {validated: number; reused: number}}).validation,
    ).toEqual(expect.objectContaining({validated: 0, reused: 6}))
    // A commit moves the log: the verdicts no longer answer, and the new error stops the export.
    const ds = Dataset.open(dataset)
    ds.transaction([{patch: {id: 'benefit-minimizes-pores', unset: ['title']}}])
    ds.close()
    const broken = exportCli(dataset, out, ['--json'])
    expect(broken.status).toBe(1)
    expect(broken.stdout).toContain('Title is required')
  })

  it('a second export re-validates only the changed documents (the validation cache)', () => {
    const dataset = seeded('cache')
    const out = join(dir, 'cache-dist')
    expect(exportCli(dataset, out).status).toBe(0)
    const ds = Dataset.open(dataset)
    ds.transaction([{patch: {id: 'benefit-fades-acne-scars', set: {title: 'Fades Scars'}}}])
    ds.close()
    const r = exportCli(dataset, out, ['--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(
      (JSON.parse(r.stdout) as {validation: {validated: number; reused: number}}).validation,
    ).toMatchObject({validated: 1, reused: 5})
  })

  it('gates documents from any source the same way (in memory)', async () => {
    const docs = readFileSync(API_SEED, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StoredDocument)
    const broken = docs.map((d) =>
      d._id === 'benefit-fades-acne-scars'
        ? {...d, concerns: [{_key: 'c1', _type: 'link', target: {_type: 'reference', _ref: 'x'}}]}
        : d,
    )
    const out = join(dir, 'memory-dist')
    const failure = await exportFeeds({documents: broken, out, gate: true}).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ValidationGateError)
    expect((failure as ValidationGateError).problems).toEqual([
      expect.objectContaining({documentId: 'benefit-fades-acne-scars', path: DANGLING}),
    ])
    expect(existsSync(out)).toBe(false)
    const ok = await exportFeeds({documents: docs, out, gate: true})
    expect(ok.validation?.documents).toBe(docs.filter((d) => !d._id.includes('.')).length)
  })
})
