import { StreamError } from './errors.js'

/** Error bodies are read up to this many bytes, then cancelled; a message never needs more. */
const MAX_ERROR_BODY_BYTES = 64 * 1024

/**
 * Turns a non-2xx `Response` into a `StreamError` of kind `http`: the status, the provider's
 * own message and code from its error JSON, and how long to wait before retrying.
 *
 * Error shapes understood:
 * - OpenAI and compatibles: `{ error: { message, type, code } }`
 * - Anthropic: `{ type: 'error', error: { type: 'overloaded_error', message } }`
 * - Gemini: `{ error: { code, message, status, details: [RetryInfo] } }`, sometimes inside an array
 * - Ollama: `{ error: 'model "x" not found' }`
 *
 * Only the first 64 KiB of the body are read, and the rest is cancelled: a huge or endless error
 * body costs no memory and cannot hold the error back.
 */
export async function httpError(response: Response, now: () => number = Date.now): Promise<StreamError> {
  const body = await readErrorBody(response)
  const detail = parseErrorBody(body)
  const retryAfterMs = retryAfterFromHeaders(response.headers, now) ?? detail.retryAfterMs
  const statusText = response.statusText ? ` ${response.statusText}` : ''
  const message = detail.message ?? (body.trim() ? body.trim().slice(0, 200) : undefined)
  return new StreamError('http', `HTTP ${response.status}${statusText}${message ? `: ${message}` : ''}`, {
    status: response.status,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(detail.code !== undefined && { code: detail.code }),
  })
}

/** The start of an error body as text: '' when there is none or it cannot be read. */
async function readErrorBody(response: Response): Promise<string> {
  const stream = response.body
  if (stream === null || response.bodyUsed || stream.locked) return ''
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  try {
    while (bytes < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read()
      if (done) return text + decoder.decode()
      const chunk =
        value.byteLength > MAX_ERROR_BODY_BYTES - bytes ? value.subarray(0, MAX_ERROR_BODY_BYTES - bytes) : value
      bytes += chunk.byteLength
      text += decoder.decode(chunk, { stream: true })
    }
    return text
  } catch {
    // The body is only decoration for the message; the status alone is still a clear error.
    return text
  } finally {
    // What was not read is not wanted: cancelling frees the connection instead of draining it.
    reader.cancel().catch(() => {})
  }
}

export interface ProviderErrorDetail {
  message?: string
  code?: string
  retryAfterMs?: number
}

/** Reads message, code and retry delay from any provider's error JSON (or returns nothing). */
export function parseErrorBody(body: string): ProviderErrorDetail {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return {}
  }
  if (Array.isArray(json)) json = json[0]
  return providerErrorDetail(json)
}

/** Reads message and code from an in-band or body error value of any provider's shape. */
export function providerErrorDetail(value: unknown): ProviderErrorDetail {
  if (!isObject(value)) return typeof value === 'string' ? { message: value } : {}
  const error = value.error ?? value
  if (typeof error === 'string') return { message: error }
  if (!isObject(error)) return {}
  const detail: ProviderErrorDetail = {}
  if (typeof error.message === 'string') detail.message = error.message
  // OpenAI `code` (string), Anthropic `type`, Gemini `status` (the code there is the HTTP status).
  const code = stringCode(error.code) ?? stringCode(error.type) ?? stringCode(error.status) ?? numericCode(error.code)
  if (code !== undefined) detail.code = code
  const retryAfterMs = geminiRetryDelay(error.details)
  if (retryAfterMs !== undefined) detail.retryAfterMs = retryAfterMs
  return detail
}

/**
 * `retry-after-ms` (OpenAI, Anthropic) wins over `retry-after`, which is either seconds or an
 * HTTP date (RFC 9110 §10.2.3).
 */
export function retryAfterFromHeaders(headers: Headers, now: () => number = Date.now): number | undefined {
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms)
    if (Number.isFinite(value) && value >= 0) return value
  }
  const after = headers.get('retry-after')
  if (after === null || after.trim() === '') return undefined
  const seconds = Number(after)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(after)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now())
}

/** Gemini puts the delay in `details[{ '@type': '…RetryInfo', retryDelay: '30s' }]`. */
function geminiRetryDelay(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined
  for (const item of details) {
    if (!isObject(item) || typeof item.retryDelay !== 'string') continue
    if (typeof item['@type'] === 'string' && !item['@type'].endsWith('RetryInfo')) continue
    const match = /^(\d+(?:\.\d+)?)s$/.exec(item.retryDelay.trim())
    if (match?.[1]) return Math.round(Number(match[1]) * 1000)
  }
  return undefined
}

function stringCode(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function numericCode(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : undefined
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
