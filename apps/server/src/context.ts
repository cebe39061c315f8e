/** What every route shares: options resolved to values, the store, limits, live runs and stats. */

import type { StreamStore } from '@rivulet/server'
import type { RateLimiter, RateLimitOptions, StreamSlots } from './limits.js'
import type { SimulationDefaults } from './sim/options.js'
import type { RunOutcome, StreamRun } from './streams/run.js'

export interface Limits {
  /** Request body size; past it, 413. Default 1 MiB. */
  maxBodyBytes: number
  /** Messages in one request. Default 500. */
  maxMessages: number
  /** Characters of text across a request's messages. Default 400 000. */
  maxInputChars: number
  /** Streams generating at once (all transports); past it, 429. Default 2000. */
  maxConcurrentStreams: number
  /** Per-client request rate, or `false` for none. Default 1200 per minute, bursts of 120. */
  rateLimit: RateLimitOptions | false
  /** A stream running longer is ended with an error. Default 10 minutes. */
  maxStreamDurationMs: number
  /** Streams one client generates at once (per IP over HTTP, per socket over WebSocket); past it, 429. Default 32. */
  maxStreamsPerClient: number
  /**
   * How long a stream that is not resumable waits for a reader that takes nothing before the
   * connection is dropped and the slot freed. Default 30 s.
   */
  readerStallMs: number
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 1024 * 1024,
  maxMessages: 500,
  maxInputChars: 400_000,
  maxConcurrentStreams: 2000,
  rateLimit: { requestsPerMinute: 1200 },
  maxStreamDurationMs: 10 * 60_000,
  maxStreamsPerClient: 32,
  readerStallMs: 30_000,
}

export interface Logger {
  info(line: string): void
  error(line: string, error?: unknown): void
}

export interface UpstreamOptions {
  /** An OpenAI-compatible base URL, `…/v1`. */
  url: string
  apiKey?: string
  /** Default: the global fetch. */
  fetch?: typeof fetch
}

/** Reported once per generation when it stops, whatever stopped it. */
export interface StreamEndInfo {
  id: string
  transport: 'sse' | 'ws' | 'json'
  outcome: RunOutcome
  /** Output tokens generated (reasoning, text and tool arguments). */
  tokens: number
  durationMs: number
  /** `performance.now()` when generation stopped. */
  endedAt: number
}

export interface ServerStats {
  activeStreams: number
  streamsStarted: number
  tokensGenerated: number
  requests: number
}

export interface ServerContext {
  limits: Limits
  store: StreamStore
  slots: StreamSlots
  rateLimiter: RateLimiter | undefined
  logger: Logger | undefined
  upstream: UpstreamOptions | undefined
  simulation: SimulationDefaults
  isAllowedOrigin(origin: string): boolean
  /** The `Host` header check (DNS rebinding). */
  isAllowedHost(host: string | undefined): boolean
  keepaliveMs: number
  /** Runs generating now, on this instance. */
  runs: Set<StreamRun>
  /** Client-named resumable streams whose POST is still being read: a cancel for one must not be lost. */
  pending: Set<string>
  stats: { streamsStarted: number; tokensGenerated: number; requests: number }
  onStreamEnd: ((info: StreamEndInfo) => void) | undefined
  closing: boolean
}
