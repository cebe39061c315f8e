import { describe, expect, it } from 'vitest'
import { decode } from './decode.js'
import { httpError } from './http-error.js'
import { errorSummary } from './testing/protocol.js'
import { collect } from './testing/streams.js'
import type { Protocol } from './types.js'

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

const summary = async (response: Response) => errorSummary(await httpError(response, () => Date.UTC(2026, 0, 1)))

describe('httpError', () => {
  it('reads OpenAI error bodies', async () => {
    const body = {
      error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
    }
    expect(await summary(json(401, body))).toEqual({
      kind: 'http',
      status: 401,
      message: 'HTTP 401: Incorrect API key provided',
      code: 'invalid_api_key',
      retryAfterMs: undefined,
    })
  })

  it('reads Anthropic error bodies and retry-after', async () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' }
    expect(await summary(json(529, body, { 'retry-after': '12' }))).toMatchObject({
      status: 529,
      message: 'HTTP 529: Overloaded',
      code: 'overloaded_error',
      retryAfterMs: 12_000,
    })
  })

  it("reads Gemini error bodies, their status as the code and RetryInfo's delay", async () => {
    const body = [
      {
        error: {
          code: 429,
          message: 'You exceeded your current quota.',
          status: 'RESOURCE_EXHAUSTED',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
          ],
        },
      },
    ]
    expect(await summary(json(429, body))).toMatchObject({
      message: 'HTTP 429: You exceeded your current quota.',
      code: 'RESOURCE_EXHAUSTED',
      retryAfterMs: 37_000,
    })
  })

  it('reads Ollama error bodies', async () => {
    expect(await summary(json(404, { error: 'model "llama9" not found, try pulling it first' }))).toMatchObject({
      status: 404,
      message: 'HTTP 404: model "llama9" not found, try pulling it first',
    })
  })

  it('keeps a plain-text body as the message, and copes with an empty one', async () => {
    expect(await summary(new Response('upstream connect error', { status: 502 }))).toMatchObject({
      message: 'HTTP 502: upstream connect error',
    })
    expect(await summary(new Response(null, { status: 503, statusText: 'Service Unavailable' }))).toMatchObject({
      message: 'HTTP 503 Service Unavailable',
    })
  })

  it('prefers retry-after-ms, and reads retry-after as an HTTP date', async () => {
    expect(await summary(json(429, {}, { 'retry-after-ms': '1500', 'retry-after': '9' }))).toMatchObject({
      retryAfterMs: 1500,
    })
    expect(await summary(json(429, {}, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }))).toMatchObject({
      retryAfterMs: 5000,
    })
    expect(await summary(json(429, {}, { 'retry-after': 'whenever' }))).toMatchObject({ retryAfterMs: undefined })
  })
})

describe('decode of an HTTP error response', () => {
  const protocols: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'ollama', 'ai-sdk', 'text']
  it.each(protocols)('throws kind http for %s before reading any part', async (protocol) => {
    const response = json(500, { error: { message: 'boom', type: 'server_error' } }, { 'retry-after-ms': '250' })
    const { values, error } = await collect(decode(response, { protocol }))
    expect(values).toEqual([])
    expect(errorSummary(error)).toMatchObject({
      kind: 'http',
      status: 500,
      message: 'HTTP 500: boom',
      retryAfterMs: 250,
    })
  })

  it('reads only the start of an endless error body, then cancels it', async () => {
    const state = { pulled: 0, cancelled: false }
    const filler = new TextEncoder().encode(' '.repeat(16 * 1024))
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"error":{"message":"overloaded","code":"busy"}}'))
      },
      pull(controller) {
        state.pulled++
        controller.enqueue(filler)
      },
      cancel() {
        state.cancelled = true
      },
    })
    const { values, error } = await collect(decode(new Response(endless, { status: 503 }), { protocol: 'openai-chat' }))
    expect(values).toEqual([])
    expect(errorSummary(error)).toMatchObject({
      kind: 'http',
      status: 503,
      message: 'HTTP 503: overloaded',
      code: 'busy',
    })
    expect(state.pulled).toBeLessThanOrEqual(5)
    expect(state.cancelled).toBe(true)
  })

  it('still reads a whole error body shorter than the bound', async () => {
    const body = JSON.stringify({ error: { message: 'm'.repeat(60_000), code: 'long' } })
    const error = await httpError(new Response(body, { status: 400 }))
    expect(error).toMatchObject({ kind: 'http', code: 'long' })
    expect(error.message).toHaveLength('HTTP 400: '.length + 60_000)
  })
})
