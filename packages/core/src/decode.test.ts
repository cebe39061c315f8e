import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decode } from './decode.js'
import { decodeWith } from './decode-stream.js'
import { isStreamError } from './errors.js'
import type { ProtocolDecoder } from './protocols/protocol.js'
import { decodeBody, errorSummary } from './testing/protocol.js'
import { arbitraryCuts, byteLength, collect, cutStream, iterableOf } from './testing/streams.js'
import type { Protocol, StreamPart } from './types.js'

const chunk = (content: string, finish: string | null = null) =>
  `data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`

/** A body that hands out `chunks` one read at a time and records whether it was cancelled. */
function trackedBody(chunks: string[]) {
  const state = { reads: 0, cancelled: false }
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[state.reads++]
        if (next === undefined) controller.close()
        else controller.enqueue(encoder.encode(next))
      },
      cancel() {
        state.cancelled = true
      },
    },
    { highWaterMark: 0 }, // no read-ahead: `reads` counts what decode asked for
  )
  return { body, state }
}

describe('decode', () => {
  it('stops reading and cancels the body once the terminal signal arrives', async () => {
    const { body, state } = trackedBody([chunk('a', 'stop'), 'data: [DONE]\n\n', chunk('never read')])
    const { values, error } = await collect(decode(body, { protocol: 'openai-chat' }))
    expect(error).toBeUndefined()
    expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
    expect(state.cancelled).toBe(true)
    expect(state.reads).toBeLessThan(3)
  })

  it('throws kind aborted on abort, keeping the parts before it, and cancels the body', async () => {
    const controller = new AbortController()
    const { body, state } = trackedBody([chunk('one'), chunk('two'), chunk('three')])
    const seen: StreamPart[] = []
    let caught: unknown
    try {
      for await (const part of decode(body, { protocol: 'openai-chat', signal: controller.signal })) {
        seen.push(part)
        if (part.type === 'text-delta' && part.text === 'one') controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(seen.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'one' }])
    expect(errorSummary(caught)).toMatchObject({ kind: 'aborted' })
    expect(state.cancelled).toBe(true)
  })

  it('reports each new SSE id, the position to resume from', async () => {
    const ids: string[] = []
    const body = `id: 1\n${chunk('a')}id: 2\n${chunk('b')}${chunk('c')}id: 3\n${chunk('', 'stop')}data: [DONE]\n\n`
    await collect(decode(new Response(body), { protocol: 'openai-chat', onEventId: (id) => ids.push(id) }))
    expect(ids).toEqual(['1', '2', '3'])
  })

  it('throws kind limit for an oversized event, after the parts before it', async () => {
    const body = chunk('small') + chunk('x'.repeat(5000))
    const { values, error } = await collect(decode(new Response(body), { protocol: 'openai-chat', maxEventSize: 1000 }))
    expect(values.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'small' }])
    expect(errorSummary(error)).toMatchObject({ kind: 'limit' })
  })

  it('in lenient mode skips only malformed events: a provider error still ends the stream', async () => {
    const body = `${chunk('a')}data: {oops\n\ndata: {"error":{"message":"rate limited","code":"rate_limit"}}\n\n`
    const malformed: unknown[] = []
    const { values, error } = await collect(
      decode(new Response(body), { protocol: 'openai-chat', lenient: true, onMalformed: (e) => malformed.push(e) }),
    )
    expect(values.filter((part) => part.type === 'text-delta')).toHaveLength(1)
    expect(malformed).toHaveLength(1)
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'rate limited', code: 'rate_limit' })
  })

  it('throws kind parse for an unknown protocol, from the iterator', async () => {
    const { error } = await collect(decode(new Response(''), { protocol: 'carrier-pigeon' as 'text' }))
    expect(errorSummary(error)).toMatchObject({ kind: 'parse', message: 'Unknown protocol: carrier-pigeon' })
  })
})

const answer = `${chunk('one') + chunk('two') + chunk('three', 'stop')}data: [DONE]\n\n`

