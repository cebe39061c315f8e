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
import type { StreamPart } from '../types.js'
import { aiSdkEncoder, aiSdkStreamHeaders } from './ai-sdk.js'

const text = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  parts.map((part) => (part.type === type ? part.text : '')).join('')

const sse = (...parts: (Record<string, unknown> | '[DONE]')[]) =>
  parts.map((part) => `data: ${part === '[DONE]' ? part : JSON.stringify(part)}\n\n`).join('')

describe('ai-sdk decode', () => {
  it('decodes text blocks and the finish reason, with the message id in start', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-text.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'bBr9mYkVh4kT2dQe' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', wörld' },
      { type: 'text-delta', text: ' 👋🏽 你好' },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('decodes reasoning, streamed and whole tool calls, and skips data parts', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-tools.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values[0]).toEqual({ type: 'start' })
    expect(text(values, 'reasoning-delta')).toBe('The user wants the weather in Paris.')
    expect(text(values)).toBe('Let me check.')
    expect(values.filter((part) => part.type === 'tool-call-delta' || part.type === 'tool-call')).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'toolu_01A09q90qw90lq917835lq9', name: 'getWeather', argsDelta: '' },
      { type: 'tool-call-delta', index: 0, argsDelta: '' },
      { type: 'tool-call-delta', index: 0, argsDelta: '{"city": "Par' },
      { type: 'tool-call-delta', index: 0, argsDelta: 'is"}' },
      { type: 'tool-call', index: 0, id: 'toolu_01A09q90qw90lq917835lq9', name: 'getWeather', args: { city: 'Paris' } },
      // Not streamed: only the complete call.
      { type: 'tool-call', index: 1, id: 'toolu_01B2kx8Zq3Wm5', name: 'getTime', args: { tz: 'Europe/Paris' } },
    ])
    expect(values.map((part) => part.type)).not.toContain('usage')
  })

  it("reads a finish without finishReason (early 5.x) as tool-calls when the last step's tool inputs were available", async () => {
    const { values } = await decodeBody(fixture('ai-sdk-tools.sse'), 'ai-sdk')
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' })
  })

  it('reads a finish without finishReason as stop when a later step answered the tool results', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-steps.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    // tool-output-available, source-url and message-metadata yield nothing.
    expect(values).toEqual([
      { type: 'start', messageId: 'msg-steps-1' },
      {
        type: 'tool-call-delta',
        index: 0,
        id: 'call_fJdQDqnXeGxTmr4E3YPSR7Ar',
        name: 'getWeatherInformation',
        argsDelta: '',
      },
      { type: 'tool-call-delta', index: 0, argsDelta: '{"city":"San Francisco"}' },
      {
        type: 'tool-call',
        index: 0,
        id: 'call_fJdQDqnXeGxTmr4E3YPSR7Ar',
        name: 'getWeatherInformation',
        args: { city: 'San Francisco' },
      },
      { type: 'text-delta', text: 'It is sunny in San Francisco.' },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('reads a finish without finishReason and without tool calls as stop', async () => {
    const body = sse({ type: 'text-delta', id: '0', delta: 'Hi' }, { type: 'finish' }, '[DONE]')
    const { values } = await decodeBody(body, 'ai-sdk')
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('maps finishReason words and keeps them, unknown becoming other', async () => {
    const finishOf = async (finishReason: string) =>
      (await decodeBody(sse({ type: 'finish', finishReason }, '[DONE]'), 'ai-sdk')).values.at(-1)
    expect(await finishOf('length')).toEqual({ type: 'finish', reason: 'length', raw: 'length' })
    expect(await finishOf('content-filter')).toEqual({
      type: 'finish',
      reason: 'content-filter',
      raw: 'content-filter',
    })
    expect(await finishOf('tool-calls')).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'tool-calls' })
    expect(await finishOf('error')).toEqual({ type: 'finish', reason: 'error', raw: 'error' })
    expect(await finishOf('unknown')).toEqual({ type: 'finish', reason: 'other', raw: 'unknown' })
  })

  it('emits the finish last, at [DONE], even when parts follow the finish part', async () => {
    const body = sse(
      { type: 'start' },
      { type: 'text-delta', id: '0', delta: 'a' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'text-delta', id: '0', delta: 'b' },
      '[DONE]',
    )
    const { values } = await decodeBody(body, 'ai-sdk')
    expect(values.map((part) => part.type)).toEqual(['start', 'text-delta', 'text-delta', 'finish'])
  })

  it('ends cleanly at EOF after a finish part without [DONE]', async () => {
    const body = sse({ type: 'start' }, { type: 'text-delta', id: '0', delta: 'a' }, { type: 'finish' })
    const { values, error } = await decodeBody(body, 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('ends cleanly at [DONE] without a finish part (custom streams may leave it out)', async () => {
    const body = sse({ type: 'text-delta', id: '0', delta: 'a' }, '[DONE]')
    const { values, error } = await decodeBody(body, 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([{ type: 'start' }, { type: 'text-delta', text: 'a' }, { type: 'finish', reason: 'stop' }])
  })

  it('stops reading at [DONE]', async () => {
    const body = `${sse({ type: 'finish' }, '[DONE]')}data: {not read\n\n`
    const { values, error } = await decodeBody(body, 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([{ type: 'start' }, { type: 'finish', reason: 'stop' }])
  })

  it('emits start once before anything else, also when the stream has no start part', async () => {
    const body = sse(
      { type: 'start-step' },
      { type: 'reasoning-delta', id: 'r', delta: 'x' },
      { type: 'start', messageId: 'late' },
      { type: 'finish' },
      '[DONE]',
    )
    const { values } = await decodeBody(body, 'ai-sdk')
    expect(values).toEqual([
      { type: 'start' },
      { type: 'reasoning-delta', text: 'x' },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('ends an aborted stream cleanly with finish other, raw abort, keeping the text', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-abort.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'msg-abort-1' },
      { type: 'text-delta', text: 'Stopped here' },
      { type: 'finish', reason: 'other', raw: 'abort' },
    ])
  })

  it('throws kind provider with errorText for an error part, after the text before it', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-error.sse'), 'ai-sdk')
    expect(text(values)).toBe('Partial')
    expect(values.some((part) => part.type === 'finish')).toBe(false)
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded' })
  })

  it('throws kind interrupted when the stream ends without finish or abort, keeping what arrived', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-truncated.sse'), 'ai-sdk')
    expect(text(values)).toBe('Once upon')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('ignores part types it does not know', async () => {
    const body = sse(
      { type: 'text-delta', id: '0', delta: 'a' },
      { type: 'tool-approval-request', approvalId: 'a1', toolCallId: 'c1' },
      { type: 'reasoning-file', url: 'data:image/png;base64,AAAA', mediaType: 'image/png' },
      { type: 'something-from-ai-sdk-9', payload: 1 },
      { type: 'finish' },
      '[DONE]',
    )
    const { values, error } = await decodeBody(body, 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([{ type: 'start' }, { type: 'text-delta', text: 'a' }, { type: 'finish', reason: 'stop' }])
  })

  it('throws kind parse on invalid JSON, or skips it when lenient and reports it', async () => {
    const body =
      sse({ type: 'text-delta', id: '0', delta: 'a' }) +
      'data: {not json\n\n' +
      sse({ type: 'text-delta', id: '0', delta: 'b' }, { type: 'finish' }, '[DONE]')
    await expectMalformedSkippedWhenLenient(body, 'ai-sdk')
  })

  it('throws kind parse for a known part of the wrong shape', async () => {
    for (const part of [
      { type: 'text-delta', id: '0', delta: 5 },
      { type: 'reasoning-delta', id: '0' },
      { type: 'tool-input-start', toolCallId: 'c' },
      { type: 'tool-input-delta', toolCallId: 'c', inputTextDelta: null },
      { type: 'tool-input-available', toolName: 'f', input: {} },
      { type: 'start', messageId: 7 },
      { type: 'finish', finishReason: 1 },
      { delta: 'no type' },
    ]) {
      const { error } = await decodeBody(sse(part), 'ai-sdk')
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'ai-sdk-text.sse',
      'ai-sdk-tools.sse',
      'ai-sdk-steps.sse',
      'ai-sdk-abort.sse',
      'ai-sdk-error.sse',
      'ai-sdk-truncated.sse',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'ai-sdk', 40)
    }
  })
})

const FINISH_WORDS = ['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other', 'unknown'] as const

const arbitraryDeltas = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('text-delta' as const), text: fc.string({ minLength: 1, unit: 'grapheme' }) }),
    fc.record({ type: fc.constant('reasoning-delta' as const), text: fc.string({ minLength: 1, unit: 'grapheme' }) }),
  ),
)

/** Parts in the form the decoder produces them, for round trips. */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    messageId: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
    before: arbitraryDeltas,
    tools: fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 10 }),
        args: fc.dictionary(fc.string(), fc.jsonValue()),
        // Streamed calls come in pieces (any, even empty); whole calls yield only the tool-call.
        pieces: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    after: arbitraryDeltas,
    finish: fc.oneof(
      fc.constant({ kind: 'assumed' as const }),
      fc.constant({ kind: 'abort' as const }),
      fc.record({ kind: fc.constant('word' as const), word: fc.constantFrom(...FINISH_WORDS) }),
    ),
  })
  .map(({ messageId, before, tools, after, finish }) => {
    const parts: StreamPart[] = [messageId === undefined ? { type: 'start' } : { type: 'start', messageId }, ...before]
    tools.forEach(({ name, args, pieces }, index) => {
      const id = `call_${index}`
      if (pieces !== undefined) {
        parts.push({ type: 'tool-call-delta', index, id, name, argsDelta: '' })
        for (const argsDelta of pieces) parts.push({ type: 'tool-call-delta', index, argsDelta })
      }
      parts.push({ type: 'tool-call', index, id, name, args: JSON.parse(JSON.stringify(args)) })
    })
    parts.push(...after)
    if (finish.kind === 'abort') parts.push({ type: 'finish', reason: 'other', raw: 'abort' })
    else if (finish.kind === 'assumed') parts.push({ type: 'finish', reason: tools.length > 0 ? 'tool-calls' : 'stop' })
    else {
      const reason = finish.word === 'unknown' ? 'other' : finish.word
      parts.push({ type: 'finish', reason, raw: finish.word })
    }
    return parts
  })

