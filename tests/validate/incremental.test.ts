/**
 * Incremental validation reports exactly what a full validation reports, after every kind of
 * edit, while re-running the Studio's rules only on documents whose content or dependencies
 * changed; worker threads give the same report as this thread.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {applyEdit, EDIT_KINDS} from '../../scripts/synthetic/edits.ts'
import {validationCachePath} from '../../scripts/validate/cache.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {tempDir} from '../feeds/helpers.ts'
import {generatedDataset} from '../helpers/synthetic.ts'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('incremental-validate-')
})
afterAll(() => tmp.cleanup())

const read = (path: string) => {
  const ds = Dataset.open(path)
  try {
    return ds.documents()
  } finally {
    ds.close()
  }
}

describe('incremental validation', () => {
  it('gives the same problems as a full validation after each kind of edit, validating only what changed', async () => {
    const dataset = generatedDataset(join(tmp.dir, 'ds.sqlite'), 300)
    const cache = validationCachePath(dataset)
    const first = await validateDocuments(read(dataset), {cache, workers: 0})
    expect(first).toMatchObject({validated: 300, reused: 0})
    let n = 0
    for (const kind of EDIT_KINDS) {
      const ds = Dataset.open(dataset)
      applyEdit(ds, kind, ++n)
      ds.close()
      const docs = read(dataset)
      const incremental = await validateDocuments(docs, {cache, workers: 0})
      const full = await validateDocuments(docs, {workers: 0})
      expect(incremental.problems, kind).toEqual(full.problems)
      // Every edit but one changes a document or what one references, so something must run again;
      // the benefit delete-benefit removes is one no document references: nothing is affected.
      expect(incremental.validated > 0, `${kind}: ${incremental.validated} validated`).toBe(
        kind !== 'delete-benefit',
      )
      expect(incremental.validated, kind).toBeLessThan(docs.length / 4)
      expect(incremental.validated + incremental.reused, kind).toBe(docs.length)
    }
  }, 240_000)

  it('re-validates what a slug collision or a deleted reference target changes', async () => {
    const dataset = generatedDataset(join(tmp.dir, 'deps.sqlite'), 200)
    const cache = validationCachePath(dataset)
    await validateDocuments(read(dataset), {cache, workers: 0})
    const ds = Dataset.open(dataset)
    const [a, b] = ds.documents().filter((d) => d._type === 'concern')
    ds.transaction([{patch: {id: b!._id, set: {slug: a!.slug}}}])
    ds.close()
    const docs = read(dataset)
    const incremental = await validateDocuments(docs, {cache, workers: 0})
    // The edited concern and the one whose slug is now taken: both re-run, both report it.
    expect(incremental.validated).toBe(2)
    expect(incremental.problems).toEqual((await validateDocuments(docs, {workers: 0})).problems)
    expect(
      incremental.problems
        .filter((p) => p.path === 'slug' && p.level === 'error')
        .map((p) => p.documentId)
        .sort(),
    ).toEqual([a!._id, b!._id].sort())
  }, 120_000)
})

describe('parallel validation', () => {
  it('worker threads report the same problems as this thread', async () => {
    const docs = read(generatedDataset(join(tmp.dir, 'parallel.sqlite'), 120))
    // A duplicate slug and a dangling reference, so there is something to report.
    const concern = docs.find((d) => d._type === 'concern')!
    const benefit = docs.find((d) => d._type === 'benefit')!
    docs.push(
      {...concern, _id: 'concern-copy'},
      {
        ...benefit,
        _id: 'benefit-dangling',
        concerns: [{_type: 'link', _key: 'x', target: {_type: 'reference', _ref: 'concern-gone'}}],
      },
    )
    const inThread = await validateDocuments(docs, {workers: 0})
    const inWorkers = await validateDocuments(docs, {workers: 2})
    expect(inWorkers.workers).toBe(2)
    expect(inWorkers.problems).toEqual(inThread.problems)
    // Equal and empty would prove nothing: both copies collide on slugs, and the dangling reference.
    const errors = inThread.problems
      .filter((p) => p.level === 'error')
      .map((p) => `${p.documentId} ${p.path}: ${p.message.split(':')[0]}`)
    const slug = (d: StoredDocument) => (d.slug as {current: string}).current
    expect(errors).toEqual([
      `${benefit._id} slug: slug "${slug(benefit)}" is used by 2 benefit documents (${benefit._id}, benefit-dangling)`,
      'benefit-dangling concerns[_key=="x"].target: references "concern-gone", which does not exist',
      `benefit-dangling slug: slug "${slug(benefit)}" is used by 2 benefit documents (${benefit._id}, benefit-dangling)`,
      `${concern._id} slug: slug "${slug(concern)}" is used by 2 concern documents (${concern._id}, concern-copy)`,
      `concern-copy slug: slug "${slug(concern)}" is used by 2 concern documents (${concern._id}, concern-copy)`,
    ])
  }, 120_000)
})
