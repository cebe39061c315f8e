/**
 * One generation in progress: it pulls wire events from a source (the simulated model through
 * an encoder, or an upstream relay) and appends them to the stream's log. Connections only read
 * that log, so a resumable stream outlives its connection and a reader never slows the model.
 */

/** What a source yields. */
export type RunItem =
  /** A wire event, stored and numbered. */
  | { type: 'event'; data: string }
  /** Fault: drop the connection that started the stream once it has every event so far. */
  | { type: 'drop' }
  /** Fault: text sent as is on that connection only, never stored (a WebSocket frame that is not JSON). */
  | { type: 'raw'; data: string }
  /** The stream ended with an error event (already yielded). */
  | { type: 'failed' }

/** Why a run ended. */
export type RunOutcome =
  | 'finished'
  | 'failed'
  /** The connection of a stream that is not resumable went away. */
  | 'client-gone'
  /** An explicit cancel (DELETE, cancel frame) or nobody read it for the retention window. */
  | 'cancelled'
  | 'shutdown'
  | 'timeout'

export interface RunTarget {
  append(data: string): Promise<number> | number
  end(): Promise<void> | void
}

/** A fault event waiting for the origin connection to reach `afterSeq`. */
export interface RunMarker {
  afterSeq: number
  item: Extract<RunItem, { type: 'drop' | 'raw' }>
}

/** Why the server ended a stream with an error, for the wire's error event. */
export interface RunError {
  message: string
  code: string
  /** A `StreamErrorKind` for the WebSocket error frame; default `provider`. */
  kind?: string
  status?: number
  retryAfterMs?: number
}

export interface RunOptions {
  id: string
  target: RunTarget
  /** The wire's terminal error events, for a stream the server has to end (shutdown, timeout, a failing source). */
  fail(error: RunError): string[]
  onToken?(): void
  onEnd?(run: StreamRun): void
  /** Longest a run may take; then it ends with an error event. */
  maxDurationMs?: number
}

export class StreamRun {
  readonly id: string
  readonly startedAt = performance.now()
  tokens = 0
  lastSeq = 0
  outcome: RunOutcome | undefined
  endedAt: number | undefined
  readonly ended: Promise<RunOutcome>
  private readonly controller = new AbortController()
  private stopReason: RunOutcome | undefined
  private readonly markers: RunMarker[] = []
  private readonly markerListeners = new Set<() => void>()
  private resolveEnded!: (outcome: RunOutcome) => void
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: RunOptions) {
    this.id = options.id
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve))
    if (options.maxDurationMs !== undefined) {
      this.timer = setTimeout(() => this.stop('timeout'), options.maxDurationMs)
      this.timer.unref?.()
    }
  }

  /** Aborts when the run is stopped: sources pass it to sleeps and fetches. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Counts one output token generated. */
  countToken(): void {
    this.tokens++
    this.options.onToken?.()
  }

  /** Starts pulling from the source. */
  start(source: AsyncIterable<RunItem>): this {
    void this.loop(source)
    return this
  }

  /** Stops generating at once; the first reason given wins. */
  stop(reason: RunOutcome): void {
    if (this.stopReason !== undefined || this.outcome !== undefined) return
    this.stopReason = reason
    this.controller.abort(new Error(`stream ${reason}`))
  }

  /** Fault markers the origin connection has reached, removed from the queue. */
  takeMarkers(deliveredSeq: number): RunMarker[] {
    const due: RunMarker[] = []
    while (this.markers.length > 0 && (this.markers[0] as RunMarker).afterSeq <= deliveredSeq)
      due.push(this.markers.shift() as RunMarker)
    return due
  }

  onMarker(listener: () => void): () => void {
    this.markerListeners.add(listener)
    return () => this.markerListeners.delete(listener)
  }

  private async loop(source: AsyncIterable<RunItem>): Promise<void> {
    const { target } = this.options
    let outcome: RunOutcome = 'finished'
    let failure: RunError | undefined
    try {
      for await (const item of source) {
        if (this.stopReason !== undefined) break
        switch (item.type) {
          case 'event':
            this.lastSeq = await target.append(item.data)
            break
          case 'failed':
            outcome = 'failed'
            break
          default:
            this.markers.push({ afterSeq: this.lastSeq, item })
            for (const listener of this.markerListeners) listener()
        }
      }
      if (this.stopReason !== undefined) outcome = this.stopReason
    } catch (error) {
      outcome = this.stopReason ?? 'failed'
      if (this.stopReason === undefined) failure = runError(error)
    }
    failure ??= ENDING_ERRORS[outcome]
    try {
      // Readers still attached learn why the stream ends; a cancelled one is already gone.
      if (failure !== undefined) for (const data of this.options.fail(failure)) await target.append(data)
      if (outcome !== 'cancelled') await target.end()
    } catch {
      // The store forgot the stream meanwhile (cancelled): nobody is left to tell.
    }
    clearTimeout(this.timer)
    this.outcome = outcome
    this.endedAt = performance.now()
    this.markerListeners.clear()
    this.options.onEnd?.(this)
    this.resolveEnded(outcome)
  }
}

const ENDING_ERRORS: Partial<Record<RunOutcome, RunError>> = {
  shutdown: { message: 'The server is shutting down', code: 'server_shutdown', kind: 'interrupted' },
  timeout: { message: 'The stream ran past the server time limit', code: 'stream_timeout', kind: 'timeout' },
}

/** A source's failure (an upstream gone wrong, mostly), keeping a `StreamError`'s kind and status. */
function runError(error: unknown): RunError {
  const detail = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>
  const out: RunError = {
    message: `The stream failed: ${error instanceof Error ? error.message : String(error)}`,
    code: typeof detail.code === 'string' ? detail.code : 'stream_failed',
  }
  if (typeof detail.kind === 'string') out.kind = detail.kind
  if (typeof detail.status === 'number') out.status = detail.status
  if (typeof detail.retryAfterMs === 'number') out.retryAfterMs = detail.retryAfterMs
  return out
}
