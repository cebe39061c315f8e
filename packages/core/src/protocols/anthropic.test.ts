import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeBody,
  encodeAll,
  errorSummary,
  expectAnyChunkingDecodesAlike,
  expectMalformedSkippedWhenLenient,
  expectRoundTrips,
  fixture,
} from '../testing/protocol.js'
import type { FinishReason, StreamPart } from '../types.js'
import { anthropicEncoder } from './anthropic.js'

const text = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  parts.map((part) => (part.type === type ? part.text : '')).join('')

/** One named SSE event, as Anthropic writes it. */
const ev = (type: string, body: Record<string, unknown> = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`

const messageStart = (usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }) =>
  ev('message_start', {
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage },
  })
const textBlock = (index: number, ...pieces: string[]) =>
  ev('content_block_start', { index, content_block: { type: 'text', text: '' } }) +
  pieces.map((piece) => ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } })).join('') +
  ev('content_block_stop', { index })
const messageEnd = (stopReason = 'end_turn', usage: Record<string, unknown> = { output_tokens: 5 }) =>
  ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage }) + ev('message_stop')

describe('anthropic decode', () => {
  it('decodes named events with space-padded JSON: start, input usage, text, output usage, finish last', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-text.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'msg_01XFDUDYJgAACzvnptvVoYEL', model: 'claude-sonnet-4-5-20250929' },
      { type: 'usage', inputTokens: 25 },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', wörld' },
      { type: 'text-delta', text: ' 👋🏽 你好' },
      { type: 'usage', inputTokens: 25, outputTokens: 15 },
      { type: 'finish', reason: 'stop', raw: 'end_turn' },
    ])
  })

  it('reads events whose JSON is padded with spaces after every colon and comma', async () => {
    const body =
      'event: message_start\ndata: {"type": "message_start", "message": {"id": "msg_p", "model": "claude-x", "usage": {"input_tokens": 3, "output_tokens": 1}}}\n\n' +
      'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a b"}}\n\n' +
      'event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 2}}\n\n' +
      'event: message_stop\ndata: {"type": "message_stop"}\n\n'
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(error).toBeUndefined()
    expect(text(values)).toBe('a b')
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
  })

  it('reads the JSON type when a proxy dropped the event: lines', async () => {
    const body = (messageStart() + textBlock(0, 'Hi') + messageEnd()).replace(/^event: .*\n/gm, '')
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(error).toBeUndefined()
    expect(text(values)).toBe('Hi')
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
  })

  it('ignores ping and unknown event, block and delta types', async () => {
    const body =
      messageStart() +
      ev('ping') +
      'event: future_event\ndata: not even JSON\n\n' +
      ev('content_block_start', { index: 0, content_block: { type: 'future_block', data: 'x' } }) +
      ev('content_block_delta', { index: 0, delta: { type: 'future_delta', stuff: 1 } }) +
      ev('content_block_stop', { index: 0 }) +
      ev('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3p' } }) +
      ev('content_block_stop', { index: 1 }) +
      textBlock(2, 'Hi') +
      ev('ping') +
      messageEnd()
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(error).toBeUndefined()
    expect(values.map((part) => part.type)).toEqual(['start', 'usage', 'text-delta', 'usage', 'finish'])
  })

  it('decodes thinking_delta as reasoning and never shows the signature_delta', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-thinking.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe(
      'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3',
    )
    expect(text(values)).toBe('27 * 453 = 12,231')
    expect(JSON.stringify(values)).not.toContain('EqQBCgIYAhIM')
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 47, outputTokens: 186, reasoningTokens: 151 })
  })

  it('joins input_json_delta pieces (the first one empty) and emits the tool call at content_block_stop', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-tools.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(text(values)).toBe("Okay, let's check the weather for San Francisco, CA:")
    const tools = values.filter((part) => part.type === 'tool-call-delta' || part.type === 'tool-call')
    expect(tools).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', argsDelta: '' },
      { type: 'tool-call-delta', index: 0, argsDelta: '{"location":' },
      { type: 'tool-call-delta', index: 0, argsDelta: ' "San Fra' },
      { type: 'tool-call-delta', index: 0, argsDelta: 'ncisco, CA", "unit": "fah' },
      { type: 'tool-call-delta', index: 0, argsDelta: 'renheit"}' },
      {
        type: 'tool-call',
        index: 0,
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        args: { location: 'San Francisco, CA', unit: 'fahrenheit' },
      },
      { type: 'tool-call-delta', index: 1, id: 'toolu_01VpVpPHkvNmQr2dmfK7Bxx3', name: 'get_time', argsDelta: '' },
      // Only an empty piece arrived: no input means `{}`.
      { type: 'tool-call', index: 1, id: 'toolu_01VpVpPHkvNmQr2dmfK7Bxx3', name: 'get_time', args: {} },
    ])
    // The complete call is emitted at its block's stop, before the next block starts.
    const firstCall = values.findIndex((part) => part.type === 'tool-call')
    expect(values[firstCall + 1]).toMatchObject({ type: 'tool-call-delta', index: 1 })
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 472, outputTokens: 89 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'tool_use' })
  })

  it('takes only input tokens from message_start and running totals from each message_delta', async () => {
    const body =
      messageStart({
        input_tokens: 5,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 2000,
        output_tokens: 1,
      }) +
      textBlock(0, 'a') +
      ev('message_delta', { delta: { stop_reason: null }, usage: { output_tokens: 7 } }) +
      textBlock(1, 'b') +
      messageEnd('end_turn', { output_tokens: 12 })
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(error).toBeUndefined()
    // Cached prompt tokens are part of the prompt: input = input_tokens + cache writes + cache reads.
    expect(values.filter((part) => part.type === 'usage')).toEqual([
      { type: 'usage', inputTokens: 2105 },
      { type: 'usage', inputTokens: 2105, outputTokens: 7 },
      { type: 'usage', inputTokens: 2105, outputTokens: 12 },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
  })

  it('maps every stop_reason and keeps the provider word', async () => {
    const finishOf = async (raw: string) =>
      (await decodeBody(messageStart() + textBlock(0, 'x') + messageEnd(raw), 'anthropic')).values.at(-1)
    const expected: Record<string, FinishReason> = {
      end_turn: 'stop',
      stop_sequence: 'stop',
      max_tokens: 'length',
      model_context_window_exceeded: 'length',
      tool_use: 'tool-calls',
      refusal: 'content-filter',
      pause_turn: 'other',
      something_new: 'other',
    }
    for (const [raw, reason] of Object.entries(expected)) {
      expect(await finishOf(raw)).toEqual({ type: 'finish', reason, raw })
    }
  })

  it('emits the finish at message_stop, after the usage of message_delta', async () => {
    const { values } = await decodeBody(messageStart() + textBlock(0, 'x') + messageEnd('max_tokens'), 'anthropic')
    expect(values.slice(-2)).toEqual([
      { type: 'usage', inputTokens: 10, outputTokens: 5 },
      { type: 'finish', reason: 'length', raw: 'max_tokens' },
    ])
  })

  it('throws kind provider with the error type as code for an error event after HTTP 200, after the text before it', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-error.sse'), 'anthropic')
    expect(text(values)).toBe('Partial')
    expect(values.some((part) => part.type === 'finish')).toBe(false)
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded', code: 'overloaded_error' })
  })

  it('throws kind provider for an error event whose body is not JSON', async () => {
    const { error } = await decodeBody(`${messageStart()}event: error\ndata: upstream connect error\n\n`, 'anthropic')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'upstream connect error' })
  })

  it('throws kind interrupted for a truncated stream, keeping what arrived', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-truncated.sse'), 'anthropic')
    expect(text(values)).toBe('Once upon')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('throws kind interrupted when message_delta came but message_stop did not', async () => {
    const body = messageStart() + textBlock(0, 'x') + ev('message_delta', { delta: { stop_reason: 'end_turn' } })
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(text(values)).toBe('x')
    expect(values.some((part) => part.type === 'finish')).toBe(false)
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('throws kind parse on invalid JSON, or skips it when lenient and reports it', async () => {
    const body =
      messageStart() +
      textBlock(0, 'a') +
      'event: content_block_delta\ndata: {not json\n\n' +
      textBlock(1, 'b') +
      messageEnd()
    const { lenient } = await expectMalformedSkippedWhenLenient(body, 'anthropic')
    expect(lenient.values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
  })

  it('throws kind parse for a known event of the wrong shape', async () => {
    for (const bad of [
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 42 } }),
      ev('content_block_delta', { delta: { type: 'text_delta', text: 'x' } }),
      ev('content_block_start', { index: 0, content_block: { type: 'tool_use', input: {} } }),
      ev('message_delta', { delta: 'end_turn' }),
      ev('message_start', { message: null }),
    ]) {
      const { error } = await decodeBody(messageStart() + bad + messageEnd(), 'anthropic')
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
    }
  })

  it('throws kind parse for tool input that is not JSON once joined', async () => {
    const body =
      messageStart() +
      ev('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
      }) +
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":' } }) +
      ev('content_block_stop', { index: 0 }) +
      messageEnd('tool_use')
    const { error } = await decodeBody(body, 'anthropic')
    expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'anthropic-text.sse',
      'anthropic-tools.sse',
      'anthropic-thinking.sse',
      'anthropic-error.sse',
      'anthropic-truncated.sse',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'anthropic', 40)
    }
  })
})

const FINISH_WORDS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
  something_new: 'other',
}

const nonEmptyText = fc.string({ minLength: 1, unit: 'grapheme' })

/**
 * Parts in the form the decoder produces them: start, input usage, content blocks (runs of text
 * or reasoning, tool calls as an empty-args delta with id and name, non-empty pieces, then the
 * complete call), running-total usage, finish.
 */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    model: fc.string({ minLength: 1, maxLength: 12 }),
    blocks: fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('text' as const),
          pieces: fc.array(nonEmptyText, { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          kind: fc.constant('reasoning' as const),
          pieces: fc.array(nonEmptyText, { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          kind: fc.constant('tool' as const),
          id: fc.string({ minLength: 1, maxLength: 12 }),
          name: fc.string({ maxLength: 10 }),
          args: fc.dictionary(fc.string(), fc.jsonValue()),
          cut: fc.nat(),
        }),
      ),
      { maxLength: 6 },
    ),
    inputTokens: fc.nat(),
    outputTokens: fc.nat(),
    reasoningTokens: fc.option(fc.nat(), { nil: undefined }),
    finish: fc.constantFrom(...Object.keys(FINISH_WORDS)),
  })
  .map(({ id, model, blocks, inputTokens, outputTokens, reasoningTokens, finish }) => {
    const parts: StreamPart[] = [
      { type: 'start', messageId: id, model },
      { type: 'usage', inputTokens },
    ]
    let toolIndex = 0
    for (const block of blocks) {
      if (block.kind === 'tool') {
        const index = toolIndex++
        const json = JSON.stringify(block.args)
        const cut = block.cut % (json.length + 1)
        parts.push({ type: 'tool-call-delta', index, id: block.id, name: block.name, argsDelta: '' })
        for (const piece of [json.slice(0, cut), json.slice(cut)]) {
          if (piece !== '') parts.push({ type: 'tool-call-delta', index, argsDelta: piece })
        }
        const args = JSON.parse(json)
        parts.push({ type: 'tool-call', index, id: block.id, name: block.name, args })
      } else {
        const type = block.kind === 'text' ? 'text-delta' : 'reasoning-delta'
        for (const piece of block.pieces) parts.push({ type, text: piece })
      }
    }
    const usage: StreamPart = { type: 'usage', inputTokens, outputTokens }
    if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens
    parts.push(usage)
    parts.push({ type: 'finish', reason: FINISH_WORDS[finish] as FinishReason, raw: finish })
    return parts
  })

/** The SSE events of a body: name and parsed data. */
const events = (body: string) =>
  body
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n')
      return { event: eventLine?.slice('event: '.length), data: JSON.parse(dataLine?.slice('data: '.length) ?? '') }
    })

describe('anthropic encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(anthropicEncoder, 'anthropic', arbitraryParts)
  })

  it('writes the event flow Anthropic writes: named events, blocks opened and stopped, signature before a thinking stop', () => {
    const body = encodeAll(anthropicEncoder({ signature: 'c2ln' }), [
      { type: 'start', messageId: 'msg_1', model: 'claude-x' },
      { type: 'usage', inputTokens: 9 },
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call', index: 0, id: 'toolu_1', name: 'f', args: { a: 1 } },
      { type: 'usage', inputTokens: 9, outputTokens: 4 },
      { type: 'finish', reason: 'tool-calls', raw: 'tool_use' },
    ])
    const list = events(body)
    for (const { event, data } of list) expect(data.type).toBe(event)
    expect(list.map(({ data }) => [data.type, data.index, data.delta?.type ?? data.content_block?.type])).toEqual([
      ['message_start', undefined, undefined],
      ['content_block_start', 0, 'thinking'],
      ['ping', undefined, undefined],
      ['content_block_delta', 0, 'thinking_delta'],
      ['content_block_delta', 0, 'signature_delta'],
      ['content_block_stop', 0, undefined],
      ['content_block_start', 1, 'text'],
      ['content_block_delta', 1, 'text_delta'],
      ['content_block_stop', 1, undefined],
      ['content_block_start', 2, 'tool_use'],
      ['content_block_delta', 2, 'input_json_delta'],
      ['content_block_delta', 2, 'input_json_delta'],
      ['content_block_stop', 2, undefined],
      ['message_delta', undefined, undefined],
      ['message_stop', undefined, undefined],
    ])
    expect(list[0]?.data.message).toMatchObject({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 9 },
    })
    expect(list[4]?.data.delta).toEqual({ type: 'signature_delta', signature: 'c2ln' })
    expect(list[9]?.data.content_block).toEqual({ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} })
    expect(list[13]?.data).toMatchObject({
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 9, output_tokens: 4 },
    })
  })

  it("writes another provider's finish as Anthropic's stop_reason", () => {
    const stopReasonOf = (finish: StreamPart) => {
      const list = events(encodeAll(anthropicEncoder(), [{ type: 'start' }, finish]))
      return list.find(({ data }) => data.type === 'message_delta')?.data.delta.stop_reason
    }
    expect(stopReasonOf({ type: 'finish', reason: 'tool-calls', raw: 'tool_calls' })).toBe('tool_use')
    expect(stopReasonOf({ type: 'finish', reason: 'stop', raw: 'stop' })).toBe('end_turn')
    expect(stopReasonOf({ type: 'finish', reason: 'length' })).toBe('max_tokens')
    expect(stopReasonOf({ type: 'finish', reason: 'content-filter', raw: 'SAFETY' })).toBe('refusal')
    expect(stopReasonOf({ type: 'finish', reason: 'other' })).toBe('end_turn')
  })

  it('writes an in-band error the decoder reads as kind provider', async () => {
    const encoder = anthropicEncoder()
    const body =
      encoder.push({ type: 'start', messageId: 'msg_e', model: 'claude-x' }) +
      encoder.push({ type: 'text-delta', text: 'x' }) +
      encoder.error({ message: 'Overloaded', code: 'overloaded_error' }) +
      encoder.end()
    expect(body).toContain(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    )
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(values[0]).toEqual({ type: 'start', messageId: 'msg_e', model: 'claude-x' })
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded', code: 'overloaded_error' })
  })
})