describe('ai-sdk encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(aiSdkEncoder, 'ai-sdk', arbitraryParts)
  })

  it('writes the sequence streamText sends, with block ids, and [DONE] in end()', () => {
    const encoder = aiSdkEncoder()
    const body = encodeAll(encoder, [
      { type: 'start', messageId: 'm1' },
      { type: 'reasoning-delta', text: 'Hmm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'text-delta', text: '!' },
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'f', argsDelta: '' },
      { type: 'tool-call-delta', index: 0, argsDelta: '{"a":1}' },
      { type: 'tool-call', index: 0, id: 'c1', name: 'f', args: { a: 1 } },
      { type: 'usage', inputTokens: 1, outputTokens: 2 },
      { type: 'finish', reason: 'length', raw: 'max_tokens' },
    ])
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true)
    const events = body
      .split('\n\n')
      .filter((event) => event !== '' && event !== 'data: [DONE]')
      .map((event) => {
        expect(event.startsWith('data: ')).toBe(true)
        return JSON.parse(event.slice('data: '.length))
      })
    expect(events).toEqual([
      { type: 'start', messageId: 'm1' },
      { type: 'start-step' },
      { type: 'reasoning-start', id: 'reasoning-1' },
      { type: 'reasoning-delta', id: 'reasoning-1', delta: 'Hmm' },
      { type: 'reasoning-end', id: 'reasoning-1' },
      { type: 'text-start', id: 'text-2' },
      { type: 'text-delta', id: 'text-2', delta: 'Hi' },
      { type: 'text-delta', id: 'text-2', delta: '!' },
      { type: 'text-end', id: 'text-2' },
      { type: 'tool-input-start', toolCallId: 'c1', toolName: 'f' },
      { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"a":1}' },
      { type: 'tool-input-available', toolCallId: 'c1', toolName: 'f', input: { a: 1 } },
      { type: 'finish-step' },
      // Another protocol's word is not one the SDK accepts: the normalized reason is written.
      { type: 'finish', finishReason: 'length' },
    ])
    expect(aiSdkStreamHeaders['x-vercel-ai-ui-message-stream']).toBe('v1')
  })

  it('writes start and start-step before content even without a start part, and abort for raw abort', () => {
    const body = encodeAll(aiSdkEncoder({ messageId: 'given' }), [
      { type: 'text-delta', text: 'x' },
      { type: 'finish', reason: 'other', raw: 'abort' },
    ])
    expect(body).toBe(
      sse(
        { type: 'start', messageId: 'given' },
        { type: 'start-step' },
        { type: 'text-start', id: 'text-1' },
        { type: 'text-delta', id: 'text-1', delta: 'x' },
        { type: 'text-end', id: 'text-1' },
        { type: 'abort' },
        '[DONE]',
      ),
    )
  })

  it('writes an in-band error part the decoder reads as kind provider', async () => {
    const encoder = aiSdkEncoder()
    const body =
      encoder.push({ type: 'text-delta', text: 'x' }) + encoder.error({ message: 'Overloaded', code: 'overloaded' })
    expect(body.endsWith(sse({ type: 'error', errorText: 'Overloaded' }))).toBe(true)
    const { values, error } = await decodeBody(body, 'ai-sdk')
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded' })
  })
})
