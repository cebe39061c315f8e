/**
 * Errors in each provider's own JSON shape, so the official SDKs and core's `parseErrorBody`
 * read them as they read the real thing. Never a stack trace: only what the client can act on.
 *
 * - OpenAI: `{ error: { message, type, param, code } }`
 *   https://platform.openai.com/docs/guides/error-codes
 * - Anthropic: `{ type: 'error', error: { type, message } }`
 *   https://docs.anthropic.com/en/api/errors
 */
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

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  410: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_exceeded',
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'invalid_request_error',
  410: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}

/** The error body for a flavor. */
export function errorBody(flavor: ErrorFlavor, error: ApiError): Record<string, unknown> {
  if (flavor === 'anthropic') {
    return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } }
  }
  return {
    error: {
      message: error.message,
      type: OPENAI_TYPES[error.status] ?? 'server_error',
      param: error.param ?? null,
      code: error.code ?? null,
    },
  }
}

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? 'api_error'
}

export function errorResponse(flavor: ErrorFlavor, error: ApiError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (error.retryAfterS !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterS)))
  return new Response(JSON.stringify(errorBody(flavor, error)), { status: error.status, headers })
}

/** The flavor a path answers in: Anthropic's under `/v1/messages`, OpenAI's everywhere else. */
export function flavorOf(path: string): ErrorFlavor {
  return path === '/v1/messages' || path.startsWith('/v1/messages/') ? 'anthropic' : 'openai'
}
