/**
 * An older model kept the medical reviewer as free text (`review.reviewer: "Dr. Ada Lee, MD"`).
 * The model now credits a `person` document (`review.reviewedBy`, schema.org reviewedBy), so a
 * reviewer is one person everywhere and can carry credentials and a profile URL. For every article
 * or benefit (drafts too) with the old field: find the person by name or create one, point
 * `review.reviewedBy` at them, and unset `review.reviewer`. Schema change that goes with it:
 * `review.reviewer` stays as a deprecated, read-only field so un-migrated documents still open
 * (schemas/objects/review.ts).
 */
import {
  at,
  createIfNotExists,
  defineMigration,
  patch,
  setIfMissing,
  unset,
  type Mutation,
} from 'sanity/migrate'
import {parseReviewer, People} from './people.ts'

interface Review {
  reviewer?: unknown
  reviewedBy?: unknown
}

/** The mutations for one document; `people` remembers who was matched or created. Pure apart from `people`. */
export function migrateReviewer(
  doc: {_id: string; _type: string; review?: unknown},
  people: People,
): Mutation[] {
  const review = doc.review as Review | undefined
  if (!review || typeof review !== 'object' || review.reviewer === undefined) return []
  const reviewer = typeof review.reviewer === 'string' ? parseReviewer(review.reviewer) : undefined
  const out: Mutation[] = []
  const ops = []
  // A document that already credits someone keeps that reference; the old text goes either way.
  if (reviewer && !review.reviewedBy) {
    const {id, create} = people.resolve(reviewer)
    if (create) out.push(createIfNotExists(create))
    ops.push(at(['review', 'reviewedBy'], setIfMissing({_type: 'reference', _ref: id})))
  }
  ops.push(at(['review', 'reviewer'], unset()))
  out.push(patch(doc._id, ops))
  return out
}

export default defineMigration({
  title: 'Turn the free-text review.reviewer into a reference to a person',
  documentTypes: ['article', 'benefit', 'person'],
  filter: '_type == "person" || defined(review.reviewer)',
  async *migrate(documents) {
    // One pass, kept in memory (only people and documents with the old field are selected).
    // Not two passes over documents(): Sanity's runner deletes its buffer file once a reader
    // finishes, so a second documents() call fails under `sanity migration run`.
    const selected = []
    for await (const doc of documents()) selected.push(doc)
    // People first, so that a reviewer named on many documents (as "Dr. Ada Lee" or "ada lee")
    // becomes one person, and an existing person is reused rather than duplicated.
    const people = new People()
    for (const doc of selected) if (doc._type === 'person') people.add(doc)
    for (const doc of selected) {
      if (doc._type === 'person') continue
      const mutations = migrateReviewer(doc, people)
      if (mutations.length > 0) yield mutations
    }
  },
})
