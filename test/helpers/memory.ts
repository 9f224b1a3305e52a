// Live memory, not garbage waiting for a lazy collector: with --expose-gc (the test command sets
// it) each sample collects first, so a body buffered whole would show as its full size in growth.
export function liveRss(): number {
  global.gc?.()
  return process.memoryUsage.rss()
}

/** Samples live RSS every 50 ms until stopped; returns the peak. */
export function peakRss(): { stop(): number } {
  let peak = liveRss()
  const timer = setInterval(() => (peak = Math.max(peak, liveRss())), 50)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, liveRss())
    },
  }
}
