/**
 * Sanity's validator yields before every nested value: `requestIdleCallback`, which outside a
 * browser is its shim `globalThis.setTimeout(cb, 0)` — at least 1 ms per level of nesting in Node.
 * A Portable Text body is several levels deep, so one benefit waited ~10 ms on timers, and many
 * documents in flight to hide that wait cost more in garbage collection than the rules themselves
 * (measured: 3.5 ms/document at 25 in flight, 1.2 ms at 2 with this). `yieldWithImmediates`
 * makes a zero-delay `setTimeout` an immediate (the same "after pending I/O" yield, without the
 * clamp). It changes the whole thread's timers, so only the validation worker threads, which run
 * nothing else, install it (worker.ts), before `sanity` is loaded: parts of it keep the timer
 * functions they find at load time.
 */
export function yieldWithImmediates(): void {
  const g = globalThis as unknown as {
    setTimeout: (...a: unknown[]) => unknown
    clearTimeout: (h: unknown) => void
  }
  const setTimer = g.setTimeout
  const clearTimer = g.clearTimeout
  const immediates = new WeakSet<object>()
  g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    if (typeof fn !== 'function' || (ms !== undefined && ms !== 0)) return setTimer(fn, ms, ...args)
    const handle = setImmediate(fn as (...a: unknown[]) => void, ...args)
    immediates.add(handle)
    return handle
  }
  g.clearTimeout = (handle: unknown) => {
    if (handle && typeof handle === 'object' && immediates.has(handle))
      clearImmediate(handle as NodeJS.Immediate)
    else clearTimer(handle)
  }
}
