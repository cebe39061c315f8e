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
import { openaiChatCompletion, openaiChatEncoder } from './openai-chat.js'

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
      { type: 'usage', inputTokens: 12, outputTokens: 5, reasoningTokens: 0, cachedInputTokens: 0 },
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

  it('keeps the first non-empty tool-call id when later deltas say "id":"" (DashScope)', async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-empty-ids.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'call_5f0e2a7c91b64d', name: 'lookup_city', args: { city: 'Lisbon' } },
    ])
    const deltas = values.filter((part) => part.type === 'tool-call-delta')
    expect(deltas.map((part) => part.id)).toEqual(['call_5f0e2a7c91b64d', undefined, undefined, undefined])
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 210, outputTokens: 19, cachedInputTokens: 128 })
  })

  it('reports a tool call cut off by the token limit as incomplete, then finishes with length', async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-length-in-tool.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call' || part.type === 'tool-call-incomplete')).toEqual([
      { type: 'tool-call', index: 0, id: 'call_q81Zx', name: 'get_time', args: { tz: 'CET' } },
      {
        type: 'tool-call-incomplete',
        index: 1,
        id: 'call_r92Ay',
        name: 'write_note',
        argsText: '{"text":"Dear Sam, the meeting moved to',
      },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'length', raw: 'length' })
  })

  it('still throws kind parse for arguments that do not parse when the answer ended normally', async () => {
    const body =
      'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{\\"x\\":"}}]}}]}\n\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n'
    const { error } = await decodeBody(body, 'openai-chat')
    expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
  })

  it('keys tool calls by index, whatever the numbers, and keeps their order of appearance', async () => {
    const body =
      'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1023,"id":"call_hi","function":{"name":"a","arguments":"{}"}},{"index":7,"id":"call_lo","function":{"name":"b","arguments":"{}"}}]}}]}\n\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n'
    const { values, error } = await decodeBody(body, 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 1023, id: 'call_hi', name: 'a', args: {} },
      { type: 'tool-call', index: 7, id: 'call_lo', name: 'b', args: {} },
    ])
  })

  it('throws kind parse for an absurd tool-call index, at once', async () => {
    for (const index of ['4294967294', '-1', '0.5', '1024', '"0"']) {
      const body = `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"id":"call_x","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}\n\ndata: [DONE]\n\n`
      const started = performance.now()
      const { values, error } = await decodeBody(body, 'openai-chat')
      expect(performance.now() - started).toBeLessThan(1000)
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
      expect(values.some((part) => part.type === 'tool-call')).toBe(false)
    }
  })

  it('keeps the good tool call after a bad one in the same chunk when lenient, and the finish', async () => {
    const body =
      'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":-3,"id":"call_bad","function":{"name":"f","arguments":"{}"}},{"index":0,"id":"call_good","function":{"name":"g","arguments":"{\\"ok\\":true}"}}]},"finish_reason":"tool_calls"}]}\n\n' +
      'data: [DONE]\n\n'
    const skipped: unknown[] = []
    const lenient = await decodeBody(body, 'openai-chat', { lenient: true, onMalformed: (e) => skipped.push(e) })
    expect(lenient.error).toBeUndefined()
    expect(skipped.map(errorSummary)).toMatchObject([{ kind: 'parse' }])
    expect(lenient.values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'call_good', name: 'g', args: { ok: true } },
    ])
    expect(lenient.values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'tool_calls' })

    const strict = await decodeBody(body, 'openai-chat')
    expect(errorSummary(strict.error)).toMatchObject({ kind: 'parse' })
  })

  it('throws kind parse, not a RangeError, for whole-object arguments nested too deep to write back', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`
    const body = `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_d","function":{"name":"f","arguments":${deep}}}]}}]}\n\n`
    const { error } = await decodeBody(body, 'openai-chat')
    expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
  })

  it("decodes Mistral's content lists: thinking chunks as reasoning, text chunks as text", async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-mistral-thinking.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.slice(1)).toEqual([
      { type: 'reasoning-delta', text: 'Three apples' },
      { type: 'reasoning-delta', text: ' plus two is five.' },
      { type: 'text-delta', text: 'You have ' },
      { type: 'text-delta', text: '5 apples.' },
      { type: 'usage', inputTokens: 14, outputTokens: 26 },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it("decodes Perplexity's search_results and citations as sources, each once", async () => {
    const { values, error } = await decodeBody(fixture('openai-chat-perplexity.sse'), 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'source')).toEqual([
      {
        type: 'source',
        url: 'https://example.org/harbour',
        title: 'Harbour history',
        providerMetadata: { perplexity: { date: '2024-05-01' } },
      },
      { type: 'source', url: 'https://example.com/lighthouse', title: 'Lighthouse guide' },
      { type: 'source', url: 'https://example.net/tides' },
    ])
    // The sources come with the first chunk, before its text.
    expect(values[1]?.type).toBe('source')
    expect(text(values)).toBe('The harbour opened in 1820[1].')
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'stop' })
  })

  it('decodes url_citation annotations and OpenRouter images in the delta', async () => {
    const body =
      'data: {"choices":[{"index":0,"delta":{"content":"See it.","annotations":[{"type":"url_citation","url_citation":{"url":"https://example.com/a","title":"A","start_index":0,"end_index":7}}],"images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="},"index":0}]}}]}\n\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    const { values, error } = await decodeBody(body, 'openai-chat')
    expect(error).toBeUndefined()
    expect(values.slice(1, -1)).toEqual([
      { type: 'text-delta', text: 'See it.' },
      { type: 'source', url: 'https://example.com/a', title: 'A' },
      { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,iVBORw0KGgo=' },
    ])
  })

  it('maps finish words named after Object.prototype members to other', async () => {
    for (const raw of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const body = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"${raw}"}]}\n\ndata: [DONE]\n\n`
      const { values } = await decodeBody(body, 'openai-chat')
      expect(values.at(-1)).toEqual({ type: 'finish', reason: 'other', raw })
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'openai-chat-text.sse',
      'openai-chat-tools.sse',
      'openai-chat-error.sse',
      'openai-chat-truncated.sse',
      'openai-chat-empty-ids.sse',
      'openai-chat-length-in-tool.sse',
      'openai-chat-mistral-thinking.sse',
      'openai-chat-perplexity.sse',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'openai-chat', 40)
    }
  })
})

/**
 * Parts in the form the decoder produces them, for round trips: text, reasoning, sources (each URL
 * once) and files in any order, then tool calls (streamed in two pieces), the last one possibly cut
 * off by the token limit, usage with cached and reasoning tokens, and the finish.
 */
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
        fc.record(
          {
            type: fc.constant('source' as const),
            title: fc.string({ minLength: 1, maxLength: 20 }),
            date: fc.string({ minLength: 1, maxLength: 10 }),
          },
          { requiredKeys: ['type'] },
        ),
        fc.record({
          type: fc.constant('file' as const),
          mediaType: fc.constantFrom('image/png', 'image/webp'),
          data: fc.base64String({ minLength: 4, maxLength: 40 }),
        }),
      ),
    ),
    tools: fc.array(
      fc.record({ name: fc.string({ minLength: 1, maxLength: 10 }), args: fc.dictionary(fc.string(), fc.jsonValue()) }),
      { maxLength: 3 },
    ),
    cutOff: fc.boolean(),
    usage: fc.option(
      fc.record(
        { inputTokens: fc.nat(), outputTokens: fc.nat(), reasoningTokens: fc.nat(), cachedInputTokens: fc.nat() },
        { requiredKeys: ['inputTokens', 'outputTokens'] },
      ),
      { nil: undefined },
    ),
    finish: fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'something_new'),
  })
  .map(({ id, model, deltas, tools, cutOff, usage, finish }) => {
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }]
    deltas.forEach((delta, position) => {
      if (delta.type === 'source') {
        const { title, date } = delta
        parts.push({
          type: 'source',
          url: `https://example.com/${position}`,
          ...(title !== undefined && { title }),
          ...(date !== undefined && { providerMetadata: { perplexity: { date } } }),
        })
      } else if (delta.type === 'file') {
        parts.push({ type: 'file', mediaType: delta.mediaType, url: `data:${delta.mediaType};base64,${delta.data}` })
      } else parts.push(delta)
    })
    // A cut-off call is the last one, and only the `length` finish reports it so.
    const incomplete = cutOff && tools.length > 0 ? tools.length - 1 : -1
    const texts = tools.map(({ args }, index) => {
      const json = JSON.stringify(args)
      return index === incomplete ? json.slice(0, -1) : json
    })
    tools.forEach(({ name }, index) => {
      const json = texts[index] as string
      const half = Math.floor(json.length / 2)
      parts.push({ type: 'tool-call-delta', index, id: `call_${index}`, name, argsDelta: json.slice(0, half) })
      parts.push({ type: 'tool-call-delta', index, argsDelta: json.slice(half) })
    })
    tools.forEach(({ name, args }, index) => {
      const id = `call_${index}`
      if (index === incomplete)
        parts.push({ type: 'tool-call-incomplete', index, id, name, argsText: texts[index] as string })
      else parts.push({ type: 'tool-call', index, id, name, args: JSON.parse(JSON.stringify(args)) })
    })
    if (usage) parts.push({ type: 'usage', ...usage })
    const reasons: Record<string, FinishReason> = {
      stop: 'stop',
      length: 'length',
      tool_calls: 'tool-calls',
      content_filter: 'content-filter',
    }
    const raw = incomplete >= 0 ? 'length' : finish
    parts.push({ type: 'finish', reason: reasons[raw] ?? 'other', raw })
    return parts
  })