describe('decode: the AsyncIterator contract', () => {
  it('queues next() calls made before the previous one settled, losing no part', async () => {
    const expected = (await collect(decode(new Response(answer), { protocol: 'openai-chat' }))).values
    expect(expected.length).toBeGreaterThan(4)
    // Every part in its own chunk, and every cut between, so batches of one and of several.
    for (const cuts of [[], [...answer].map((_, i) => i), [40, 200, 300]]) {
      const parts = decode(cutStream(answer, cuts), { protocol: 'openai-chat' })
      const results = await Promise.all(Array.from({ length: expected.length + 2 }, () => parts.next()))
      expect(results.filter((r) => !r.done).map((r) => r.value)).toEqual(expected)
      expect(results.slice(expected.length).every((r) => r.done)).toBe(true)
    }
  })

  it('keeps the order under any mix of awaited and prefetched calls', async () => {
    const expected = (await collect(decode(new Response(answer), { protocol: 'openai-chat' }))).values
    await fc.assert(
      fc.asyncProperty(
        arbitraryCuts(byteLength(answer)),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
        async (cuts, bursts) => {
          const parts = decode(cutStream(answer, cuts), { protocol: 'openai-chat' })
          const seen: StreamPart[] = []
          for (const burst of bursts) {
            for (const result of await Promise.all(Array.from({ length: burst }, () => parts.next()))) {
              if (!result.done) seen.push(result.value)
            }
          }
          expect(seen).toEqual(expected)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('hands the parts before an error out first, then rejects once and is done', async () => {
    const parts = decode(new Response(`${chunk('a')}data: {oops\n\n`), { protocol: 'openai-chat' })
    const results = await Promise.allSettled([parts.next(), parts.next(), parts.next(), parts.next()])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    expect(results[1]).toMatchObject({ value: { value: { type: 'text-delta', text: 'a' } } })
    expect(errorSummary((results[2] as PromiseRejectedResult).reason)).toMatchObject({ kind: 'parse' })
    expect(results[3]).toMatchObject({ value: { done: true } })
  })

  it('runs a return() called while a next() is pending after it, and cancels the body', async () => {
    const { body, state } = trackedBody([chunk('a'), chunk('b'), chunk('c')])
    const parts = decode(body, { protocol: 'openai-chat' })
    const [first, ended, after] = await Promise.all([parts.next(), parts.return?.(), parts.next()])
    expect(first).toMatchObject({ done: false, value: { type: 'start' } })
    expect(ended).toEqual({ value: undefined, done: true })
    expect(after).toEqual({ value: undefined, done: true })
    expect(state.cancelled).toBe(true)
  })
})

describe('decode: only StreamErrors leave it', () => {
  const kindOf = async (source: unknown, protocol: Protocol = 'openai-chat') => {
    const { error } = await collect(decode(source as Response, { protocol }))
    expect(isStreamError(error)).toBe(true)
    return errorSummary(error)
  }

  it('throws kind network for a source that cannot be read', async () => {
    const used = new Response(answer)
    await used.text()
    expect(await kindOf(used)).toMatchObject({ kind: 'network', message: expect.stringMatching(/already read/) })
    const locked = cutStream(answer)
    locked.getReader()
    expect(await kindOf(locked)).toMatchObject({ kind: 'network', message: expect.stringMatching(/locked/) })
    for (const notASource of [null, undefined, 42, {}, 'data: x\n\n']) {
      expect(await kindOf(notASource)).toMatchObject({ kind: 'network' })
    }
  })

  it('throws kind network for a chunk that is neither bytes nor a string, after the parts before it', async () => {
    for (const bad of [42, { data: 'x' }, null, [1, 2]]) {
      const { values, error } = await collect(
        decode(iterableOf<unknown>([chunk('a'), bad, chunk('b')]) as AsyncIterable<string>, {
          protocol: 'openai-chat',
        }),
      )
      expect(values.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'a' }])
      expect(errorSummary(error)).toMatchObject({ kind: 'network', message: expect.stringMatching(/neither bytes/) })
    }
    const objects = new ReadableStream<unknown>({ start: (controller) => controller.enqueue({ not: 'bytes' }) })
    expect(await kindOf(objects)).toMatchObject({ kind: 'network' })
  })

  it('turns whatever else a decoder throws into kind parse: a stack overflow is a value nested too deeply', async () => {
    const throwing = (error: Error): ProtocolDecoder => ({
      framing: 'ndjson',
      closed: false,
      message() {
        throw error
      },
      end() {},
    })
    const overflow = await collect(decodeWith(new Response('{}\n'), throwing(new RangeError('Maximum call stack'))))
    expect(errorSummary(overflow.error)).toMatchObject({
      kind: 'parse',
      message: 'An event nested too deeply to decode',
    })
    expect((overflow.error as Error).cause).toBeInstanceOf(RangeError)
    const bug = await collect(decodeWith(new Response('{}\n'), throwing(new TypeError('x is undefined'))))
    expect(errorSummary(bug.error)).toMatchObject({ kind: 'parse', message: expect.stringMatching(/x is undefined/) })
  })

  it('throws only StreamErrors for JSON nested 5,000 levels deep in any protocol', async () => {
    // `JSON.parse` takes any depth; `JSON.stringify` of the parsed value overflows the stack.
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
    const bodies: Record<Protocol, string> = {
      'openai-chat': `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":${deep}}}]},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n`,
      'openai-responses': `data: {"type":"response.output_item.added","output_index":0,"item":${deep}}\n\n`,
      anthropic: `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":${deep}}}\n\n`,
      gemini: `data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":${deep}}}]},"finishReason":"STOP"}]}\n\n`,
      ollama: `{"message":{"tool_calls":[{"function":{"name":"f","arguments":${deep}}}]},"done":true}\n`,
      'ai-sdk': `data: {"type":"tool-input-available","toolCallId":"t","toolName":"f","input":${deep}}\n\n`,
      text: deep,
    }
    for (const [protocol, body] of Object.entries(bodies) as [Protocol, string][]) {
      const { error } = await decodeBody(body, protocol)
      if (error !== undefined) expect(isStreamError(error), `${protocol}: ${String(error)}`).toBe(true)
    }
  })
})

describe('decode: limits whatever the chunking', () => {
  const sameUnderAnyChunking = async (body: string, protocol: Protocol, maxEventSize: number) => {
    const whole = await decodeBody(body, protocol, { maxEventSize })
    await fc.assert(
      fc.asyncProperty(arbitraryCuts(byteLength(body)), async (cuts) => {
        const cut = await decodeBody(body, protocol, { maxEventSize }, cuts)
        expect(cut.values).toEqual(whole.values)
        expect(errorSummary(cut.error)).toEqual(errorSummary(whole.error))
      }),
      { numRuns: 200 },
    )
    return whole
  }

  it('never reads an oversized line after the terminal signal', async () => {
    const after = `data: ${'x'.repeat(3000)}\n\n`
    const whole = await sameUnderAnyChunking(answer + after, 'openai-chat', 1000)
    expect(whole.error).toBeUndefined()
    expect(whole.values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
    const ndjson = `{"response":"a","done":false}\n{"response":"","done":true,"done_reason":"stop"}\n${'x'.repeat(3000)}\n`
    expect((await sameUnderAnyChunking(ndjson, 'ollama', 1000)).error).toBeUndefined()
  })

  it('throws kind limit for a long comment line under every chunking', async () => {
    const body = `${chunk('a')}: ${'x'.repeat(3000)}\n${chunk('b', 'stop')}data: [DONE]\n\n`
    const whole = await sameUnderAnyChunking(body, 'openai-chat', 1000)
    expect(errorSummary(whole.error)).toMatchObject({ kind: 'limit' })
    expect(whole.values.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'a' }])
  })

  it('throws kind limit for an event whose data lines add up past the limit, under every chunking', async () => {
    const line = `data: ${'y'.repeat(400)}\n`
    const whole = await sameUnderAnyChunking(`${chunk('a')}${line.repeat(4)}\n`, 'openai-chat', 1000)
    expect(errorSummary(whole.error)).toMatchObject({ kind: 'limit' })
  })
})

describe('decode: line ends', () => {
  it('delivers an event ended by a CR at the end of a chunk before the next chunk arrives', async () => {
    let push: ((text: string) => void) | undefined
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(new TextEncoder().encode(text))
      },
    })
    push?.(chunk('held?').replace('\n\n', '\r\r'))
    const parts = decode(body, { protocol: 'openai-chat' })
    expect((await parts.next()).value).toMatchObject({ type: 'start' })
    // Nothing more was sent: the text must be out already, not waiting for what follows the CR.
    expect((await parts.next()).value).toEqual({ type: 'text-delta', text: 'held?' })
    await parts.return?.()
  })

  it('keeps the last event when the stream ends right after its CR', async () => {
    const body = `${chunk('a', 'stop').replace('\n\n', '\r\r')}data: [DONE]\r\r`
    for (let cut = 0; cut <= body.length; cut++) {
      const { values, error } = await decodeBody(body, 'openai-chat', {}, [cut])
      expect(error).toBeUndefined()
      expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
    }
    const text = await decodeBody('data: a\r\rdata: b\r\r', 'text', { sse: true }, [8])
    expect(text.values.filter((part) => part.type === 'text-delta').map((part) => part.text)).toEqual(['a', 'b'])
  })
})

