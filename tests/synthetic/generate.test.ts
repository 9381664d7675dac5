/** The synthetic datasets: reproducible from (size, seed), shaped like ours, valid by the Studio's rules. */
import {describe, expect, it} from 'vitest'
import {generateDataset, toNdjson, typeCounts} from '../../scripts/synthetic/generate.ts'
import {validateDocuments} from '../../scripts/validate/run.ts'

describe('generateDataset', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = toNdjson(generateDataset({size: 300, seed: 7}))
    expect(toNdjson(generateDataset({size: 300, seed: 7}))).toBe(a)
    expect(toNdjson(generateDataset({size: 300, seed: 8}))).not.toBe(a)
  })

  it('has the shape of our content: benefits with Portable Text and 2–5 / 1–3 / 0–3 references, taxonomy growing with size', () => {
    const docs = generateDataset({size: 2000})
    expect(docs).toHaveLength(2000)
    expect([...docs].map((d) => d._id)).toEqual(docs.map((d) => d._id).sort())
    const count = (type: string) => docs.filter((d) => d._type === type).length
    expect(count('benefit')).toBe(typeCounts(2000).benefit)
    expect(count('concern')).toBe(200)
    expect(typeCounts(20_000).concern).toBe(2000)
    for (const b of docs.filter((d) => d._type === 'benefit')) {
      const refs = (field: string) => ((b[field] as unknown[] | undefined) ?? []).length
      expect(refs('concerns')).toBeGreaterThanOrEqual(2)
      expect(refs('concerns')).toBeLessThanOrEqual(5)
      expect(refs('skinTypes')).toBeGreaterThanOrEqual(1)
      expect(refs('skinTypes')).toBeLessThanOrEqual(3)
      expect(refs('serums')).toBeLessThanOrEqual(3)
      expect((b.body as Array<{_type: string}>)[0]!._type).toBe('block')
    }
    const bytes = toNdjson(docs).length / docs.length
    expect(bytes).toBeGreaterThan(1000)
    expect(bytes).toBeLessThan(4000)
  })

  it('produces documents the Studio rules accept: 0 errors', async () => {
    const report = await validateDocuments(generateDataset({size: 150}), {workers: 0})
    expect(report.problems.filter((p) => p.level === 'error')).toEqual([])
    expect(report.documents).toBe(150)
  })
})
