import type { z } from 'zod'
import type { ApiError } from './errors.js'
import { nestsDeeperThan, tooDeep, validate } from './validation.js'

/**
 * Reads a JSON body, counting bytes as they arrive: a body past `maxBytes` is refused with
 * 413 as soon as it is known (by `content-length`, or once that many bytes came), not after
 * it was all buffered.
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; value: unknown } | { ok: false; error: ApiError }> {
  const tooLarge: ApiError = {
    status: 413,
    message: `The request body is larger than ${maxBytes} bytes`,
    code: 'request_too_large',
  }
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, error: tooLarge }
  const chunks: Uint8Array[] = []
  let size = 0
  if (request.body) {
    const reader = request.body.getReader()
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        return { ok: false, error: tooLarge }
      }
      chunks.push(value)
    }
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '')
    return { ok: false, error: { status: 400, message: 'The request body is empty: send a JSON object' } }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { ok: false, error: { status: 400, message: 'The request body must be a JSON object' } }
    if (nestsDeeperThan(value)) return { ok: false, error: tooDeep('The request body') }
    return { ok: true, value }
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : ''
    return { ok: false, error: { status: 400, message: `The request body is not valid JSON${detail}` } }
  }
}

/**
 * A request body read within `maxBytes`, parsed as JSON and validated by `schema`: the request
 * (and the raw JSON, for relaying it), or the error to answer with.
 */
export async function readRequest<T extends z.ZodType>(
  request: Request,
  maxBytes: number,
  schema: T,
): Promise<{ ok: true; value: z.infer<T>; raw: unknown } | { ok: false; error: ApiError }> {
  const body = await readJsonBody(request, maxBytes)
  if (!body.ok) return body
  const parsed = validate(schema, body.value)
  return parsed.ok ? { ok: true, value: parsed.value, raw: body.value } : parsed
}
