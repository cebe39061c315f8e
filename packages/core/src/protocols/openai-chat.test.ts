import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeBody,
  errorSummary,
  expectAnyChunkingDecodesAlike,
  expectMalformedSkippedWhenLenient,
  expectRoundTrips,
  fixture,
} from '../testing/protocol.js'
import type { FinishReason, StreamPart } from '../types.js'
import { openaiChatEncoder } from './openai-chat.js'

const text = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  parts.map((part) => (part.type === type ? part.text : '')).join('')

describe('openai-chat decode', () => {
  it('decodes text, ignores obfuscation padding, reports usage and the finish last', async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-text.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'chatcmpl-BxT1', model: 'gpt-4o-mini-2024-07-18' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', wörld' },
      { type: 'text-delta', text: ' 👋🏽 你好' },
      { type: 'usage', inputTokens: 12, outputTokens: 5, reasoningTokens: 0 },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('joins tool-call argument deltas by index, where only the first piece has id and name', async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-tools.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA',
        name: 'get_weather',
        args: { location: 'Paris, France' },
      },
      { type: 'tool-call', index: 1, id: 'call_Zq0', name: 'get_time', args: { tz: 'CET' } },
    ])
    expect(values.filter((part) => part.type === 'tool-call-delta')).toHaveLength(6)
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 81, outputTokens: 36 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'tool_calls' })
  })

  it("decodes Ollama's compatible variant: delta.reasoning and whole-argument tool calls", async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-ollama.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe('Let me think about Paris.')
    expect(text(values)).toBe('')
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'call_u1k2', name: 'get_weather', args: { city: 'Paris' } },
    ])
  })

  it('shows a refusal as text', async () => {
    const body =
      'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":"I can\'t help with that."},"finish_reason":null}]}\n\n' +
      'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    const { values } = await decodeBody(body, 'openai-chat')
    expect(text(values)).toBe("I can't help with that.")
  })

  it('throws kind provider for an error object mid-stream, after the text before it', async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-error.sse'), 'openai-chat')
    expect(text(values)).toBe('Partial')
    expect(errorSummary(error)).toMatchObject({
      kind: 'provider',
      message: 'The server had an error while processing your request. Sorry about that!',
      code: 'server_error',
    })
  })

  it('throws kind interrupted for a truncated stream, keeping what arrived', async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-truncated.sse'), 'openai-chat')
    expect(text(values)).toBe('Once upon')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('ends properly on a finish_reason without [DONE]', async () => {
    const body =
      'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"length"}]}\n\n'
    const { values, error } = await decodeBody(body, 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'length', raw: 'length' })
  })

  it('maps finish reasons and keeps the provider word', async () => {
    const finishOf = async (raw: string) => {
      const body = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"${raw}"}]}\n\ndata: [DONE]\n\n`
      return (await decodeBody(body, 'openai-chat')).values.at(-1)
    }
    expect(await finishOf('content_filter')).toEqual({
      type: 'finish',
      reason: 'content-filter',
      raw: 'content_filter',
    })
    expect(await finishOf('function_call')).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'function_call' })
    expect(await finishOf('eos')).toEqual({ type: 'finish', reason: 'other', raw: 'eos' })
  })

  it('throws kind parse on invalid JSON, or skips it when lenient and reports it', async () => {
    const body =
      'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: {not json\n\n' +
      'data: {"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    await expectMalformedSkippedWhenLenient(body, 'openai-chat')
  })

  it('throws kind parse for a chunk of the wrong shape', async () => {
    const { error } = await decodeBody('data: {"choices":{"index":0}}\n\n', 'openai-chat')
    expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'openai-chat-text.sse',
      'openai-chat-tools.sse',
      'openai-chat-error.sse',
      'openai-chat-truncated.sse',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'openai-chat', 40)
    }
  })
})

/** Parts in the form the decoder produces them, for round trips. */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    model: fc.string({ minLength: 1, maxLength: 12 }),
    deltas: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('text-delta' as const), text: fc.string({ minLength: 1, unit: 'grapheme' }) }),
        fc.record({
          type: fc.constant('reasoning-delta' as const),
          text: fc.string({ minLength: 1, unit: 'grapheme' }),
        }),
      ),
    ),
    tools: fc.array(
      fc.record({ name: fc.string({ minLength: 1, maxLength: 10 }), args: fc.dictionary(fc.string(), fc.jsonValue()) }),
      { maxLength: 3 },
    ),
    usage: fc.option(fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat() }), { nil: undefined }),
    finish: fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'something_new'),
  })
  .map(({ id, model, deltas, tools, usage, finish }) => {
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }, ...deltas]
    tools.forEach(({ name, args }, index) => {
      const json = JSON.stringify(args)
      const half = Math.floor(json.length / 2)
      parts.push({ type: 'tool-call-delta', index, id: `call_${index}`, name, argsDelta: json.slice(0, half) })
      parts.push({ type: 'tool-call-delta', index, argsDelta: json.slice(half) })
    })
    tools.forEach(({ name, args }, index) => {
      parts.push({ type: 'tool-call', index, id: `call_${index}`, name, args: JSON.parse(JSON.stringify(args)) })
    })
    if (usage) parts.push({ type: 'usage', ...usage })
    const reasons: Record<string, FinishReason> = {
      stop: 'stop',
      length: 'length',
      tool_calls: 'tool-calls',
      content_filter: 'content-filter',
    }
    parts.push({ type: 'finish', reason: reasons[finish] ?? 'other', raw: finish })
    return parts
  })

describe('openai-chat encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(openaiChatEncoder, 'openai-chat', arbitraryParts)
  })

  it('writes an in-band error the decoder reads as kind provider', async () => {
    const encoder = openaiChatEncoder()
    const body =
      encoder.push({ type: 'text-delta', text: 'x' }) + encoder.error({ message: 'Overloaded', code: 'overloaded' })
    const { values, error } = await decodeBody(body, 'openai-chat')
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded', code: 'overloaded' })
  })
})
