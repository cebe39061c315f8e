/**
 * One generation in progress: a source (the simulated model through a wire, or an upstream
 * relay) pushes wire events into it, and it appends them to the stream's log. Connections only
 * follow that log, so a resumable stream outlives its connection. A stream that is not
 * resumable has one reader, and the source waits for it (`waitForReader`): a client that stops
 * reading holds a bounded buffer, and past the stall window it is dropped and its slot freed.
 */
import { isStreamError, type StreamErrorKind } from '@rivulet/core'

/** Where a source writes. Every method is synchronous: the hot path makes no promise per token. */
export interface RunSink {
  /** Aborts when the run is stopped: sources stop their timers and fetches. */
  readonly signal: AbortSignal
  /** A wire event, stored and numbered. */
  event(data: string): void
  /** Fault: drop the connection that started the stream once it has every event so far. */
  drop(): void
  /** Fault: text sent as is on that connection only, never stored (a WebSocket frame that is not JSON). */
  raw(data: string): void
  /** The stream ended with an error event (already written). */
  failed(): void
  /** One output token generated. */
  countToken(): void
  /**
   * Undefined while the reader keeps up; else a promise to wait on before producing more,
   * resolved once the reader has caught up (or the run stopped). Checked before each token.
   */
  waitForReader(): Promise<void> | undefined
  /** Stops the run (a source may end its own: a whole answer cut by the drop fault). */
  stop(reason: RunOutcome): void
}

/** A source runs until its answer is complete (resolves) or fails or is stopped (rejects). */
export type RunSource = (sink: RunSink) => Promise<void>

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
  /** The reader of a stream that is not resumable took nothing for the stall window: dropped. */
  | 'stalled'

export interface RunTarget {
  /** Appends the next event; a store that writes elsewhere may answer with a promise. */
  append(data: string): number | Promise<number>
  end(): void | Promise<void>
  /** A log with one consuming reader: see `MemoryLog.waitForRoom`. Targets without it never make the source wait. */
  waitForRoom?(maxBytes: number): Promise<void> | undefined
}

/** Characters of events held for a slow reader before the source waits for it. */
export const READER_BUFFER_CHARS = 16 * 1024

/** A fault waiting for the origin connection to have `afterSeq`. */
export interface RunMarker {
  afterSeq: number
  type: 'drop' | 'raw'
  data?: string
}

/** Why the server ended a stream with an error, for the wire's error event. */
export interface RunError {
  message: string
  code: string
  /** The kind for the WebSocket error frame; default `provider`. */
  kind?: StreamErrorKind
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
  /** How long the source may wait for its reader before the run ends as `stalled`. Default 30 s. */
  readerStallMs?: number
  /** The reader stalled: cut its connection (the run is already stopping). */
  onStalled?(): void
}

export class StreamRun implements RunSink {
  readonly id: string
  readonly startedAt = performance.now()
  tokens = 0
  /** Events written so far: the seq of the last one (stores number events 1, 2, 3…). */
  lastSeq = 0
  outcome: RunOutcome | undefined
  endedAt: number | undefined
  readonly ended: Promise<RunOutcome>
  private readonly controller = new AbortController()
  private stopReason: RunOutcome | undefined
  private failedBySource = false
  private readonly markers: RunMarker[] = []
  private readonly markerListeners = new Set<() => void>()
  private resolveEnded!: (outcome: RunOutcome) => void
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Appends still in flight to a store that answers with promises, chained in order. */
  private writes: Promise<unknown> | undefined
  /** The wait for the reader in progress, shared by every caller until it ends. */
  private readerWait: Promise<void> | undefined

