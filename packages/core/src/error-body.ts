/**
 * The bodies providers send with a failed request, written once for every server and mock, so a
 * 429 or a 500 reads like the real one to `decode` (`parseErrorBody`) and to the providers' SDKs.
 */
import type { Protocol } from './types.js'

interface ErrorKind {
  /** HTTP reason phrase (RFC 9110 §15), or Anthropic's word for its own 529. */
  reason: string
  message: string
  /** OpenAI `error.type` and `error.code`. https://platform.openai.com/docs/guides/error-codes */
  openai: { type: string; code: string | null }
  /** Anthropic `error.type`. https://docs.anthropic.com/en/api/errors */
  anthropic: string
  /** Gemini `error.status`, the google.rpc code name. https://ai.google.dev/gemini-api/docs/troubleshooting */
  gemini: string
}

const KINDS: Readonly<Record<number, ErrorKind>> = {
  400: {
    reason: 'Bad Request',
    message: 'The request was invalid.',
    openai: { type: 'invalid_request_error', code: null },
    anthropic: 'invalid_request_error',
    gemini: 'INVALID_ARGUMENT',
  },
  401: {
    reason: 'Unauthorized',
    message: 'Incorrect API key provided.',
    openai: { type: 'invalid_request_error', code: 'invalid_api_key' },
    anthropic: 'authentication_error',
    gemini: 'UNAUTHENTICATED',
  },
  403: {
    reason: 'Forbidden',
    message: 'You do not have permission to use this resource.',
    openai: { type: 'invalid_request_error', code: 'insufficient_permissions' },
    anthropic: 'permission_error',
    gemini: 'PERMISSION_DENIED',
  },
  404: {
    reason: 'Not Found',
    message: 'The model does not exist or you do not have access to it.',
    openai: { type: 'invalid_request_error', code: 'model_not_found' },
    anthropic: 'not_found_error',
    gemini: 'NOT_FOUND',
  },
  409: {
    reason: 'Conflict',
    message: 'The request conflicts with the current state of the resource.',
    openai: { type: 'invalid_request_error', code: null },
    anthropic: 'invalid_request_error',
    gemini: 'ABORTED',
  },
  410: {
    reason: 'Gone',
    message: 'The resource is no longer available.',
    openai: { type: 'invalid_request_error', code: null },
    anthropic: 'invalid_request_error',
    gemini: 'NOT_FOUND',
  },
  413: {
    reason: 'Content Too Large',
    message: 'Request exceeds the maximum allowed number of bytes.',
    openai: { type: 'invalid_request_error', code: null },
    anthropic: 'request_too_large',
    gemini: 'INVALID_ARGUMENT',
  },
  429: {
    reason: 'Too Many Requests',
    message: 'Rate limit reached. Please try again later.',
    // OpenAI names the limit that was hit (`requests` or `tokens`) as the type.
    openai: { type: 'requests', code: 'rate_limit_exceeded' },
    anthropic: 'rate_limit_error',
    gemini: 'RESOURCE_EXHAUSTED',
  },
  500: {
    reason: 'Internal Server Error',
    message: 'The server had an error while processing your request.',
    openai: { type: 'server_error', code: null },
    anthropic: 'api_error',
    gemini: 'INTERNAL',
  },
  502: {
    reason: 'Bad Gateway',
    message: 'Bad gateway.',
    openai: { type: 'server_error', code: null },
    anthropic: 'api_error',
    gemini: 'UNAVAILABLE',
  },
  503: {
    reason: 'Service Unavailable',
    message: 'The model is overloaded. Please try again later.',
    openai: { type: 'server_error', code: 'service_unavailable' },
    anthropic: 'overloaded_error',
    gemini: 'UNAVAILABLE',
  },
  504: {
    reason: 'Gateway Timeout',
    message: 'The request timed out.',
    openai: { type: 'server_error', code: null },
    anthropic: 'api_error',
    gemini: 'DEADLINE_EXCEEDED',
  },
  529: {
    reason: 'Overloaded',
    message: 'Overloaded',
    openai: { type: 'server_error', code: null },
    anthropic: 'overloaded_error',
    gemini: 'UNAVAILABLE',
  },
}

function known(status: number): ErrorKind | undefined {
  return Object.hasOwn(KINDS, status) ? KINDS[status] : undefined
}

/** A status the table lacks borrows the nearest class: 4xx reads as 400, 5xx as 500. */
function kindOf(status: number): ErrorKind {
  return known(status) ?? (KINDS[status >= 500 ? 500 : 400] as ErrorKind)
}

/** The reason phrase for `status`, for `Response.statusText` ('' where the table has none). */
export function statusTextOf(status: number): string {
  return known(status)?.reason ?? ''
}

export interface ErrorBodyOptions {
  /** What the client shows; the status's usual message by default. */
  message?: string
  /**
   * OpenAI `error.code` (the status's usual code by default; `null` for none). Anthropic's and
   * Gemini's follow the status.
   */
  code?: string | null
  /** OpenAI `error.param`: the request field at fault. */
  param?: string
}

/**
 * The body a provider sends with HTTP `status`, and its content type. AI SDK routes and plain
 * text endpoints answer with the message as text, which is what the AI SDK client shows.
 *
 * @example
 * errorBody('anthropic', 529) // { body: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', … }
 */
export function errorBody(
  protocol: Protocol,
  status: number,
  options: ErrorBodyOptions = {},
): { body: string; contentType: string } {
  const kind = kindOf(status)
  const message = options.message ?? kind.message
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' })
  switch (protocol) {
    case 'openai-chat':
    case 'openai-responses':
      return json({
        error: {
          message,
          type: kind.openai.type,
          param: options.param ?? null,
          code: options.code === undefined ? kind.openai.code : options.code,
        },
      })
    case 'anthropic':
      return json({ type: 'error', error: { type: kind.anthropic, message } })
    case 'gemini':
      return json({ error: { code: status, message, status: kind.gemini } })
    case 'ollama':
      return json({ error: message })
    default:
      return { body: message, contentType: 'text/plain; charset=utf-8' }
  }
}

/** Anthropic's `error.type` for a status, for in-band `error` events as well as bodies. */
export function anthropicErrorType(status: number): string {
  return kindOf(status).anthropic
}

/**
 * The whole error `Response`: status, reason phrase, the provider's body and, with
 * `retryAfterS`, a `Retry-After` header (whole seconds, RFC 9110 §10.2.3).
 */
export function errorResponse(
  protocol: Protocol,
  status: number,
  options: ErrorBodyOptions & { retryAfterS?: number; headers?: Record<string, string> } = {},
): Response {
  const { body, contentType } = errorBody(protocol, status, options)
  const headers = new Headers(options.headers)
  headers.set('content-type', contentType)
  if (options.retryAfterS !== undefined) headers.set('retry-after', String(Math.max(0, Math.ceil(options.retryAfterS))))
  return new Response(body, { status, statusText: statusTextOf(status), headers })
}
