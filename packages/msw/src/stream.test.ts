import { decode, type StreamError } from '@rivulet/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StreamScript } from './script.js'
import { type StreamBodyOptions, type StreamOutcome, streamBody, streamResponse } from './stream.js'
import { collect, consume, protocols, said } from './testing.js'

const utf8 = new TextDecoder()

afterEach(() => {
  vi.useRealTimers()
})

/** Every chunk a body delivers, read as fast as it allows. */
async function chunksOf(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  for await (const chunk of body) chunks.push(chunk)
  return chunks
}

const joined = (chunks: readonly Uint8Array[]) => {
  const bytes = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

/** A byte that continues a UTF-8 sequence: a chunk starting with one split a character. */
const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80

const multiByte: StreamScript = { text: 'Ça va? Très bien — 日本語 👩‍👩‍👧 ok' }

/** When each chunk arrives, in ms from the start, under fake timers. */
async function arrivals(body: ReadableStream<Uint8Array>): Promise<number[]> {
  const start = Date.now()
  const times: number[] = []
  const reading = (async () => {
    for await (const _ of body) times.push(Date.now() - start)
  })()
  await vi.runAllTimersAsync()
  await reading
  return times
}

describe('streamBody', () => {
  it('chunkBytes cuts the bytes at that size, through lines and multi-byte characters alike', async () => {
    const whole = joined(await chunksOf(streamBody('anthropic', multiByte)))
    for (const chunkBytes of [1, 2, 5]) {
      const chunks = await chunksOf(streamBody('anthropic', multiByte, { timing: { chunkBytes } }))
      expect(joined(chunks)).toEqual(whole)
      expect(chunks.slice(0, -1).every((chunk) => chunk.length === chunkBytes)).toBe(true)
      if (chunkBytes > 1) expect(chunks.some((chunk) => isContinuation(chunk[0]))).toBe(true)
    }
    const ranged = await chunksOf(streamBody('anthropic', multiByte, { timing: { chunkBytes: [2, 6] } }))
    expect(joined(ranged)).toEqual(whole)
    expect(ranged.slice(0, -1).every((chunk) => chunk.length >= 2 && chunk.length <= 6)).toBe(true)
    expect(new Set(ranged.map((chunk) => chunk.length)).size).toBeGreaterThan(1)
    // Lines are split too: some chunks end inside an SSE line.
    expect(ranged.some((chunk) => !utf8.decode(chunk).endsWith('\n'))).toBe(true)
  })

  it('without chunkBytes writes one chunk per event', async () => {
    const chunks = await chunksOf(streamBody('openai-chat', { text: ['a', 'b'], usage: false }))
    expect(chunks.map((chunk) => utf8.decode(chunk).split('\n\n').length - 1)).toEqual([1, 1, 1, 1, 1])
  })

  it('cuts the bytes written together as one run, so events also arrive glued to the next one', async () => {
    const chunks = await chunksOf(streamBody('openai-chat', { text: 'Hi there' }, { timing: { chunkBytes: 64 } }))
    expect(chunks.some((chunk) => /\n\ndata: /.test(utf8.decode(chunk)))).toBe(true)
  })

  it('gives the same chunks for the same seed, and other chunks for another', async () => {
    const cut = async (seed: number) =>
      (await chunksOf(streamBody('gemini', multiByte, { timing: { chunkBytes: [1, 8], seed } }))).map((c) => c.length)
    expect(await cut(3)).toEqual(await cut(3))
    expect(await cut(3)).not.toEqual(await cut(4))
  })

  it('paces tokens by ttftMs and tokensPerSecond without drift', async () => {
    vi.useFakeTimers()
    const body = streamBody('text', { text: ['a', 'b', 'c', 'd'] }, { timing: { ttftMs: 250, tokensPerSecond: 3 } })
    // 1000/3 ms apart, rounded on the running total: 333, 334, 333.
    expect(await arrivals(body)).toEqual([250, 583, 917, 1250])
  })

  it('varies delays by up to the jitter, the same way for the same seed', async () => {
    vi.useFakeTimers()
    const timing = { ttftMs: 1000, tokensPerSecond: 10, jitter: 0.5, seed: 42 }
    const text = Array.from({ length: 20 }, (_, index) => `t${index}`)
    const first = await arrivals(streamBody('text', { text }, { timing }))
    const again = await arrivals(streamBody('text', { text }, { timing }))
    expect(again).toEqual(first)
    const gaps = first.slice(1).map((time, index) => time - (first[index] as number))
    expect(first[0]).toBeGreaterThanOrEqual(500)
    expect(first[0]).toBeLessThanOrEqual(1500)
    expect(gaps.every((gap) => gap >= 49 && gap <= 151)).toBe(true)
    expect(new Set(gaps).size).toBeGreaterThan(5)
    const other = await arrivals(streamBody('text', { text }, { timing: { ...timing, seed: 43 } }))
    expect(other).not.toEqual(first)
  })

  it('writes the start event at once and waits ttftMs for the first token only', async () => {
    vi.useFakeTimers()
    const body = streamBody('openai-chat', { text: ['Hi'] }, { timing: { ttftMs: 700 } })
    const chunks = consume(body)
    await vi.advanceTimersByTimeAsync(0)
    expect(chunks.values.map((chunk) => utf8.decode(chunk))).toEqual([expect.stringContaining('"role":"assistant"')])
    await vi.advanceTimersByTimeAsync(700)
    await chunks.done
    // The finish chunk and the usage chunk after it are one write.
    expect(chunks.values.map((chunk) => utf8.decode(chunk).split('\n\n').length - 1)).toEqual([1, 1, 2, 1])
  })

  it('stops producing when the reader cancels the body', async () => {
    vi.useFakeTimers()
    const outcomes: StreamOutcome[] = []
    const body = streamBody(
      'anthropic',
      { text: 'a b c d e f' },
      {
        timing: { tokensPerSecond: 5 },
        onEnd: (outcome) => outcomes.push(outcome),
      },
    )
    const reader = body.getReader()
    await reader.read() // the first token comes at once (no ttft), with message_start
    await reader.cancel()
    expect(outcomes).toEqual([{ end: 'aborted', tokens: 1 }])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops producing when the signal aborts, and the body errors with its reason', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const outcomes: StreamOutcome[] = []
    const options: StreamBodyOptions = {
      timing: { ttftMs: 1000 },
      signal: controller.signal,
      onEnd: (outcome) => outcomes.push(outcome),
    }
    const read = consume(streamBody('ollama', { text: 'Hello' }, options))
    await vi.advanceTimersByTimeAsync(500)
    controller.abort(new DOMException('The user aborted a request.', 'AbortError'))
    await read.done
    expect((read.error as DOMException).name).toBe('AbortError')
    expect(outcomes).toEqual([{ end: 'aborted', tokens: 0 }])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reports how the body ended, once', async () => {
    const outcome = async (options: StreamBodyOptions) => {
      const outcomes: StreamOutcome[] = []
      await collect(
        decode(streamBody('openai-chat', { text: 'a b c' }, { ...options, onEnd: (o) => outcomes.push(o) }), {
          protocol: 'openai-chat',
        }),
      )
      return outcomes
    }
    expect(await outcome({})).toEqual([{ end: 'complete', tokens: 3 }])
    expect(await outcome({ fault: { type: 'drop', afterTokens: 1 } })).toEqual([{ end: 'drop', tokens: 1 }])
    expect(await outcome({ fault: { type: 'provider-error' } })).toEqual([{ end: 'provider-error', tokens: 0 }])
    expect(await outcome({ fault: { type: 'malformed', afterTokens: 2 } })).toEqual([{ end: 'complete', tokens: 3 }])
  })

  it('a fault past the last token comes before usage and finish', async () => {
    for (const protocol of protocols) {
      const body = streamBody(protocol, { text: 'All of it' }, { fault: { type: 'drop', afterTokens: 99 } })
      const { values, error } = await collect(decode(body, { protocol }))
      expect((error as StreamError).kind).toBe('network')
      expect(said(values).text.join('')).toBe('All of it')
      expect(said(values).finish).toBeUndefined()
    }
  })

  it('provider errors default to the message "Overloaded"', async () => {
    const body = streamBody('anthropic', { text: 'x' }, { fault: { type: 'provider-error' } })
    const { error } = await collect(decode(body, { protocol: 'anthropic' }))
    expect(error).toMatchObject({ kind: 'provider', message: 'Overloaded' })
  })

  it('refuses options that cannot be honoured, at once', () => {
    expect(() => streamBody('text', {}, { fault: { type: 'malformed' } })).toThrow(TypeError)
    expect(() => streamBody('text', {}, { fault: { type: 'provider-error' } })).toThrow(/sse: true/)
    expect(() => streamBody('text', {}, { fault: { type: 'provider-error' }, sse: true })).not.toThrow()
    expect(() => streamBody('openai-chat', {}, { fault: { type: 'http', status: 500 } as never })).toThrow(
      /streamResponse/,
    )
    expect(() => streamBody('openai-chat', {}, { fault: { type: 'drop', afterTokens: -1 } })).toThrow(RangeError)
    expect(() => streamBody('openai-chat', {}, { timing: { jitter: 2 } })).toThrow(RangeError)
    expect(() => streamBody('openai-chat', {}, { timing: { chunkBytes: 0 } })).toThrow(RangeError)
    expect(() => streamBody('openai-chat', {}, { timing: { chunkBytes: [5, 2] } })).toThrow(RangeError)
  })
})

describe('streamResponse', () => {
  it("serves each protocol with its content type, and the AI SDK's stream headers", () => {
    expect(streamResponse('openai-chat').headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(streamResponse('ollama').headers.get('content-type')).toBe('application/x-ndjson')
    expect(streamResponse('text').headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(streamResponse('text', {}, { sse: true }).headers.get('content-type')).toContain('text/event-stream')
    const aiSdk = streamResponse('ai-sdk')
    expect(aiSdk.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1')
    expect(aiSdk.headers.get('cache-control')).toBe('no-cache')
    const custom = streamResponse('anthropic', {}, { headers: { 'request-id': 'req_1', 'cache-control': 'no-store' } })
    expect(custom.headers.get('request-id')).toBe('req_1')
    expect(custom.headers.get('cache-control')).toBe('no-store')
  })

  it("answers an http fault with each provider's own error body", async () => {
    const bodies = await Promise.all(
      protocols.map(async (protocol) => {
        const res = streamResponse(protocol, {}, { fault: { type: 'http', status: 529 } })
        return [protocol, res.status, res.headers.get('content-type'), await res.text()]
      }),
    )
    expect(bodies).toEqual([
      [
        'openai-chat',
        529,
        'application/json',
        '{"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}}',
      ],
      [
        'openai-responses',
        529,
        'application/json',
        '{"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}}',
      ],
      [
        'anthropic',
        529,
        'application/json',
        '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      ],
      ['gemini', 529, 'application/json', '{"error":{"code":529,"message":"Overloaded","status":"UNAVAILABLE"}}'],
      ['ollama', 529, 'application/json', '{"error":"Overloaded"}'],
      ['ai-sdk', 529, 'text/plain; charset=utf-8', 'Overloaded'],
      ['text', 529, 'text/plain; charset=utf-8', 'Overloaded'],
    ])
  })

  it('takes a message or a whole body of your own for an http fault, and reports the outcome', async () => {
    const outcomes: StreamOutcome[] = []
    const res = streamResponse(
      'ollama',
      {},
      {
        fault: { type: 'http', status: 404, message: 'model "llama9" not found, try pulling it first' },
        onEnd: (outcome) => outcomes.push(outcome),
      },
    )
    const { error } = await collect(decode(res, { protocol: 'ollama' }))
    expect(error).toMatchObject({ kind: 'http', status: 404 })
    expect((error as StreamError).message).toContain('model "llama9" not found')
    expect(outcomes).toEqual([{ end: 'http', tokens: 0 }])

    const own = streamResponse(
      'openai-chat',
      {},
      { fault: { type: 'http', status: 400, body: { error: { message: 'Bad', code: 'x' } } } },
    )
    expect(await own.json()).toEqual({ error: { message: 'Bad', code: 'x' } })
    const text = streamResponse(
      'openai-chat',
      {},
      { fault: { type: 'http', status: 502, body: '<html>Bad gateway</html>' } },
    )
    expect(text.headers.get('content-type')).toContain('text/plain')
    expect(await text.text()).toBe('<html>Bad gateway</html>')
  })

  it('falls back to the status class for a status without an entry', async () => {
    const res = streamResponse('anthropic', {}, { fault: { type: 'http', status: 418 } })
    expect(res.statusText).toBe('')
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } })
  })
})
