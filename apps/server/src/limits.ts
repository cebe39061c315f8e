/** Load limits: a cap on concurrent streams and a per-client request rate. */

/** Concurrent generations (SSE, WebSocket, non-streamed and relayed alike). */
export class StreamSlots {
  private used = 0

  constructor(private readonly max: number) {}

  /** Takes a slot; returns its release function (idempotent), or undefined when all are taken. */
  acquire(): (() => void) | undefined {
    if (this.used >= this.max) return undefined
    this.used++
    let released = false
    return () => {
      if (released) return
      released = true
      this.used--
    }
  }

  get active(): number {
    return this.used
  }
}

export interface RateLimitOptions {
  /** Sustained requests per minute per client. */
  requestsPerMinute: number
  /** Requests a client may make at once before the rate applies. Default: a tenth of a minute's worth, at least 10. */
  burst?: number
}

/**
 * A token bucket per client (its IP address). Buckets that have refilled are dropped, so memory
 * follows the clients active in the last moments, not every client ever seen.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>()
  private readonly perMs: number
  private readonly burst: number

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = options.requestsPerMinute / 60_000
    this.burst = options.burst ?? Math.max(10, Math.ceil(options.requestsPerMinute / 10))
  }

  /** 0 when the request may go ahead (and counts it), else the milliseconds until it may. */
  take(client: string): number {
    const now = this.now()
    if (this.buckets.size > 10_000) this.prune(now)
    const bucket = this.buckets.get(client) ?? { tokens: this.burst, updatedAt: now }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs)
    bucket.updatedAt = now
    this.buckets.set(client, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.ceil((1 - bucket.tokens) / this.perMs)
  }

  private prune(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.burst) this.buckets.delete(client)
    }
  }
}
