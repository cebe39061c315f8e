import { decode, type Protocol, type StreamError, type StreamPart } from '@rivulet/core'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type RecordedRequest, streamHandler } from './handlers.js'
import { type StreamScript, scriptParts } from './script.js'
import type { StreamOutcome } from './stream.js'
import { carried, collect, consume, protocols, said } from './testing.js'

/** Where each provider's client sends its request: every handler answers on its default URL. */
const endpoints: Record<Protocol, string> = {
  'openai-chat': 'https://api.openai.com/v1/chat/completions',
  'openai-responses': 'https://api.openai.com/v1/responses',
  anthropic: 'https://api.anthropic.com/v1/messages',
  gemini: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
  ollama: 'http://localhost:11434/api/chat',
  'ai-sdk': 'http://localhost:3000/api/chat',
  text: 'http://localhost:3000/api/completion',
}

const script: StreamScript = {
  id: 'msg_0001',
  model: 'mock-model-1',
  reasoning: 'The user greets in German; answer in kind.',
  text: 'Grüß dich! Schön, dass du da bist 👋 — wie kann ich helfen?',
  toolCalls: [{ name: 'lookup_weather', args: { city: 'Zürich', days: 2 }, id: 'call_weather' }],
  usage: { inputTokens: 21 },
}

/** Text tokens of a script with text only, for fault and timing tests. */
const sixTokens: StreamScript = { text: ['One', ' two', ' three', ' four', ' five', ' six'] }

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  vi.useRealTimers()
})
afterAll(() => server.close())

function post(protocol: Protocol, init: RequestInit = {}): Promise<Response> {
  return fetch(endpoints[protocol], {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stream: true }),
    ...init,
  })
}

const textOf = (parts: readonly StreamPart[]) => said(parts).text.join('')

