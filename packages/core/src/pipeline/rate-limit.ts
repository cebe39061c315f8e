import { abortError } from '../framing/source.js'

/**
 * A token bucket: at most `tokensPerSecond` on average, bursts up to a tenth of a second's
 * worth. It only delays: nothing is dropped, merged or reordered. Waiting stops at once on abort.
 */
export class RateLimiter {
  private available: number
  private updatedAt: number
  private readonly capacity: number

  constructor(
    private readonly tokensPerSecond: number,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(1, tokensPerSecond / 10)
    this.available = this.capacity
    this.updatedAt = now()
  }

  /** Milliseconds to wait before `tokens` may go out (0 = now); takes them from the bucket. */
  take(tokens: number): number {
    const now = this.now()
    this.available = Math.min(this.capacity, this.available + ((now - this.updatedAt) * this.tokensPerSecond) / 1000)
    this.updatedAt = now
    this.available -= tokens
    return this.available >= 0 ? 0 : (-this.available * 1000) / this.tokensPerSecond
  }
}

/** Resolves after `ms`, or rejects with kind `aborted` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal))
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
