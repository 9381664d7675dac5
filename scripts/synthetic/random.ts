/**
 * A seeded pseudo-random source (mulberry32): the same seed yields the same sequence on every
 * machine and Node version, so a synthetic dataset is reproducible from (size, seed) alone.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  /** `count` distinct items (fewer if the list is shorter), in draw order. */
  sample<T>(items: readonly T[], count: number): T[]
  chance(p: number): boolean
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    sample(items, count) {
      const n = Math.min(count, items.length)
      const chosen = new Set<number>()
      // Rejection sampling: counts here are tiny (≤ 10) against lists of hundreds or more.
      while (chosen.size < n) chosen.add(Math.floor(next() * items.length))
      return [...chosen].map((i) => items[i]!)
    },
    chance: (p) => next() < p,
  }
}
