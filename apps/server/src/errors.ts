/**
 * Errors in each provider's own JSON shape, so the official SDKs and core's `parseErrorBody`
 * read them as they read the real thing. Never a stack trace: only what the client can act on.
 *
 * - OpenAI: `{ error: { message, type, param, code } }`
 *   https://platform.openai.com/docs/guides/error-codes
 * - Anthropic: `{ type: 'error', error: { type, message } }`
 *   https://docs.anthropic.com/en/api/errors
 */
import { errorResponse as providerErrorResponse } from '@rivulet/core'

export type ErrorFlavor = 'openai' | 'anthropic'

export interface ApiError {
  status: number
  message: string
  /** OpenAI `param`: the request field at fault. */
  param?: string
  /** OpenAI `code`; Anthropic's error type is derived from the status. */
  code?: string
  /** Seconds, sent as `Retry-After`. */
  retryAfterS?: number
}

const PROTOCOL = { openai: 'openai-chat', anthropic: 'anthropic' } as const

/** The error `Response` in a flavor's shape, written by core's one table of provider error bodies. */
export function errorResponse(flavor: ErrorFlavor, error: ApiError): Response {
  return providerErrorResponse(PROTOCOL[flavor], error.status, {
    message: error.message,
    code: error.code ?? null,
    ...(error.param !== undefined && { param: error.param }),
    ...(error.retryAfterS !== undefined && { retryAfterS: error.retryAfterS }),
  })
}

/** The flavor a path answers in: Anthropic's under `/v1/messages`, OpenAI's everywhere else. */
export function flavorOf(path: string): ErrorFlavor {
  return path === '/v1/messages' || path.startsWith('/v1/messages/') ? 'anthropic' : 'openai'
}
