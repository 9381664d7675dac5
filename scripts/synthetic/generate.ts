/**
 * Synthetic datasets shaped like ours, for the benchmark and the tests: the content model of
 * schemas/ (articles listing benefits, benefits with Portable Text bodies and 2–5 concern, 1–3 skin
 * type and 0–3 adjunct references, reviewers, the two partners), with the taxonomy growing with the
 * size. Pure and
 * deterministic: the same (size, seed) gives the same documents, byte for byte. Every document
 * passes the Studio's rules (tests/synthetic checks it with validateDocuments).
 */
import {partnerDocument, PROFILES} from '../../migrations/2026-12-08-partners-as-documents/index.ts'
import {BODY_AREAS} from '../../schemas/rules/bodyAreas.ts'
import type {StoredDocument} from '../store/types.ts'
import {createRandom, type Random} from './random.ts'

export interface GenerateOptions {
  /** Number of documents (at least 20, so every type is present). */
  size: number
  seed?: number
}

export const DEFAULT_SEED = 20_240_601

/** Share of each type; benefits take what is left. Taxonomy grows with the size. */
const SHARES = {
  article: 0.01,
  concern: 0.1,
  skinType: 0.05,
  serum: 0.14,
  treatment: 0.001,
  person: 0.0005,
} as const

const WORDS = (
  'skin collagen elastin texture tone pores scars lines wrinkles firmness glow hydration barrier redness ' +
  'pigment spots dullness laxity sessions needles depth serum healing renewal cells dermis epidermis ' +
  'channels absorption results weeks months clinic practitioner aftercare sunscreen moisturiser routine ' +
  'gentle visible gradual smoother brighter plumper clearer calmer stronger softer even fresh natural ' +
  'treatment response micro injury repair growth factors fibroblasts matrix volume surface layer care'
).split(' ')
const VERBS = [
  'Improves',
  'Softens',
  'Brightens',
  'Firms',
  'Smooths',
  'Reduces',
  'Refines',
  'Boosts',
  'Calms',
  'Evens',
  'Plumps',
  'Restores',
]
const OBJECTS = [
  'Skin Texture',
  'Fine Lines',
  'Acne Scars',
  'Dark Spots',
  'Enlarged Pores',
  'Stretch Marks',
  'Dull Skin',
  'Uneven Tone',
  'Loose Skin',
  'Sun Damage',
  'Redness',
  'Wrinkles',
]
const AREAS = [
  'Face',
  'Neck',
  'Forehead',
  'Cheeks',
  'Chin',
  'Hands',
  'Chest',
  'Jawline',
  'Eye Area',
  'Back',
]
const CONCERN_NAMES = [
  'Acne scars',
  'Hyperpigmentation',
  'Melasma',
  'Fine lines',
  'Rosacea',
  'Enlarged pores',
  'Stretch marks',
  'Sagging',
  'Sun spots',
  'Dullness',
]
const SKIN_NAMES = [
  'Sensitive skin',
  'Oily skin',
  'Dry skin',
  'Mature skin',
  'Combination skin',
  'Fitzpatrick I–III',
  'Fitzpatrick IV–VI',
  'Acne-prone skin',
]
const SERUM_NAMES = [
  'Hyaluronic acid',
  'Vitamin C',
  'Niacinamide',
  'Peptides',
  'Growth factors',
  'Ceramides',
  'PRP (platelet-rich plasma)',
  'Exosomes',
]
const TREATMENT_NAMES = [
  'Microneedling',
  'Chemical peel',
  'Laser resurfacing',
  'Radiofrequency microneedling',
  'Dermaplaning',
  'LED therapy',
]
const PEOPLE = [
  'Ada Lee',
  'Grace Okafor',
  'Mina Sato',
  'Lucia Ferreira',
  'Noor Haddad',
  'Elena Petrova',
]

const EPOCH = Date.UTC(2020, 0, 1)
const DAY = 86_400_000

const slugify = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

const pad = (n: number) => String(n).padStart(6, '0')
const ref = (id: string, key?: string) =>
  key === undefined ? {_type: 'reference', _ref: id} : {_type: 'reference', _ref: id, _key: key}
const iso = (ms: number) => new Date(ms).toISOString()

