/**
 * What the page records while a stream renders: animation frames, when each frame was laid
 * out and painted, React commits, long tasks, and when each token reached the DOM.
 */

/** Sorted times: how many fall within [from, to]. */
function countWithin(times: readonly number[], from: number, to: number): number {
  let count = 0
  for (const time of times) if (time >= from && time <= to) count++
  return count
}

/** Index of the first of the sorted `times` at or after `time`, or times.length. */
function firstAtOrAfter(times: readonly number[], time: number): number {
  let low = 0
  let high = times.length
  while (low < high) {
    const mid = (low + high) >> 1
    if ((times[mid] as number) < time) low = mid + 1
    else high = mid
  }
  return low
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

export class Recorder {
  /** requestAnimationFrame callback times. */
  readonly frames: number[] = []
  /**
   * Per frame, the moment its layout is done (a ResizeObserver callback on an element resized
   * in every frame: those run after the frame's rAF callbacks and layout, before its paint).
   * A DOM change made before this mark, and after the previous one, is painted in this frame.
   */
  readonly laidOut: number[] = []
  /** Per frame, just after its paint: a task posted from that ResizeObserver callback. */
  readonly painted: number[] = []
  readonly commits: number[] = []
  /** Per commit, React's render time for it (`<Profiler>`'s actualDuration). */
  readonly renderMs: number[] = []
  readonly longTasks: Array<{ start: number; duration: number }> = []
  /** Per token: when its last byte left the mock (set by the mock's arrival counter). */
  readonly arrivals: Float64Array
  /** Per token: when the DOM first held the text up to and including it. */
  readonly visible: Float64Array
  /** Tokens in the DOM so far. */
  shown = 0

  private readonly textEnds: number[]

  constructor(tokens: readonly string[]) {
    this.arrivals = new Float64Array(tokens.length)
    this.visible = new Float64Array(tokens.length)
    let length = 0
    this.textEnds = tokens.map((token) => (length += token.length))

    const afterPaint = new MessageChannel()
    afterPaint.port1.onmessage = () => this.painted.push(performance.now())
    const probe = document.createElement('div')
    probe.setAttribute('aria-hidden', 'true')
    probe.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;opacity:0'
    document.body.append(probe)
    new ResizeObserver(() => {
      this.laidOut.push(performance.now())
      afterPaint.port2.postMessage(0)
    }).observe(probe)
    let wide = false
    const frame = (time: number) => {
      this.frames.push(time)
      wide = !wide
      probe.style.width = wide ? '2px' : '1px'
      requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)

    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.longTasks.push({ start: entry.startTime, duration: entry.duration })
    }).observe({ type: 'longtask', buffered: true })
  }

  /** For `<Profiler onRender>`: counts a commit. */
  readonly onCommit = (_id: string, _phase: string, actualDuration: number) => {
    this.commits.push(performance.now())
    this.renderMs.push(actualDuration)
  }

  /**
   * Main-thread time of each frame whose layout falls within [from, to]: from the frame's start
   * (its rAF time) through its paint, which holds its rAF callbacks, style, layout and paint,
   * plus the render time of React commits made between the previous paint and this frame.
   */
  frameWork(from: number, to: number): number[] {
    const work: number[] = []
    let commit = firstAtOrAfter(this.commits, from)
    for (let i = firstAtOrAfter(this.laidOut, from); i < this.laidOut.length; i++) {
      const laidOut = this.laidOut[i] as number
      if (laidOut > to) break
      const start = this.frames[firstAtOrAfter(this.frames, laidOut) - 1] ?? laidOut
      const painted = this.painted[i] ?? laidOut
      let between = 0
      for (; commit < this.commits.length && (this.commits[commit] as number) <= laidOut; commit++)
        if ((this.commits[commit] as number) < start) between += this.renderMs[commit] as number
      work.push(painted - start + between)
    }
    return work
  }

  /** Notes the text length now in the DOM (UTF-16 code units, as the tokens are counted). */
  textLength(length: number): void {
    const now = performance.now()
    const { textEnds, visible } = this
    while (this.shown < textEnds.length && (textEnds[this.shown] as number) <= length) visible[this.shown++] = now
  }

  /** When the DOM change made at `time` was painted: the paint of the first frame laid out after it. */
  paintedAfter(time: number): number {
    return this.painted[firstAtOrAfter(this.laidOut, time)] ?? Number.NaN
  }

  /** The median frame interval over the last `count` frames. */
  frameInterval(count = 30): number {
    const recent = this.frames.slice(-count - 1)
    const gaps = recent.slice(1).map((time, i) => time - (recent[i] as number))
    gaps.sort((a, b) => a - b)
    return percentile(gaps, 50)
  }

  summary() {
    const n = this.arrivals.length
    const from = this.arrivals[0] as number
    const to = this.visible[n - 1] as number
    const latencies: number[] = []
    for (let i = 0; i < n; i++)
      latencies.push(this.paintedAfter(this.visible[i] as number) - (this.arrivals[i] as number))
    latencies.sort((a, b) => a - b)

    // Commits between two layout marks were painted in the same frame.
    let framesWithSeveralCommits = 0
    let frame = -1
    let inFrame = 0
    for (const commit of this.commits) {
      if (commit < from || commit > to) continue
      const index = firstAtOrAfter(this.laidOut, commit)
      if (index === frame) {
        if (++inFrame === 2) framesWithSeveralCommits++
      } else {
        frame = index
        inFrame = 1
      }
    }

    // Frames painted from the first token's arrival through the paint that showed the last token,
    // and the time they took: from the layout before the first of them to the last one's.
    const firstFrame = firstAtOrAfter(this.laidOut, from)
    const lastFrame = firstAtOrAfter(this.laidOut, to)
    const frameSpan = (this.laidOut[lastFrame] ?? to) - (this.laidOut[firstFrame - 1] ?? from)

    const tenth = (k: number) => this.visible[Math.min(n - 1, Math.floor((k * n) / 10))] as number
    // The mean, so a frame stretched by a long render counts in full; NaN where no frame fell
    // in that tenth (a burst shown in one or two commits).
    const meanOf = (values: number[]) =>
      values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length

    const long = this.longTasks.filter((task) => task.start < to && task.start + task.duration > from)
    const lastArrival = this.arrivals[n - 1] as number
    return {
      durationMs: to - from,
      deliveredPerSecond: lastArrival > from ? ((n - 1) * 1000) / (lastArrival - from) : Number.POSITIVE_INFINITY,
      commits: countWithin(this.commits, from, to),
      frames: lastFrame - firstFrame + 1,
      framesPerSecond: ((lastFrame - firstFrame + 1) * 1000) / frameSpan,
      framesWithSeveralCommits,
      longTasks: long.length,
      longestTaskMs: Math.max(0, ...long.map((task) => task.duration)),
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      latencyMaxMs: latencies[latencies.length - 1] ?? 0,
      frameWorkFirstTenthMs: meanOf(this.frameWork(from, tenth(1))),
      frameWorkLastTenthMs: meanOf(this.frameWork(tenth(9), to)),
    }
  }
}
