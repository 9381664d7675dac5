/** Body areas a benefit can mention; structured so frontends can filter ("treatments for the neck"). */
export const BODY_AREAS = [
  'face',
  'forehead',
  'eyes',
  'nose',
  'cheeks',
  'mouth',
  'lips',
  'chin',
  'jawline',
  'neck',
  'chest',
  'decolletage',
  'breasts',
  'back',
  'arms',
  'hands',
  'abdomen',
  'hips',
  'buttocks',
  'thighs',
  'legs',
  'scalp',
] as const
export type BodyArea = (typeof BODY_AREAS)[number]

/** Singular and variant spellings found in copy, mapped to the canonical area. */
const VARIANTS: Record<string, BodyArea> = {
  eye: 'eyes',
  cheek: 'cheeks',
  lip: 'lips',
  breast: 'breasts',
  hip: 'hips',
  thigh: 'thighs',
  leg: 'legs',
  arm: 'arms',
  hand: 'hands',
  stomach: 'abdomen',
  belly: 'abdomen',
  décolletage: 'decolletage',
  jaw: 'jawline',
}

const WORD = new RegExp(`\\b(${[...BODY_AREAS, ...Object.keys(VARIANTS)].join('|')})\\b`, 'gi')

/** Canonical body areas mentioned in a text, in canonical order. */
export function findBodyAreas(text: string): BodyArea[] {
  const seen = new Set<BodyArea>()
  for (const m of text.matchAll(WORD)) {
    const word = m[1]!.toLowerCase()
    seen.add((VARIANTS[word] ?? word) as BodyArea)
  }
  return BODY_AREAS.filter((a) => seen.has(a))
}
