/** What went wrong with a stream. Each kind calls for a different reaction (retry, resume, report). */
export type StreamErrorKind =
  | 'http' // non-2xx response
  | 'network' // the connection or body failed
  | 'parse' // a malformed event: invalid JSON or an unexpected shape
  | 'provider' // the provider reported an error in-band (or refused the prompt)
  | 'interrupted' // the stream ended without its protocol's terminal signal
  | 'timeout' // no first token or no bytes for too long
  | 'aborted' // the caller aborted
  | 'limit' // a line or event over the size limit

export interface StreamErrorOptions {
  status?: number
  retryAfterMs?: number
  code?: string
  cause?: unknown
}

/**
 * The one error type Rivulet throws for anything that goes wrong with a stream.
 *
 * @example
 * try { for await (const part of decode(res, { protocol: 'openai-chat' })) show(part) }
 * catch (error) { if (error instanceof StreamError && error.kind === 'http') retryLater(error.retryAfterMs) }
 */
export class StreamError extends Error {
  override readonly name = 'StreamError'
  readonly kind: StreamErrorKind
  /** HTTP status, for kind `http` (and provider errors that carry one). */
  readonly status?: number
  /** How long the server asked us to wait before retrying. */
  readonly retryAfterMs?: number
  /** The provider's own error code or type, e.g. `rate_limit_exceeded`, `overloaded_error`. */
  readonly code?: string

  constructor(kind: StreamErrorKind, message: string, options: StreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.kind = kind
    if (options.status !== undefined) this.status = options.status
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs
    if (options.code !== undefined) this.code = options.code
  }
}

/** True for a `StreamError`, also one from another copy of this package. */
export function isStreamError(value: unknown): value is StreamError {
  return value instanceof StreamError || (value instanceof Error && value.name === 'StreamError' && 'kind' in value)
}

/** A short, single-line excerpt of untrusted text for error messages, in backticks. */
export function excerpt(text: string, max = 80): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text
  return `\`${short.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}\``
}