describe('decode: lenient mode and the terminal signal', () => {
  it('ends interrupted, not done, when the terminal event itself is malformed', async () => {
    const bodies: Array<[Protocol, string]> = [
      ['ollama', '{"response":"a","done":false}\n{"response":"","done":true,"done_reason":5}\n'],
      ['ollama', '{"response":"a","done":false}\n{"response":"","done":true,"done_reason":\n'],
      ['anthropic', 'event: message_stop\ndata: {"type":"message_stop"\n\n'],
      ['openai-responses', 'data: {"type":"response.completed","response":7}\n\n'],
      ['ai-sdk', 'data: {"type":"start"}\n\ndata: {"type":"finish","finishReason":7}\n\n'],
    ]
    for (const [protocol, body] of bodies) {
      const malformed: unknown[] = []
      const { values, error } = await decodeBody(body, protocol, {
        lenient: true,
        onMalformed: (e) => malformed.push(e),
      })
      expect(
        values.some((part) => part.type === 'finish'),
        protocol,
      ).toBe(false)
      expect(errorSummary(error), protocol).toMatchObject({ kind: 'interrupted' })
      expect(malformed.length, protocol).toBeGreaterThan(0)
    }
  })

  it('ends done when a good terminal event follows the malformed one', async () => {
    const body = `${chunk('a')}data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}\n\n${chunk('', 'stop')}data: [DONE]\n\n`
    const { values, error } = await decodeBody(body, 'openai-chat', { lenient: true })
    expect(error).toBeUndefined()
    expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
  })
})