  constructor(private readonly options: RunOptions) {
    this.id = options.id
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve))
    if (options.maxDurationMs !== undefined) {
      this.timer = setTimeout(() => this.stop('timeout'), options.maxDurationMs)
      this.timer.unref?.()
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  event(data: string): void {
    if (this.outcome !== undefined || this.stopReason !== undefined) return
    this.lastSeq++
    this.write(data)
  }

  drop(): void {
    this.mark({ afterSeq: this.lastSeq, type: 'drop' })
  }

  raw(data: string): void {
    this.mark({ afterSeq: this.lastSeq, type: 'raw', data })
  }

  failed(): void {
    this.failedBySource = true
  }

  countToken(): void {
    this.tokens++
    this.options.onToken?.()
  }

  waitForReader(): Promise<void> | undefined {
    if (this.readerWait !== undefined) return this.readerWait
    const room = this.options.target.waitForRoom?.(READER_BUFFER_CHARS)
    if (room === undefined || this.stopReason !== undefined || this.outcome !== undefined) return undefined
    const stallMs = this.options.readerStallMs ?? 30_000
    let stalled: ReturnType<typeof setTimeout> | undefined
    let wake!: () => void
    const stopped = new Promise<void>((resolve) => (wake = resolve))
    const onStop = () => wake()
    this.signal.addEventListener('abort', onStop, { once: true })
    stalled = setTimeout(() => {
      stalled = undefined
      this.stop('stalled')
      this.options.onStalled?.()
    }, stallMs)
    stalled.unref?.()
    this.readerWait = Promise.race([room, stopped]).then(() => {
      clearTimeout(stalled)
      this.signal.removeEventListener('abort', onStop)
      this.readerWait = undefined
    })
    return this.readerWait
  }

  /** Starts the source. */
  start(source: RunSource): this {
    void this.run(source)
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
    if (this.markers.length === 0 || (this.markers[0] as RunMarker).afterSeq > deliveredSeq) return NO_MARKERS
    const due: RunMarker[] = []
    while (this.markers.length > 0 && (this.markers[0] as RunMarker).afterSeq <= deliveredSeq)
      due.push(this.markers.shift() as RunMarker)
    return due
  }

  onMarker(listener: () => void): () => void {
    this.markerListeners.add(listener)
    return () => this.markerListeners.delete(listener)
  }

  private mark(marker: RunMarker): void {
    this.markers.push(marker)
    for (const listener of this.markerListeners) listener()
  }

  private write(data: string): void {
    const { target } = this.options
    if (this.writes !== undefined) {
      this.writes = this.writes.then(() => target.append(data))
      return
    }
    const result = target.append(data)
    if (typeof result !== 'number') this.writes = result
  }

  private async run(source: RunSource): Promise<void> {
    const { target } = this.options
    let outcome: RunOutcome = 'finished'
    let failure: RunError | undefined
    try {
      await source(this)
      if (this.stopReason !== undefined) outcome = this.stopReason
      else if (this.failedBySource) outcome = 'failed'
    } catch (error) {
      outcome = this.stopReason ?? 'failed'
      if (this.stopReason === undefined) failure = runError(error)
    }
    failure ??= ENDING_ERRORS[outcome]
    try {
      await this.writes
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

const NO_MARKERS: RunMarker[] = []

const ENDING_ERRORS: Partial<Record<RunOutcome, RunError>> = {
  shutdown: { message: 'The server is shutting down', code: 'server_shutdown', kind: 'interrupted' },
  timeout: { message: 'The stream ran past the server time limit', code: 'stream_timeout', kind: 'timeout' },
}

/** A source's failure (an upstream gone wrong, mostly), keeping a `StreamError`'s kind and status. */
function runError(error: unknown): RunError {
  const out: RunError = {
    message: `The stream failed: ${error instanceof Error ? error.message : String(error)}`,
    code: isStreamError(error) && error.code !== undefined ? error.code : 'stream_failed',
  }
  if (!isStreamError(error)) return out
  out.kind = error.kind
  if (error.status !== undefined) out.status = error.status
  if (error.retryAfterMs !== undefined) out.retryAfterMs = error.retryAfterMs
  return out
}
