import type { StreamError } from '../errors.js'

export interface RetryOptions {
  /** Total attempts, the first one included. Default 3. */
  attempts?: number
  /** First backoff; doubles each attempt, with jitter. Default 500 ms. */
  baseDelayMs?: number
  /** Longest backoff. Default 8 s. */
  maxDelayMs?: number
  /** A server asking to wait longer than this is not retried. Default 60 s. */
  maxRetryAfterMs?: number
}

const PROVIDER_TRANSIENT = /overload|rate.?limit|unavailable|resource.?exhausted|server.?error|internal|timeout/i

/**
 * Whether a failure is worth another attempt: network failures, timeouts, 408/409/425/429,
 * 5xx (529 included), and provider errors that say overloaded or rate limited.
 * The session only retries before any output arrived, so a retry can never duplicate text.
 */
export function isRetryable(error: StreamError): boolean {
  switch (error.kind) {
    case 'network':
    case 'timeout':
      return true
    case 'http': {
      const status = error.status ?? 0
      return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500
    }
    case 'provider':
      return PROVIDER_TRANSIENT.test(`${error.code ?? ''} ${error.message}`)
    default:
      return false
  }
}

/**
 * How long to wait before attempt `attempt + 1` (0-based), or `undefined` not to retry.
 * `retryAfterMs` from the server wins; otherwise exponential backoff with full jitter above half.
 */
export function retryDelayMs(
  error: StreamError,
  attempt: number,
  options: RetryOptions,
  random: () => number,
): number | undefined {
  const attempts = options.attempts ?? 3
  if (attempt + 1 >= attempts || !isRetryable(error)) return undefined
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= (options.maxRetryAfterMs ?? 60_000) ? error.retryAfterMs : undefined
  }
  const backoff = Math.min(options.maxDelayMs ?? 8000, (options.baseDelayMs ?? 500) * 2 ** attempt)
  return backoff / 2 + (backoff / 2) * random()
}
