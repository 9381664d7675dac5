/**
 * The fast validation path (scripts/validate/fastPath.ts) against Sanity's own `validateDocument`:
 * the same problems — level, path, message — for seeded valid and broken documents of every
 * document type in the schema (corpus.ts) and for a synthetic dataset like the benchmark's. The
 * fast path must cover the documents itself (its fallback counter says when it handed one to
 * Sanity), the corpus must make every kind of marker appear, and a fast path given the wrong
 * answers must be caught.
 */
import {createSchema} from 'sanity'
import {beforeAll, describe, expect, it} from 'vitest'
import {schemaTypes} from '../../schemas/index.ts'
import type {Problem} from '../../scripts/lib/errors.ts'
import type {StoredDocument} from '../../scripts/store/types.ts'
import {generateDataset} from '../../scripts/synthetic/generate.ts'
import {createStudioValidator, type StudioValidator} from '../../scripts/validate/studio.ts'
import {buildCorpus, documentTypeNames} from './corpus.ts'

/** Another seed, another corpus: `DIFFERENTIAL_SEED=7 npx vitest run tests/validate/differential.test.ts`. */
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20_261_207)
const schema = createSchema({name: 'default', types: schemaTypes})
const corpus = buildCorpus(schema, {seed: SEED, perType: 80})
const synthetic = generateDataset({size: 200, seed: SEED})
const unknownType = {
  _id: 'mystery-1',
  _type: 'mystery',
  _rev: 'r',
  _createdAt: '2026-01-01T00:00:00Z',
  _updatedAt: '2026-01-01T00:00:00Z',
  title: 'No such type',
} as StoredDocument
const docs = [...corpus.docs, ...synthetic, unknownType]

/** Each document's problems from a validator, a few documents at a time. */
async function problemsOf(validator: StudioValidator, list: readonly StoredDocument[]) {
  const out = new Map<string, Problem[]>()
  let next = 0
  const run = async () => {
    for (let i = next++; i < list.length; i = next++)
      out.set(list[i]!._id, await validator.validate(list[i]!))
  }
  await Promise.all(Array.from({length: 8}, run))
  return out
}

/** Ids whose problems differ, with both sides of the first few. */
function differences(a: Map<string, Problem[]>, b: Map<string, Problem[]>) {
  return [...a.keys()]
    .filter((id) => JSON.stringify(a.get(id)) !== JSON.stringify(b.get(id)))
    .map((id) => ({id, fast: a.get(id), sanity: b.get(id)}))
}

/** Kinds of marker the corpus must produce: Sanity's built-in checks and the schema's own rules. */
const KINDS: Record<string, RegExp> = {
  required: /^Required$/,
  'wrong type': /^Expected type ".+", got ".+"$/,
  'date format (Sanity checks it: delegated)': /^Must be a valid ISO-8601 formatted date string$/,
  'option lists': /^Value did not match any allowed values/,
  'unique()': /^Can't be a duplicate$/,
  'string max()': /^Must be at most \d+ characters long$/,
  'regex()': /^Does not match ".+"-pattern$/,
  'uri(): unparsable': /^Not a valid URL$/,
  'uri(): scheme': /^Does not match allowed protocols\/schemes$/,
  'reference not published': /^Referenced document must be published$/,
  'not a reference': /^Must be a reference to a document$/,
  'slug taken': /^Slug is already in use$/,
  'slug not an object': /^Slug must be an object$/,
  'slug without value': /^Slug must have a value$/,
  'unknown field': /^Field '.+' does not exist on type '.+'$/,
  'rule message': /^Title is required$/,
  'claims in text': /^Editorial review: /,
  'uncited claims': /^Absolute claim without a citation/,
  'raw HTML': /^Raw HTML /,
  'review expired': /^Review expired: /,
  'review without reviewer or date':
    /^A (review date needs a reviewer|reviewer needs a review date)$/,
  'old reviewer field': /^Free-text reviewer/,
  'title from file name': /^Check the title/,
  'citation identifiers': /^A citation must have exactly one identifier/,
  DOI: /^DOI must be /,
  PMID: /^PubMed id must be /,
  'citation URL': /^URL must be an absolute https/,
  'link scheme': /^Link must use http, https or mailto$/,
  'links each once': /^Each .+ only once$/,
  'summary missing': /^Add a one-sentence summary/,
}
/** What Sanity says when a custom rule throws (the fast path hands those documents to it). */
const THREW = /Exception occurred while validating value/

