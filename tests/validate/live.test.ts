/**
 * Live validation (the publisher's gate) gives the verdicts a full validation gives on the same
 * documents, after every kind of edit and after edits aimed at its dependency tracking (drafts,
 * slug collisions, references that appear and disappear), running the Studio's rules only on
 * what an edit can affect.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isPublishedId} from '../../scripts/store/ids.ts'
import {Dataset} from '../../scripts/store/dataset.ts'
import type {Mutation} from '../../scripts/store/types.ts'
import {applyEdit, EDIT_KINDS} from '../../scripts/synthetic/edits.ts'
import {validationCachePath} from '../../scripts/validate/cache.ts'
import {LiveValidation} from '../../scripts/validate/live.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'
import {tempDir} from '../feeds/helpers.ts'
import {generatedDataset} from '../helpers/synthetic.ts'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir('live-validate-')
})
afterAll(() => tmp.cleanup())

const judged = (id: string) => isPublishedId(id) && !id.startsWith('_.')

/** What a full validation says about the published documents: the gate's verdicts. */
async function fullVerdicts(ds: Dataset) {
  const docs = ds.documents()
  const only = new Set(docs.filter((d) => judged(d._id)).map((d) => d._id))
  const report = await validateDocuments(docs, {only, workers: 0})
  const published = report.problems.filter((p) => p.documentId && judged(p.documentId))
  return {
    errors: published.filter((p) => p.level === 'error'),
    warnings: published.filter((p) => p.level === 'warning').length,
  }
}

/** Commit, then hand the live validation what the log says changed (as the publisher does). */
async function commit(ds: Dataset, live: LiveValidation, write: () => void) {
  const seq = ds.lastSeq()
  write()
  const ids = ds.changedIdsSince(seq).ids
  const docs = ds.getMany(ids)
  return live.apply(ids.map((id, i) => ({id, doc: docs[i]})))
}

describe('live validation', () => {
  it('matches a full validation after every kind of edit, running the rules on little', async () => {
    const path = generatedDataset(join(tmp.dir, 'edits.sqlite'), 300)
    const ds = Dataset.open(path)
    const live = await LiveValidation.start(ds.documents(), {cache: validationCachePath(path)})
    expect(live.verdicts()).toMatchObject(await fullVerdicts(ds))
    let n = 0
    let sawErrors = false
    for (const kind of EDIT_KINDS) {
      const v = await commit(ds, live, () => applyEdit(ds, kind, ++n))
      const full = await fullVerdicts(ds)
      expect({errors: v.errors, warnings: v.warnings}, kind).toEqual(full)
      expect(v.invalidIds, kind).toEqual(new Set(full.errors.map((p) => p.documentId)))
      expect(v.validated, kind).toBeLessThan(30)
      sawErrors ||= v.errors.length > 0
    }
    // delete-concern leaves benefits pointing at nothing: the comparison covered errors too.
    expect(sawErrors).toBe(true)
    ds.close()
  }, 240_000)

  it('follows drafts, slug collisions and references that come and go', async () => {
    const path = generatedDataset(join(tmp.dir, 'deps.sqlite'), 150)
    const ds = Dataset.open(path)
    const live = await LiveValidation.start(ds.documents())
    const [a, b] = ds.documents().filter((d) => d._type === 'concern')
    const benefit = ds.documents().find((d) => d._type === 'benefit')!
    const steps: Array<[string, Mutation[]]> = [
      ['published slug collision', [{patch: {id: b!._id, set: {slug: a!.slug}}}]],
      ['collision resolved', [{patch: {id: b!._id, set: {slug: {_type: 'slug', current: 'b2'}}}}]],
      [
        'reference to a concern that does not exist yet',
        [
          {
            patch: {
              id: benefit._id,
              set: {
                concerns: [
                  {_type: 'link', _key: 'n', target: {_type: 'reference', _ref: 'concern-new'}},
                ],
              },
            },
          },
        ],
      ],
      [
        'it appears as a draft',
        [{create: {...a!, _id: 'drafts.concern-new', slug: {_type: 'slug', current: 'new'}}}],
      ],
      ['a draft takes a published slug', [{create: {...a!, _id: 'drafts.concern-x'}}]],
      [
        'the draft is published',
        [
          {create: {...a!, _id: 'concern-new', slug: {_type: 'slug', current: 'new'}}},
          {delete: {id: 'drafts.concern-new'}},
        ],
      ],
      ['the target is deleted again', [{delete: {id: 'concern-new'}}]],
    ]
    const seen = new Set<string>()
    for (const [step, mutations] of steps) {
      const v = await commit(ds, live, () => ds.transaction(mutations))
      const full = await fullVerdicts(ds)
      expect({errors: v.errors, warnings: v.warnings}, step).toEqual(full)
      for (const p of v.errors) seen.add(p.message.replace(/"[^"]*"/g, '""'))
    }
    // The steps produced the errors they were written for.
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^references "", which does not exist$/),
        expect.stringMatching(/exists only as an unpublished draft/),
        expect.stringMatching(/is used by 2 concern documents/),
      ]),
    )
    ds.close()
  }, 240_000)
})
