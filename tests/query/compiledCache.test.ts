import {describe, expect, it} from 'vitest'
import {
  compiledCacheSize,
  createLocalSource,
  MAX_COMPILED_KEY_CHARS,
  runQuery,
} from '../../scripts/query/local.ts'

const source = createLocalSource([{_id: 'a', _type: 't', _rev: 'r'} as never])

describe('compiled-query cache', () => {
  it('does not keep a query whose params are too large to be a repeat', async () => {
    const before = compiledCacheSize()
    for (let i = 0; i < 20; i++)
      expect(
        await runQuery(source, 'count(*[_id == $blob])', {
          blob: `${i}${'x'.repeat(MAX_COMPILED_KEY_CHARS)}`,
        }),
      ).toBe(0)
    expect(compiledCacheSize()).toEqual(before)
  })

  it('keeps repeats within a byte budget: distinct params evict the oldest, never grow past it', async () => {
    const blob = 'y'.repeat(MAX_COMPILED_KEY_CHARS - 100)
    for (let i = 0; i < 200; i++)
      expect(await runQuery(source, 'count(*[_id == $blob])', {blob: `${i}${blob}`})).toBe(0)
    const {entries, chars} = compiledCacheSize()
    expect(chars).toBeLessThanOrEqual(1024 * 1024)
    // Sixty-odd of these 16 kB keys fit; 200 were run.
    expect(entries).toBeGreaterThan(50)
    expect(entries).toBeLessThan(70)
  })
})