describe.each(protocols)('%s handler', (protocol) => {
  it("streams the script in the provider's wire format: decode gives back its parts", async () => {
    server.use(streamHandler(protocol, { script }))
    const res = await post(protocol)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('content-type')).toMatch(
      protocol === 'ollama' ? 'application/x-ndjson' : protocol === 'text' ? 'text/plain' : 'text/event-stream',
    )
    if (protocol === 'ai-sdk') expect(res.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1')
    const { values, error } = await collect(decode(res, { protocol }))
    expect(error).toBeUndefined()
    expect(said(values)).toEqual(carried(protocol, scriptParts(script)))
  })

  it('re-cut into chunks that split lines and multi-byte characters, decodes the same', async () => {
    server.use(streamHandler(protocol, { script }))
    const whole = await collect(decode(await post(protocol), { protocol }))
    for (const chunkBytes of [1, 3, [1, 9]] as const) {
      server.use(streamHandler(protocol, { script, timing: { chunkBytes, seed: 7 } }))
      const cut = await collect(decode(await post(protocol), { protocol }))
      expect(cut.error).toBeUndefined()
      if (protocol === 'text') expect(textOf(cut.values)).toBe(textOf(whole.values))
      else expect(cut.values).toEqual(whole.values)
    }
  })

  it('drop: the body fails like a lost connection (kind network) after the tokens before it', async () => {
    server.use(streamHandler(protocol, { script: sixTokens, fault: { type: 'drop', afterTokens: 2 } }))
    const { values, error } = await collect(decode(await post(protocol), { protocol }))
    expect((error as StreamError).kind).toBe('network')
    expect(textOf(values)).toBe('One two')
  })

  it('stall: no bytes for the stall, then the rest of the stream (fake timers)', async () => {
    vi.useFakeTimers()
    server.use(streamHandler(protocol, { script: sixTokens, fault: { type: 'stall', afterTokens: 2, ms: 5000 } }))
    let reads = 0
    const parts = consume(decode(await post(protocol), { protocol, onActivity: () => reads++ }))
    await vi.advanceTimersByTimeAsync(0)
    expect(textOf(parts.values)).toBe('One two')
    const before = reads
    await vi.advanceTimersByTimeAsync(4999)
    expect(reads).toBe(before)
    expect(textOf(parts.values)).toBe('One two')
    await vi.advanceTimersByTimeAsync(1)
    await parts.done
    expect(parts.error).toBeUndefined()
    expect(textOf(parts.values)).toBe('One two three four five six')
    expect(said(parts.values).finish).toBe('stop')
  })

  it('http: the status, headers and provider error body reach decode as kind http', async () => {
    server.use(
      streamHandler(protocol, {
        script,
        fault: { type: 'http', status: 429, headers: { 'retry-after': '2', 'x-request-id': 'req_42' } },
      }),
    )
    const res = await post(protocol)
    expect(res.status).toBe(429)
    expect(res.statusText).toBe('Too Many Requests')
    expect(res.headers.get('x-request-id')).toBe('req_42')
    const { values, error } = await collect(decode(res, { protocol }))
    expect(values).toEqual([])
    const streamError = error as StreamError
    expect(streamError).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 2000 })
    expect(streamError.message).toContain('Rate limit reached')
    const codes: Partial<Record<Protocol, string>> = {
      'openai-chat': 'rate_limit_exceeded',
      'openai-responses': 'rate_limit_exceeded',
      anthropic: 'rate_limit_error',
      gemini: 'RESOURCE_EXHAUSTED',
    }
    expect(streamError.code).toBe(codes[protocol])
  })

  it("provider-error: the protocol's own error event, as kind provider", async () => {
    const fault = { type: 'provider-error', afterTokens: 3, message: 'Overloaded', code: 'overloaded_error' } as const
    server.use(streamHandler(protocol, { script: sixTokens, fault, sse: protocol === 'text' }))
    const { values, error } = await collect(decode(await post(protocol), { protocol }))
    expect(error).toMatchObject({ kind: 'provider', message: 'Overloaded' })
    // The AI SDK's error part, Ollama's error line and text's error event carry a message only.
    if (!['ai-sdk', 'ollama', 'text'].includes(protocol)) expect((error as StreamError).code).toBe('overloaded_error')
    expect(textOf(values)).toBe('One two three')
  })

  // Plain text has no JSON to break; streamBody refuses the fault there (see stream.test.ts).
  if (protocol !== 'text')
    it('malformed: one event of invalid JSON is kind parse, or skipped when lenient', async () => {
      server.use(streamHandler(protocol, { script: sixTokens, fault: { type: 'malformed', afterTokens: 4 } }))
      const strict = await collect(decode(await post(protocol), { protocol }))
      expect((strict.error as StreamError).kind).toBe('parse')
      expect(textOf(strict.values)).toBe('One two three four')

      const skipped: StreamError[] = []
      const lenient = await collect(
        decode(await post(protocol), { protocol, lenient: true, onMalformed: (error) => skipped.push(error) }),
      )
      expect(lenient.error).toBeUndefined()
      expect(skipped.map((error) => error.kind)).toEqual(['parse'])
      expect(textOf(lenient.values)).toBe('One two three four five six')
    })

  it('timing: the first token after ttftMs, then tokensPerSecond (fake timers)', async () => {
    vi.useFakeTimers()
    server.use(streamHandler(protocol, { script: sixTokens, timing: { ttftMs: 800, tokensPerSecond: 20 } }))
    const parts = consume(decode(await post(protocol), { protocol }))
    const tokensAt = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms)
      return said(parts.values).text.length
    }
    expect(await tokensAt(799)).toBe(0)
    expect(await tokensAt(1)).toBe(1)
    expect(await tokensAt(49)).toBe(1)
    expect(await tokensAt(1)).toBe(2)
    expect(await tokensAt(200)).toBe(6)
    await parts.done
    expect(parts.error).toBeUndefined()
  })

  it('abort: the handler stops producing when the request is aborted', async () => {
    vi.useFakeTimers()
    const requests: RecordedRequest[] = []
    server.use(
      streamHandler(protocol, {
        script: sixTokens,
        timing: { tokensPerSecond: 10 },
        onRequest: (request) => requests.push(request),
      }),
    )
    const controller = new AbortController()
    const parts = consume(
      decode(await post(protocol, { signal: controller.signal }), { protocol, signal: controller.signal }),
    )
    await vi.advanceTimersByTimeAsync(150)
    expect(said(parts.values).text).toEqual(['One', ' two'])
    controller.abort()
    await parts.done
    expect((parts.error as StreamError).kind).toBe('aborted')
    expect(await requests[0]?.outcome).toEqual<StreamOutcome>({ end: 'aborted', tokens: 2 })
    // Nothing is left scheduled: the producer's next delay was cleared, not left to run.
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('streamHandler', () => {
  it('records each request with its parsed body, and settles its outcome', async () => {
    const requests: RecordedRequest[] = []
    server.use(streamHandler('anthropic', { script: { text: 'Hi!' }, onRequest: (request) => requests.push(request) }))
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    }
    await collect(decode(await post('anthropic', { body: JSON.stringify(body) }), { protocol: 'anthropic' }))
    await collect(decode(await post('anthropic', { body: JSON.stringify(body) }), { protocol: 'anthropic' }))
    expect(requests.map(({ call, body }) => ({ call, body }))).toEqual([
      { call: 0, body },
      { call: 1, body },
    ])
    expect(await requests[0]?.request.json()).toEqual(body)
    expect(await requests[1]?.outcome).toEqual<StreamOutcome>({ end: 'complete', tokens: 2 })
  })

  it('picks the script from the request when script is a function', async () => {
    server.use(
      streamHandler('openai-chat', {
        script: async (request) => {
          const { messages } = (await request.json()) as { messages: { content: string }[] }
          return { text: `You said: ${messages.at(-1)?.content}` }
        },
      }),
    )
    const res = await post('openai-chat', { body: JSON.stringify({ messages: [{ role: 'user', content: 'ping' }] }) })
    expect(textOf((await collect(decode(res, { protocol: 'openai-chat' }))).values)).toBe('You said: ping')
  })

  it('once: answers one request, then the next handler answers', async () => {
    server.use(streamHandler('openai-chat', { script: { text: 'second' } }))
    server.use(streamHandler('openai-chat', { fault: { type: 'http', status: 503 }, once: true }))
    expect((await post('openai-chat')).status).toBe(503)
    const res = await post('openai-chat')
    expect(textOf((await collect(decode(res, { protocol: 'openai-chat' }))).values)).toBe('second')
  })

  it('answers a URL of your own', async () => {
    server.use(streamHandler('ollama', { url: 'http://gpu-box.test:11434/api/generate', script: { text: 'ok' } }))
    const res = await fetch('http://gpu-box.test:11434/api/generate', { method: 'POST', body: '{}' })
    expect(textOf((await collect(decode(res, { protocol: 'ollama' }))).values)).toBe('ok')
  })
})
