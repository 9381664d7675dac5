/** `npm run bench` end to end on a tiny size: one JSON object with every figure (no timing asserted). */
import {describe, expect, it} from 'vitest'
import {runScript} from '../helpers/run.ts'

describe('npm run bench', () => {
  it('--sizes 200 --json prints one object with every stage, ratio and target', () => {
    const r = runScript('scripts/bench/cli.ts', ['--sizes', '200', '--runs', '2', '--json'])
    expect(r.status, r.stderr.slice(-3000)).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/\[bench \d+s\] 200: floor/)
    const report = JSON.parse(r.stdout) as Record<string, any>
    expect(report).toMatchObject({
      ok: true,
      sizes: [200],
      machine: {cpus: expect.any(Number), node: expect.any(String)},
      totalMs: expect.any(Number),
    })
    const size = (report.results as Array<Record<string, any>>)[0]!
    const stage = {
      ms: expect.any(Number),
      rssMb: expect.any(Number),
      ratioToFloor: expect.any(Number),
    }
    expect(size).toMatchObject({
      size: 200,
      ndjsonBytes: expect.any(Number),
      floor: {ms: expect.any(Number), rssMb: expect.any(Number)},
      createFiles: {ms: expect.any(Number), perFileUs: expect.any(Number)},
      import: stage,
      validation: {
        full: {...stage, workers: expect.any(Number), msPerDocument: expect.any(Number), errors: 0},
        incremental: {...stage, validated: expect.any(Number), reused: expect.any(Number)},
      },
      export: {
        full: {...stage, files: expect.any(Number), bytes: expect.any(Number)},
        incremental: {
          ...stage,
          mode: 'incremental',
          changedFiles: expect.any(Number),
          percentOfFull: expect.any(Number),
        },
        verifyFull: stage,
        identicalToFull: true,
      },
      groq: {loadMs: expect.any(Number)},
      peakRssMb: expect.any(Number),
    })
    expect(size.validation.incremental.validated).toBeLessThan(200)
    // The stages the targets compare run twice (--repeat's default); the fastest run counts.
    for (const s of [size.floor, size.export.full, size.export.incremental]) {
      expect(s.runsMs).toHaveLength(2)
      expect(s.ms).toBe(Math.min(...(s.runsMs as number[])))
    }
    for (const name of ['benefit-by-slug', 'concerns-page', 'count-reviewed', 'feed-benefits']) {
      expect(size.groq.queries[name], name).toMatchObject({
        inProcessP50Ms: expect.any(Number),
        runs: expect.any(Number),
      })
    }
    // Over the local API when it starts here (it needs openssl for its certificate), else the reason.
    if (size.groq.apiError === undefined)
      expect(size.groq.queries['benefit-by-slug']).toMatchObject({
        apiP50Ms: expect.any(Number),
        inProcessBesideApiP50Ms: expect.any(Number),
        apiToInProcess: expect.any(Number),
      })
    else expect(size.groq.apiError).toEqual(expect.any(String))
    for (const key of [
      'exportToFloor',
      'exportPeakRssGiB',
      'exportExponent',
      'incrementalPercentOfFull',
      'incrementalIdenticalToFull',
      'apiP50ToInProcess',
    ]) {
      expect(report.targets[key], key).toMatchObject({met: expect.any(Boolean)})
    }
    expect(report.targets.incrementalIdenticalToFull.met).toBe(true)
    const missed = Object.entries(report.targets as Record<string, {met?: boolean}>).flatMap(
      ([k, v]) => (v && typeof v === 'object' && v.met === false ? [k] : []),
    )
    expect(report.missedTargets).toEqual(missed)
    expect(report.targetsMet).toBe(missed.length === 0)
  }, 300_000)

  it('refuses bad sizes with a usage error', () => {
    const r = runScript('scripts/bench/cli.ts', ['--sizes', '10', '--json'])
    expect(r.status).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ok: false, error: {code: 'USAGE'}})
  })
})
