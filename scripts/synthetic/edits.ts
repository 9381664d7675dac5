/**
 * One-document edits of the kinds editors make, as store transactions, for the incremental
 * export and validation checks (the benchmark and the tests): retitle a benefit others link to,
 * rename a taxonomy term (title and slug), delete a document, add a new one, reorder an article,
 * change a reviewer, mark a benefit not for a skin type it suits, rename what a caution is about.
 * Deterministic: each picks its document from the dataset's sorted ids.
 */
import type {Dataset} from '../store/dataset.ts'
import type {Mutation, StoredDocument} from '../store/types.ts'

export const EDIT_KINDS = [
  'retitle-benefit',
  'rename-taxonomy',
  'delete-benefit',
  'delete-concern',
  'add-benefit',
  'reorder-article',
  'edit-reviewer',
  'contraindicate-benefit',
  'rename-cautioned',
] as const
export type EditKind = (typeof EDIT_KINDS)[number]

type Raw = Record<string, unknown>
/** Ids of a reference array (`benefits`) or of link and caution objects (`skinTypes`, `cautions`). */
const refIds = (v: unknown): string[] =>
  Array.isArray(v)
    ? v
        .map((r) => {
          const m = r as {_ref?: unknown; target?: {_ref?: unknown}}
          return m?._ref ?? m?.target?._ref
        })
        .filter((x): x is string => typeof x === 'string')
    : []

/** A value without the mark an earlier edit of the same kind left, so repeated edits do not grow it. */
const strip = (value: unknown, mark: RegExp) => String(value).replace(mark, '')

/** The first published document of a type satisfying `ok`, in id order. */
function pick(
  docs: readonly StoredDocument[],
  type: string,
  ok: (d: StoredDocument) => boolean = () => true,
): StoredDocument {
  const doc = docs.find((d) => d._type === type && !d._id.includes('.') && ok(d))
  if (!doc) throw new Error(`no ${type} document to edit`)
  return doc
}

/** The mutations of one edit (pure: decided from the documents). `n` varies the edit between runs. */
export function editMutations(docs: readonly StoredDocument[], kind: EditKind, n = 1): Mutation[] {
  const listed = new Set(
    docs.filter((d) => d._type === 'article').flatMap((a) => refIds((a as Raw).benefits)),
  )
  switch (kind) {
    case 'retitle-benefit': {
      const b = pick(docs, 'benefit', (d) => listed.has(d._id))
      return [
        {patch: {id: b._id, set: {title: `${strip(b.title, / \(revised \d+\)$/)} (revised ${n})`}}},
      ]
    }
    case 'rename-taxonomy': {
      const c = pick(docs, 'concern')
      return [
        {
          patch: {
            id: c._id,
            set: {
              title: `${strip(c.title, / renamed \d+$/)} renamed ${n}`,
              slug: {
                _type: 'slug',
                current: `${strip((c.slug as {current: string}).current, /-renamed-\d+$/)}-renamed-${n}`,
              },
            },
          },
        },
      ]
    }
    case 'delete-benefit': {
      // Not one an article lists: that would leave the article pointing nowhere (a validation error).
      const b = pick(docs, 'benefit', (d) => !listed.has(d._id))
      return [{delete: {id: b._id}}]
    }
    case 'delete-concern': {
      // Benefits keep their (now dangling) references: pages drop the link, validation reports it.
      const c = pick(docs, 'concern')
      return [{delete: {id: c._id}}]
    }
    case 'add-benefit': {
      const template = pick(docs, 'benefit', (d) => listed.has(d._id))
      const {_id: _i, _rev: _r, _createdAt: _c, _updatedAt: _u, ...fields} = template
      const title = `A new benefit ${n}`
      return [
        {
          create: {
            ...fields,
            _id: `benefit-new-${n}`,
            _type: 'benefit',
            title,
            slug: {_type: 'slug', current: `a-new-benefit-${n}`},
          },
        },
      ]
    }
    case 'reorder-article': {
      const a = pick(docs, 'article', (d) => refIds((d as Raw).benefits).length > 1)
      const benefits = [...((a as Raw).benefits as unknown[])].reverse()
      return [{patch: {id: a._id, set: {benefits}}}]
    }
    case 'edit-reviewer': {
      const p = pick(docs, 'person')
      return [{patch: {id: p._id, set: {credentials: `MD, PhD (${n})`}}}]
    }
    case 'contraindicate-benefit': {
      // Not for a skin type it also suits: pages show the caution, and the positive link goes.
      const b = pick(docs, 'benefit', (d) => listed.has(d._id) && refIds(d.skinTypes).length > 0)
      const target = refIds(b.skinTypes)[0]!
      // One such caution per target: a repeated edit rewrites its advice.
      const key = `contra-${target}`
      const caution = {
        _key: key,
        _type: 'caution',
        kind: 'contraindicated',
        target: {_type: 'reference', _ref: target},
        advice: `Not for this skin type (${n}).`,
      }
      return [
        {
          patch: {
            id: b._id,
            set: {
              cautions: [
                ...(((b as Raw).cautions as Array<{_key?: string}> | undefined) ?? []).filter(
                  (c) => c._key !== key,
                ),
                caution,
              ],
            },
          },
        },
      ]
    }
    case 'rename-cautioned': {
      const cautioned = new Set(docs.flatMap((d) => refIds((d as Raw).cautions)))
      const t = pick(docs, 'skinType', (d) => cautioned.has(d._id))
      return [
        {
          patch: {
            id: t._id,
            set: {title: `${strip(t.title, / \(cautioned \d+\)$/)} (cautioned ${n})`},
          },
        },
      ]
    }
  }
}

/** Apply one edit to the dataset (one transaction). */
export function applyEdit(
  ds: Dataset,
  kind: EditKind,
  n = 1,
  opts: {docs?: readonly StoredDocument[]} = {},
): void {
  ds.transaction(editMutations(opts.docs ?? ds.documents(), kind, n), {author: `bench:${kind}`})
}
