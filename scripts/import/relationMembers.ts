/**
 * Relations as the documents store them (schemas/objects/link.ts and caution.ts): positive links
 * and cautions are different member types in different fields, so no reader, query or export can
 * take a caution for "good for". Keys depend only on the target (and kind), so re-imports write
 * identical arrays.
 */
import {stableKey} from '../lib/hash.ts'

export type CautionKind = 'caution' | 'contraindicated'

interface Target {
  _type: 'reference'
  _ref: string
}

export interface LinkMember {
  _key: string
  _type: 'link'
  target: Target
  source: string
}

export interface CautionMember {
  _key: string
  _type: 'caution'
  kind: CautionKind
  target: Target
  /** The sentence it was read from; curated cautions (treatments.json) have none. */
  source?: string
  advice?: string
}

export const linkMember = (targetId: string, source: string): LinkMember => ({
  _key: stableKey(targetId),
  _type: 'link',
  target: {_type: 'reference', _ref: targetId},
  source,
})

export const cautionMember = (
  kind: CautionKind,
  targetId: string,
  extra: {source?: string; advice?: string} = {},
): CautionMember => ({
  _key: stableKey(`${kind}:${targetId}`),
  _type: 'caution',
  kind,
  target: {_type: 'reference', _ref: targetId},
  ...(extra.source !== undefined ? {source: extra.source} : {}),
  ...(extra.advice ? {advice: extra.advice} : {}),
})
