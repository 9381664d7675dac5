/**
 * A seed-like dataset in the shapes the migrations exist for: the real seed imported, then edited
 * the way an older model and the Studio leave content — benefits without a summary (a draft
 * too), free-text reviewers, adjuncts without a kind, links as plain references.
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
  /** Benefits (the draft too) whose links are plain references. */
  plainLinks: string[]
}

const LINK_FIELDS = ['concerns', 'skinTypes', 'serums'] as const

/** A benefit's link objects as the plain references the older model stored. */
function plainLinks(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of LINK_FIELDS) {
    const links = doc[field]
    if (!Array.isArray(links) || links.length === 0) continue
    out[field] = (links as Array<{_key: string; target: {_ref: string}}>).map((l) => ({
      _key: l._key,
      _type: 'reference',
      _ref: l.target._ref,
    }))
  }
  return out
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
  const linked = benefits.filter((b) => Object.keys(plainLinks(b)).length > 0)
  const draft = `drafts.${b2!._id}`
  const mutations: Mutation[] = [
    {patch: {id: b0!._id, unset: ['summary']}},
    {patch: {id: b1!._id, set: {summary: ''}}},
    {
      createOrReplace: {
        ...draftContent,
        ...plainLinks(draftContent),
        _id: draft,
        title: `${String(b2!.title)} (edited)`,
      },
    },
    ...linked.map((b): Mutation => ({patch: {id: b._id, set: plainLinks(b)}})),
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
    plainLinks: [
      ...linked.map((b) => b._id),
      ...(Object.keys(plainLinks(draftContent)).length ? [draft] : []),
    ],
  }
}
