/**
 * `EXPORT_TIMINGS=1`: where an export spends its time, one line per step on stderr, with the
 * process's resident memory after it (`[full] model: 2480 ms, 910 MB`). A no-op otherwise.
 */
export function exportTimings(prefix: string): (label: string) => void {
  if (!process.env.EXPORT_TIMINGS) return () => {}
  let last = performance.now()
  return (label) => {
    const now = performance.now()
    process.stderr.write(
      `[${prefix}] ${label}: ${Math.round(now - last)} ms, ${Math.round(process.memoryUsage.rss() / 1e6)} MB\n`,
    )
    last = now
  }
}
