/**
 * Schedules `flush` to run once, soon; returns a function that cancels it. The session calls
 * it at most once per pending batch, so listeners run at most once per frame.
 */
export type Scheduler = (flush: () => void) => () => void

/** requestAnimationFrame where it exists (browsers), else a ~16 ms timer (Node, workers, SSR). */
export const frameScheduler: Scheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') {
    const id = requestAnimationFrame(() => flush())
    return () => cancelAnimationFrame(id)
  }
  const id = setTimeout(flush, 16)
  return () => clearTimeout(id)
}

/** Runs every flush at once: for tests that want each change to notify. */
export const syncScheduler: Scheduler = (flush) => {
  flush()
  return () => {}
}