function revision(r: Random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let out = ''
  for (let i = 0; i < 22; i++) out += chars[r.int(0, 61)]
  return out
}

function sentence(r: Random): string {
  const words = Array.from({length: r.int(8, 16)}, () => r.pick(WORDS))
  const first = words[0]!
  words[0] = first[0]!.toUpperCase() + first.slice(1)
  return `${words.join(' ')}.`
}

/** 2–4 paragraphs of 2–4 sentences; some spans emphasised, now and then an https link. */
function portableText(r: Random, prefix: string): Record<string, unknown>[] {
  return Array.from({length: r.int(2, 4)}, (_, i) => {
    const key = `${prefix}${i}`
    const sentences = Array.from({length: r.int(2, 4)}, () => sentence(r))
    const markDefs: Record<string, unknown>[] = []
    const children: Record<string, unknown>[] = [
      {_type: 'span', _key: `${key}a`, text: `${sentences.slice(0, -1).join(' ')} `, marks: []},
    ]
    const last = sentences.at(-1)!
    if (r.chance(0.2)) {
      markDefs.push({
        _type: 'link',
        _key: `${key}l`,
        href: `https://research.example/study/${r.int(1, 99_999)}`,
      })
      children.push({_type: 'span', _key: `${key}b`, text: last, marks: [`${key}l`]})
    } else
      children.push({
        _type: 'span',
        _key: `${key}b`,
        text: last,
        marks: r.chance(0.3) ? ['em'] : [],
      })
    return {_type: 'block', _key: key, style: 'normal', markDefs, children}
  })
}

interface Counts {
  article: number
  benefit: number
  concern: number
  skinType: number
  serum: number
  treatment: number
  person: number
  partner: number
}

export function typeCounts(size: number): Counts {
  if (!Number.isInteger(size) || size < 20)
    throw new RangeError(`size must be an integer ≥ 20, got ${size}`)
  const at = (share: number, min: number) => Math.max(min, Math.round(size * share))
  const c = {
    article: at(SHARES.article, 1),
    concern: at(SHARES.concern, 2),
    skinType: at(SHARES.skinType, 1),
    serum: at(SHARES.serum, 1),
    treatment: at(SHARES.treatment, 1),
    person: at(SHARES.person, 2),
    // The partners of a migrated dataset (the partners migration's): every export has their folders.
    partner: PROFILES.length,
    benefit: 0,
  }
  c.benefit =
    size - (c.article + c.concern + c.skinType + c.serum + c.treatment + c.person + c.partner)
  return c
}

