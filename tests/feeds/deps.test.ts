/**
 * Which pages a change can alter (incremental/deps.ts), on a small graph: an article listing three
 * benefits, a treatment, and each benefit's concern. Byte equality with full exports after every
 * kind of edit is checked in tests/feeds/incremental.test.ts; this pins the rule itself.
 */
import {describe, expect, it} from 'vitest'
import {addAffected, type GraphState} from '../../scripts/feeds/incremental/deps.ts'
import type {DocRefs} from '../../scripts/feeds/incremental/refs.ts'

const DOCS: Record<string, {type: string; refs: DocRefs}> = {
  'article-a': {
    type: 'article',
    refs: {benefits: ['benefit-1', 'benefit-2', 'benefit-3'], treatment: ['treatment-t']},
  },
  'benefit-1': {type: 'benefit', refs: {concerns: ['concern-1']}},
  'benefit-2': {type: 'benefit', refs: {concerns: ['concern-2']}},
  'benefit-3': {type: 'benefit', refs: {concerns: ['concern-3']}},
  'treatment-t': {type: 'treatment', refs: {}},
  'concern-1': {type: 'concern', refs: {}},
  'concern-2': {type: 'concern', refs: {}},
  'concern-3': {type: 'concern', refs: {}},
}

const graph = (docs: typeof DOCS): GraphState => ({
  typeOf: (id) => docs[id]?.type,
  refsOf: (id) => docs[id]?.refs ?? {},
  referrers: (id) =>
    Object.entries(docs)
      .filter(([, d]) => Object.values(d.refs).some((ids) => ids?.includes(id)))
      .map(([src]) => src),
})

const affected = (g: GraphState, id: string, kept: boolean) => {
  const into = new Set<string>()
  addAffected(g, id, into, {kept})
  return [...into].sort()
}

describe('addAffected', () => {
  it('a benefit edited in place: its page, its concern, the article listing it and its treatment', () => {
    expect(affected(graph(DOCS), 'benefit-2', true)).toEqual([
      'article-a',
      'benefit-2',
      'concern-2',
      'treatment-t',
    ])
  })

  it('a benefit that appears or disappears: every benefit of the article too (their positions move)', () => {
    expect(affected(graph(DOCS), 'benefit-2', false)).toEqual([
      'article-a',
      'benefit-1',
      'benefit-2',
      'benefit-3',
      'concern-1',
      'concern-2',
      'concern-3',
      'treatment-t',
    ])
    const {['benefit-2']: _gone, ...without} = DOCS
    // After a deletion the article still lists it: the same pages, seen from the new state.
    expect(affected(graph(without as typeof DOCS), 'benefit-2', false)).toEqual([
      'article-a',
      'benefit-1',
      'benefit-2',
      'benefit-3',
      'concern-1',
      'concern-3',
      'treatment-t',
    ])
  })
})
