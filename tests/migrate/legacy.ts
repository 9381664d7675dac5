/**
 * A seed-like dataset in the shapes the migrations exist for: the real seed imported, then edited
 * the way an older model and the Studio leave content — benefits without a summary (a draft
 * too), free-text reviewers, adjuncts without a kind.
 */
import {join} from 'node:path'
import {importSources} from '../../scripts/import/importer.ts'
import {SOURCES_DIR} from '../../scripts/lib/paths.ts'
import type {Dataset} from '../../scripts/store/dataset.ts'
import type {Mutation} from '../../scripts/store/types.ts'

export const SEED = join(SOURCES_DIR, 'microneedling-benefits.txt')

/** What the legacy edits touched, for assertions. */
export interface LegacyFacts {
  withoutSummary: string[]
  draft: string
  reviewed: string[]
  withoutKind: string[]
}

export async function makeLegacySeed(ds: Dataset): Promise<LegacyFacts> {
  await importSources(ds, [SEED])
  const benefits = ds.documents({types: ['benefit']})
  const [b0, b1, b2, b3] = benefits
  const article = ds.documents({types: ['article']})[0]!
  const serums = ds.documents({types: ['serum']})
  const prp = serums.find((s) => /PRP/.test(String(s.title)))!
  const other = serums.find((s) => s !== prp)!
  const {_rev, _createdAt, _updatedAt, summary, ...draftContent} = b2!
  const draft = `drafts.${b2!._id}`
  const mutations: Mutation[] = [
    {patch: {id: b0!._id, unset: ['summary']}},
    {patch: {id: b1!._id, set: {summary: ''}}},
    {createOrReplace: {...draftContent, _id: draft, title: `${String(b2!.title)} (edited)`}},
    {
      patch: {
        id: article._id,
        set: {
          review: {
            _type: 'review',
            reviewer: 'Dr. Ada Lee, MD, board-certified dermatologist',
            lastReviewed: '2026-09-01',
          },
        },
      },
    },
    {
      patch: {
        id: b3!._id,
        set: {review: {_type: 'review', reviewer: 'Sam Okafor (RN)', lastReviewed: '2026-09-02'}},
      },
    },
    {patch: {id: prp._id, unset: ['kind']}},
    {patch: {id: other._id, unset: ['kind']}},
  ]
  ds.transaction(mutations, {author: 'legacy model'})
  return {
    withoutSummary: [b0!._id, b1!._id],
    draft,
    reviewed: [article._id, b3!._id],
    withoutKind: [prp._id, other._id],
  }
}
