/** Load limits: a cap on concurrent streams and a per-client request rate. */

/**
 * Concurrent generations (SSE, WebSocket, non-streamed and relayed alike), in all and per
 * client, so one client cannot hold every slot.
 */
export class StreamSlots {
  private used = 0
  private readonly byClient = new Map<string, number>()

  constructor(
    private readonly max: number,
    private readonly maxPerClient: number = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Takes a slot for `client`; returns its release function (idempotent), or why none is free:
   * `server` when all are taken, `client` when this client holds its share.
   */
  acquire(client = ''): (() => void) | 'server' | 'client' {
    if (this.used >= this.max) return 'server'
    const held = this.byClient.get(client) ?? 0
    if (held >= this.maxPerClient) return 'client'
    this.used++
    this.byClient.set(client, held + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.used--
      const left = (this.byClient.get(client) ?? 1) - 1
      if (left === 0) this.byClient.delete(client)
      else this.byClient.set(client, left)
    }
  }

  /** Slots `client` holds now. */
  heldBy(client: string): number {
    return this.byClient.get(client) ?? 0
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