/** Every document of a synthetic dataset, sorted by _id, with system fields (an export file's shape). */
export function generateDataset(opts: GenerateOptions): StoredDocument[] {
  const r = createRandom(opts.seed ?? DEFAULT_SEED)
  const counts = typeCounts(opts.size)
  const docs: StoredDocument[] = []
  const system = (id: string, type: string) => {
    const created = EPOCH + r.int(0, 5 * 365) * DAY + r.int(0, DAY - 1)
    const updated = created + (r.chance(0.5) ? 0 : r.int(0, 180) * DAY)
    return {
      _id: id,
      _type: type,
      _rev: revision(r),
      _createdAt: iso(created),
      _updatedAt: iso(updated),
    }
  }
  const ids = (type: string, n: number) => Array.from({length: n}, (_, i) => `${type}-${pad(i)}`)
  const named = (names: readonly string[], i: number) =>
    i < names.length ? names[i]! : `${names[i % names.length]} ${Math.floor(i / names.length) + 1}`

  const people = ids('person', counts.person)
  people.forEach((id, i) => {
    const name = `Dr. ${named(PEOPLE, i)}`
    docs.push({
      ...system(id, 'person'),
      name,
      slug: {_type: 'slug', current: slugify(name)},
      credentials: 'MD, dermatologist',
      url: `https://clinic.example/${slugify(name)}`,
    })
  })
  const taxonomy = (
    type: string,
    n: number,
    names: readonly string[],
    extra: (i: number) => Record<string, unknown>,
  ) =>
    ids(type, n).map((id, i) => {
      const title = named(names, i)
      docs.push({
        ...system(id, type),
        title,
        slug: {_type: 'slug', current: slugify(title)},
        synonyms: [`${title.toLowerCase()} ${r.pick(WORDS)}`],
        description: `${sentence(r)} ${sentence(r)}`,
        ...extra(i),
      })
      return id
    })
  const treatments = taxonomy('treatment', counts.treatment, TREATMENT_NAMES, () => ({
    procedureType: 'PercutaneousProcedure',
    howPerformed: sentence(r),
    preparation: sentence(r),
    followup: sentence(r),
  }))
  const concerns = taxonomy('concern', counts.concern, CONCERN_NAMES, () => ({}))
  const skinTypes = taxonomy('skinType', counts.skinType, SKIN_NAMES, (i) =>
    SKIN_NAMES[i % SKIN_NAMES.length]!.startsWith('Fitzpatrick')
      ? {kind: 'tone', fitzpatrick: SKIN_NAMES[i % SKIN_NAMES.length]!.slice(12)}
      : {kind: 'type'},
  )
  const serums = taxonomy('serum', counts.serum, SERUM_NAMES, (i) => ({
    kind: SERUM_NAMES[i % SERUM_NAMES.length]!.startsWith('PRP') ? 'procedure' : 'serum',
    timing: r.sample(['before', 'during', 'after'], r.int(1, 2)),
  }))

  const review = () =>
    r.chance(0.6)
      ? {
          review: {
            _type: 'review',
            reviewedBy: ref(r.pick(people)),
            lastReviewed: iso(EPOCH + r.int(365, 6 * 365) * DAY).slice(0, 10),
          },
        }
      : {}
  const benefits = ids('benefit', counts.benefit)
  benefits.forEach((id, i) => {
    const title = `${r.pick(VERBS)} ${r.pick(OBJECTS)} on the ${r.pick(AREAS)} ${i + 1}`
    const keyed = (list: string[], prefix: string) =>
      list.map((target, j) => ({_key: `${prefix}${j}`, _type: 'link', target: ref(target)}))
    docs.push({
      ...system(id, 'benefit'),
      title,
      slug: {_type: 'slug', current: slugify(title)},
      summary: sentence(r),
      body: portableText(r, 'b'),
      concerns: keyed(r.sample(concerns, r.int(2, 5)), 'c'),
      skinTypes: keyed(r.sample(skinTypes, r.int(1, 3)), 's'),
      ...(r.chance(0.75) ? {serums: keyed(r.sample(serums, r.int(1, 3)), 'a')} : {}),
      ...(r.chance(0.5) ? {bodyAreas: r.sample(BODY_AREAS, r.int(1, 3))} : {}),
      // Every tenth benefit is not for one skin type (without drawing from r: the rest of the
      // data stays what it was for a given seed).
      ...(i % 10 === 9
        ? {
            cautions: [
              {
                _key: 'x0',
                _type: 'caution',
                kind: 'contraindicated',
                target: ref(skinTypes[i % skinTypes.length]!),
                advice: 'Ask a dermatologist first.',
              },
            ],
          }
        : {}),
      ...(r.chance(0.2) ? {seo: {_type: 'seo', metaDescription: sentence(r).slice(0, 150)}} : {}),
      ...review(),
    })
  })
  ids('article', counts.article).forEach((id, i) => {
    const treatment = treatments[i % treatments.length]!
    const title = `${r.int(5, 12)} Benefits of ${named(TREATMENT_NAMES, i % treatments.length)}, part ${i + 1}`
    docs.push({
      ...system(id, 'article'),
      title,
      slug: {_type: 'slug', current: slugify(title)},
      treatment: ref(treatment),
      summary: sentence(r),
      intro: portableText(r, 'i'),
      benefits: r.sample(benefits, 10).map((b, j) => ref(b, `k${j}`)),
      publishedAt: iso(EPOCH + r.int(0, 6 * 365) * DAY),
      ...review(),
    })
  })
  for (const {_id, _type, ...partner} of PROFILES.map(partnerDocument))
    docs.push({...system(_id, _type), ...partner})
  return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
}

/** The NDJSON text of documents, one per line (what `npm run dataset -- import` reads). */
export function toNdjson(docs: readonly StoredDocument[]): string {
  let out = ''
  for (const d of docs) out += `${JSON.stringify(d)}\n`
  return out
}