describe('openai-chat encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(openaiChatEncoder, 'openai-chat', arbitraryParts)
  })

  it('writes nothing for parts Chat Completions cannot express', () => {
    const encoder = openaiChatEncoder()
    const unwritten: StreamPart[] = [
      { type: 'text-end', providerMetadata: { x: { y: 1 } } },
      { type: 'reasoning-end', providerMetadata: { openai: { itemId: 'rs_1' } } },
      { type: 'tool-call', index: 0, id: 'ws_1', name: 'web_search', args: {}, providerExecuted: true },
      { type: 'tool-result', id: 'ws_1', name: 'web_search', result: {}, providerExecuted: true },
      { type: 'source', id: 'file_1', filename: 'a.pdf' },
      { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AA==', id: 'ig_1', partial: true },
      { type: 'data', name: 'weather', data: { c: 20 } },
      { type: 'step-start' },
    ]
    expect(unwritten.map((part) => encoder.push(part))).toEqual(unwritten.map(() => ''))
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

describe('openaiChatCompletion', () => {
  it('is the stream accumulated: text, reasoning, tool calls with their arguments, finish word and usage', () => {
    const completion = openaiChatCompletion(
      [
        { type: 'start', messageId: 'chatcmpl-9', model: 'gpt-x' },
        { type: 'reasoning-delta', text: 'Hmm.' },
        { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'weather', argsDelta: '{"city":' },
        { type: 'tool-call-delta', index: 0, argsDelta: '"Paris"}' },
        { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', args: { city: 'Paris' } },
        { type: 'tool-call', index: 1, id: 'call_2', name: 'time', args: {} },
        { type: 'usage', inputTokens: 7, outputTokens: 9, cachedInputTokens: 3 },
        { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' },
      ],
      { created: 1700000000 },
    )
    expect(completion).toEqual({
      id: 'chatcmpl-9',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            annotations: [],
            reasoning_content: 'Hmm.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'time', arguments: '{}' } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 9, total_tokens: 16, prompt_tokens_details: { cached_tokens: 3 } },
    })
  })

  it('keeps a content filter a content filter, and text as one string', () => {
    const completion = openaiChatCompletion([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', reason: 'content-filter' },
    ])
    expect(completion.choices).toMatchObject([{ message: { content: 'Hello' }, finish_reason: 'content_filter' }])
  })
})
