import type { StreamError } from '@rivulet/core'
import { forwardRef, type HTMLAttributes, type ReactNode } from 'react'
import { fill } from './chat-context.js'
import { type ChatWindowLabels, DEFAULT_CHAT_LABELS } from './labels.js'

const KIND_LABEL: Partial<Record<StreamError['kind'], keyof ChatWindowLabels>> = {
  network: 'errorNetwork',
  interrupted: 'errorInterrupted',
  timeout: 'errorTimeout',
  aborted: 'errorStopped',
  limit: 'errorTooLarge',
  parse: 'errorUnreadable',
}

/**
 * A short sentence for people, per kind of error and HTTP status; the provider's own message is
 * the details. Overload (HTTP 529 and 503, `overloaded` codes) and rate limits read differently
 * from a broken request, since only the first two pass by waiting.
 *
 * @example
 * errorSentence(new StreamError('http', 'HTTP 429 …', { status: 429, retryAfterMs: 20_000 }))
 * // 'Too many requests right now. Try again in 20 s.'
 */
export function errorSentence(error: StreamError | undefined, labels: Partial<ChatWindowLabels> = {}): string {
  const text = { ...DEFAULT_CHAT_LABELS, ...labels }
  if (!error) return text.error
  const wait =
    error.retryAfterMs !== undefined && error.retryAfterMs > 0
      ? ` ${fill(text.errorRetryIn, { seconds: Math.ceil(error.retryAfterMs / 1000) })}`
      : ''
  const code = error.code?.toLowerCase() ?? ''
  if (error.status === 429 || code.includes('rate_limit')) return text.errorRateLimited + wait
  if (error.status === 529 || error.status === 503 || code.includes('overloaded')) return text.errorOverloaded + wait
  if (error.kind === 'http') {
    if (error.status === 401 || error.status === 403) return text.errorUnauthorized
    return error.status !== undefined && error.status >= 500 ? text.errorServer : text.errorRefused
  }
  return text[KIND_LABEL[error.kind] ?? 'errorProvider'] as string
}

export interface ErrorViewProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  error: StreamError | undefined
  labels?: Partial<ChatWindowLabels>
  /** After the sentence: a Retry button, say. */
  children?: ReactNode
}

/** An answer's error: a sentence for people (`role="alert"`), and the technical details on demand. */
export const ErrorView = forwardRef<HTMLDivElement, ErrorViewProps>(function ErrorView(
  { error, labels: labelsProp, children, ...rest },
  ref,
) {
  const labels = { ...DEFAULT_CHAT_LABELS, ...labelsProp }
  return (
    <div ref={ref} data-rivulet="chat-error" data-kind={error?.kind} data-http-status={error?.status} {...rest}>
      <p data-rivulet="error-sentence" role="alert">
        {errorSentence(error, labels)}
      </p>
      {children}
      {error?.message && (
        <details data-rivulet="error-details">
          <summary>{labels.errorDetails}</summary>
          <code>{error.message}</code>
        </details>
      )}
    </div>
  )
})