describe('fast validation path = Sanity validateDocument', () => {
  let fast: Awaited<ReturnType<typeof createStudioValidator>>
  let fastProblems: Map<string, Problem[]>
  let sanityProblems: Map<string, Problem[]>

  beforeAll(async () => {
    fast = await createStudioValidator(docs)
    const sanity = await createStudioValidator(fast.index, {fastPath: false})
    fastProblems = await problemsOf(fast, docs)
    sanityProblems = await problemsOf(sanity, docs)
  }, 180_000)

  it('covers every document type of the schema, valid and broken', () => {
    const types = documentTypeNames(schema)
    expect(types.length).toBeGreaterThanOrEqual(8)
    for (const type of types) {
      const ofType = corpus.docs.filter((d) => d._type === type)
      const errors = (d: StoredDocument) =>
        sanityProblems.get(d._id)!.filter((p) => p.level === 'error').length
      // The well-formed ones pass; some of the others fail.
      const wellFormed = ofType.filter((d) => corpus.made.get(d._id) === 'valid')
      expect(wellFormed.length, type).toBeGreaterThan(20)
      expect(
        wellFormed.filter(errors).map((d) => d._id),
        type,
      ).toEqual([])
      expect(ofType.filter(errors).length, type).toBeGreaterThan(5)
    }
  })

  it('gives the same problems for every document', () => {
    const diff = differences(fastProblems, sanityProblems)
    expect(diff.slice(0, 3)).toEqual([])
    expect(fastProblems.size).toBe(docs.length)
  })

  it('makes every kind of marker appear', () => {
    const all = [...sanityProblems.values()].flat()
    const missing = Object.entries(KINDS)
      .filter(([, pattern]) => !all.some((p) => pattern.test(p.message)))
      .map(([kind]) => kind)
    expect(missing).toEqual([])
    expect(new Set(all.map((p) => p.level))).toEqual(new Set(['error', 'warning']))
  })

  it('validates the documents itself, handing Sanity only what it cannot answer', () => {
    const threw = [...sanityProblems.values()].filter((ps) =>
      ps.some((p) => THREW.test(p.message)),
    ).length
    const unknown = sanityProblems
      .get(unknownType._id)!
      .some(
        (p) => p.message === "Could not find schema type for type 'mystery', skipping validation",
      )
    expect(unknown).toBe(true)
    expect(fast.stats.fallbackReasons).toEqual({
      'unknown type "mystery"': 1,
      ...(threw ? {'a custom rule threw': threw} : {}),
    })
    expect(fast.stats.fast).toBe(docs.length - 1 - threw)
    // The date format is Sanity's to judge: it ran, and its answers were reused for values seen before.
    expect(fast.stats.delegated).toBeGreaterThan(0)
    expect(fast.stats.delegatedReused).toBeGreaterThan(0)
  })

  it('catches a fast path with wrong answers (references and slugs from another dataset)', async () => {
    // Every reference dangles and every slug is free in an empty index.
    const wrong = await createStudioValidator([])
    const sample = corpus.docs.filter((d) => corpus.made.get(d._id) !== 'valid').slice(0, 120)
    const diff = differences(
      await problemsOf(wrong, sample),
      new Map(sample.map((d) => [d._id, sanityProblems.get(d._id)!])),
    )
    expect(diff.length).toBeGreaterThan(10)
    expect(wrong.stats.fallbacks).toBeLessThan(sample.length)
  })
})
