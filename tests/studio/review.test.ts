/**
 * The Studio's review desk and badges (scripts/studio/structure.ts), built from the real
 * sanity.config.ts workspace headless: the "Needs review" lists' filters, the claims list's ids and
 * the review badge per document type.
 */
import {of} from 'rxjs'
import {createWorkspaceFromConfig, type DocumentBadgeProps, type Source} from 'sanity'
import {createStructureBuilder, type StructureResolverContext} from 'sanity/structure'
import {afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import config from '../../sanity.config.ts'
import {REVIEW_MONTHS, reviewCutoff} from '../../schemas/rules/review.ts'
import {flaggedClaimIds, ReviewBadge, structure} from '../../scripts/studio/structure.ts'
import {createOfflineClient, createOfflineIndex} from '../../scripts/validate/studioClient.ts'

let source: Source

beforeAll(async () => {
  const first = [config].flat()[0]!
  const client = createOfflineClient(createOfflineIndex([]), {
    projectId: first.projectId,
    dataset: first.dataset,
  })
  const workspace = await createWorkspaceFromConfig({
    ...first,
    // Both given => no login and no network (see scripts/validate/studio.ts).
    currentUser: {id: 'u', name: 'U', email: 'u@localhost', role: 'administrator', roles: []},
    getClient: (options: {apiVersion: string}) => client.withConfig(options) as never,
  } as Parameters<typeof createWorkspaceFromConfig>[0])
  source = workspace.unstable_sources[0]!
})

afterEach(() => {
  vi.useRealTimers()
})

const sys = {_rev: 'r', _createdAt: '2026-01-01T00:00:00Z', _updatedAt: '2026-01-01T00:00:00Z'}

interface ListOptions {
  filter: string
  params: Record<string, unknown>
}
interface Serialized {
  id: string
  options?: ListOptions
  items?: Serialized[]
  child?: unknown
}
const serialize = (node: unknown): Serialized =>
  typeof (node as {serialize?: unknown}).serialize === 'function'
    ? (node as {serialize: () => Serialized}).serialize()
    : (node as Serialized)

/** Filter and params of each "Needs review" list, its child resolved (an observable: first value). */
async function needsReviewLists(benefits: unknown[]): Promise<Map<string, ListOptions>> {
  const S = createStructureBuilder({source, perspectiveStack: ['drafts']})
  const context = {
    ...source,
    documentStore: {listenQuery: () => of(benefits)},
  } as unknown as StructureResolverContext
  const root = serialize(structure(S, context))
  const item = root.items!.find((i) => i.id === 'needs-review')!
  const lists = new Map<string, ListOptions>()
  for (const entry of serialize(item.child).items!) {
    const child =
      typeof entry.child === 'function'
        ? (entry.child as (id: string, o: object) => unknown)(entry.id, {})
        : entry.child
    const resolved =
      typeof (child as {subscribe?: unknown}).subscribe === 'function'
        ? await new Promise((resolve) =>
            (child as {subscribe: (f: (v: unknown) => void) => void}).subscribe(resolve),
          )
        : child
    const {filter, params} = serialize(resolved).options!
    lists.set(entry.id, {filter, params})
  }
  return lists
}

describe('"Needs review" desk lists', () => {
  it('filter never-reviewed and expired documents of every type that has a review', async () => {
    vi.useFakeTimers({toFake: ['Date']})
    vi.setSystemTime(new Date('2026-06-15T08:00:00Z'))
    const lists = await needsReviewLists([])
    expect([...lists.keys()]).toEqual(['never-reviewed', 'review-expired', 'claims-flagged'])
    expect(lists.get('never-reviewed')!).toEqual({
      filter: '_type in $types && !defined(review.lastReviewed)',
      params: {types: ['article', 'benefit']},
    })
    expect(lists.get('review-expired')!).toEqual({
      filter: '_type in $types && review.lastReviewed < $cutoff',
      params: {types: ['article', 'benefit'], cutoff: reviewCutoff('2026-06-15', REVIEW_MONTHS)},
    })
  })

  it('lists the benefits whose absolute claims have no citation, by id', async () => {
    const lists = await needsReviewLists([
      {_id: 'benefit-uncited', title: 'Erases Stretch Marks'},
      {_id: 'benefit-cited', title: 'Erases Stretch Marks', citations: [{title: 'T', pmid: '1'}]},
      {_id: 'benefit-plain', title: 'Softens Fine Lines'},
    ])
    expect(lists.get('claims-flagged')!).toEqual({
      filter: '_type == "benefit" && _id in $ids',
      params: {ids: ['benefit-uncited', 'drafts.benefit-uncited']},
    })
  })
})

describe('flaggedClaimIds', () => {
  it('judges the draft when there is one, and lists both ids of a flagged benefit', () => {
    const cite = [{title: 'T', doi: '10.1000/182'}]
    expect(
      flaggedClaimIds([
        // Published is flagged, its draft adds a citation: not flagged.
        {_id: 'benefit-a', title: 'Erases scars'},
        {_id: 'drafts.benefit-a', title: 'Erases scars', citations: cite},
        // The draft adds a claim the published version does not have (draft listed first).
        {_id: 'drafts.benefit-b', title: 'Guaranteed results'},
        {_id: 'benefit-b', title: 'Softens lines'},
        // Only a draft.
        {_id: 'drafts.benefit-c', summary: 'Flawless skin.'},
      ]),
    ).toEqual(['benefit-b', 'benefit-c', 'drafts.benefit-b', 'drafts.benefit-c'])
  })
})

describe('review badge', () => {
  const props = (docs: {draft?: unknown; published?: unknown}) =>
    ({
      id: 'benefit-x',
      type: 'benefit',
      draft: null,
      published: null,
      version: null,
      liveEdit: false,
      liveEditSchemaType: false,
      ready: true,
      transactionSyncLock: null,
      ...docs,
    }) as unknown as DocumentBadgeProps
  const doc = (lastReviewed?: string) => ({
    ...sys,
    _id: 'benefit-x',
    _type: 'benefit',
    ...(lastReviewed ? {review: {_type: 'review', lastReviewed}} : {}),
  })

  it('says Reviewed, Review expired or Not reviewed, from today', () => {
    vi.useFakeTimers({toFake: ['Date']})
    vi.setSystemTime(new Date('2026-06-15T08:00:00Z'))
    const current = reviewCutoff('2026-06-15', REVIEW_MONTHS)
    const day = new Date(`${current}T00:00:00Z`)
    day.setUTCDate(day.getUTCDate() - 1)
    const expired = day.toISOString().slice(0, 10)
    expect(ReviewBadge(props({published: doc(current)}))).toMatchObject({
      label: 'Reviewed',
      color: 'success',
    })
    expect(ReviewBadge(props({published: doc(expired)}))).toMatchObject({
      label: 'Review expired',
      color: 'warning',
    })
    expect(ReviewBadge(props({published: doc()}))).toMatchObject({label: 'Not reviewed'})
  })

  it('shows the draft’s state over the published one, and nothing for a missing document', () => {
    const today = new Date().toISOString().slice(0, 10)
    expect(ReviewBadge(props({draft: doc(today), published: doc()}))).toMatchObject({
      label: 'Reviewed',
    })
    expect(ReviewBadge(props({}))).toBeNull()
  })

  it('is on the document types that carry a review, and only on them', () => {
    const badges = (schemaType: string) =>
      source.document.badges({schemaType, documentId: `${schemaType}-x`})
    expect(badges('benefit')).toContain(ReviewBadge)
    expect(badges('article')).toContain(ReviewBadge)
    expect(badges('concern')).not.toContain(ReviewBadge)
    expect(badges('person')).not.toContain(ReviewBadge)
  })
})
