import { describe, expect, it } from 'vitest'
import { PROTOCOLS } from './decode.js'
import { anthropicErrorType, errorBody, errorResponse, statusTextOf } from './error-body.js'
import { httpError, parseErrorBody } from './http-error.js'

describe('errorBody', () => {
  it('writes each provider’s own shape, which parseErrorBody reads back', () => {
    expect(JSON.parse(errorBody('openai-chat', 429).body)).toEqual({
      error: {
        message: 'Rate limit reached. Please try again later.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    })
    expect(JSON.parse(errorBody('anthropic', 529).body)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    })
    expect(JSON.parse(errorBody('gemini', 403, { message: 'no' }).body)).toEqual({
      error: { code: 403, message: 'no', status: 'PERMISSION_DENIED' },
    })
    expect(JSON.parse(errorBody('ollama', 404, { message: 'model "x" not found' }).body)).toEqual({
      error: 'model "x" not found',
    })
    expect(errorBody('ai-sdk', 500, { message: 'boom' })).toEqual({
      body: 'boom',
      contentType: 'text/plain; charset=utf-8',
    })
  })

  it('carries the message and code to the client for every protocol and status', async () => {
    for (const protocol of PROTOCOLS) {
      for (const status of [400, 401, 403, 404, 409, 413, 429, 500, 503, 529, 418, 599]) {
        const error = await httpError(errorResponse(protocol, status, { message: `m${status}`, retryAfterS: 1.2 }))
        expect(error).toMatchObject({ kind: 'http', status, retryAfterMs: 2000 })
        expect(error.message).toContain(`m${status}`)
      }
    }
    expect(parseErrorBody(errorBody('openai-chat', 400, { code: 'context_length_exceeded' }).body)).toMatchObject({
      code: 'context_length_exceeded',
    })
    expect(parseErrorBody(errorBody('anthropic', 401).body)).toMatchObject({ code: 'authentication_error' })
  })

  it('borrows the nearest class for a status it does not know, and never an Object.prototype member', () => {
    expect(anthropicErrorType(418)).toBe('invalid_request_error')
    expect(anthropicErrorType(599)).toBe('api_error')
    expect(statusTextOf(429)).toBe('Too Many Requests')
    expect(statusTextOf(418)).toBe('')
    expect(statusTextOf('constructor' as unknown as number)).toBe('')
  })
})
