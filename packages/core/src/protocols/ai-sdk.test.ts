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
      // The block's end carries the metadata its provider needs back.
      {
        type: 'text-end',
        providerMetadata: { openai: { itemId: 'msg_68679a454370819ca74c8eb3d04379630dd1afb72306ca5d' } },
      },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('decodes reasoning, streamed and whole tool calls, and the data parts beside them', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-tools.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values[0]).toEqual({ type: 'start' })
    expect(text(values, 'reasoning-delta')).toBe('The user wants the weather in Paris.')
    // The signature came on the block's last delta; it goes out with the block's end.
    expect(values.filter((part) => part.type === 'reasoning-end')).toEqual([
      { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'EqQBCkgIBRABGAIqQHr1u' } } },
    ])
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
    expect(values.filter((part) => part.type === 'data')).toEqual([
      { type: 'data', name: 'status', id: 'status-1', data: { message: 'Looking up the weather…' }, transient: true },
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
    // Metadata without token counts yields nothing; no step boundary comes before the first step.
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
      {
        type: 'tool-result',
        id: 'call_fJdQDqnXeGxTmr4E3YPSR7Ar',
        name: 'getWeatherInformation',
        result: { city: 'San Francisco', weather: 'sunny' },
      },
      { type: 'step-start' },
      { type: 'source', id: 'src-1', url: 'https://example.com/weather' },
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

  it('decodes data, sources, files, tool results, refused tool input, steps and usage', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-parts.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'msg-parts-7Qk2' },
      { type: 'data', name: 'status', id: 'status-1', data: { phase: 'searching' }, transient: true },
      { type: 'reasoning-delta', text: 'Look up the tides first.' },
      // The end's metadata replaces the start's, as the SDK's client does.
      {
        type: 'reasoning-end',
        providerMetadata: { openai: { itemId: 'rs_9f1', reasoningEncryptedContent: 'enc-AAAB' } },
      },
      { type: 'tool-call-delta', index: 0, id: 'srvtoolu_4kq', name: 'web_search', argsDelta: '' },
      { type: 'tool-call-delta', index: 0, argsDelta: '{"query":"tides brest"}' },
      {
        type: 'tool-call',
        index: 0,
        id: 'srvtoolu_4kq',
        name: 'web_search',
        args: { query: 'tides brest' },
        providerExecuted: true,
        providerMetadata: { anthropic: { caller: 'direct' } },
      },
      {
        type: 'tool-result',
        id: 'srvtoolu_4kq',
        name: 'web_search',
        result: [{ url: 'https://tides.example.org/brest', title: 'Brest tides' }],
        providerExecuted: true,
      },
      { type: 'source', id: 'src-a1', url: 'https://tides.example.org/brest', title: 'Brest tides' },
      {
        type: 'source',
        id: 'src-a2',
        title: 'Tide table 2025',
        mediaType: 'application/pdf',
        filename: 'tides-2025.pdf',
        providerMetadata: { anthropic: { citedText: 'High tide 06:12' } },
      },
      { type: 'tool-call-delta', index: 1, id: 'call_Lm3', name: 'getMoonPhase', argsDelta: '' },
      { type: 'tool-call-delta', index: 1, argsDelta: '{"date":"2025-06-01"}' },
      { type: 'tool-call', index: 1, id: 'call_Lm3', name: 'getMoonPhase', args: { date: '2025-06-01' } },
      // Input the model got wrong is never run: what arrived is kept as text.
      { type: 'tool-call-incomplete', index: 2, id: 'call_Xy9', name: 'getWindSpeed', argsText: '{"station":' },
      // The preliminary output is left out; the final one names the call's tool.
      { type: 'tool-result', id: 'call_Lm3', name: 'getMoonPhase', result: { phase: 'full' } },
      {
        type: 'tool-result',
        id: 'call_Xy9',
        name: 'getWindSpeed',
        result: 'Invalid input for tool getWindSpeed',
        isError: true,
      },
      { type: 'step-start' },
      {
        type: 'file',
        mediaType: 'image/png',
        url: 'data:image/png;base64,iVBORw0KGgo=',
        providerMetadata: { google: { thoughtSignature: 'sig-img' } },
      },
      { type: 'text-delta', text: 'High tide is at 06:12' },
      { type: 'text-delta', text: ' under a full moon.' },
      { type: 'text-end', providerMetadata: { google: { thoughtSignature: 'sig-txt' } } },
      { type: 'data', name: 'weather', data: { city: 'Brest', temperature: 17 } },
      { type: 'usage', inputTokens: 812, outputTokens: 64, reasoningTokens: 12, cachedInputTokens: 512 },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('ends reasoning blocks with their metadata: signed, redacted, and interleaved blocks as one', async () => {
    const { values, error } = await decodeBody(fixture('ai-sdk-reasoning-interleaved.sse'), 'ai-sdk')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start' },
      { type: 'reasoning-delta', text: 'First thought.' },
      // Metadata on a delta belongs to the block.
      { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'sig-r1' } } },
      // A redacted block has no text, only what goes back.
      { type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: 'opaque-r2' } } },
      // Blocks open at once (summaries of one reasoning item) end together, with the last metadata.
      { type: 'reasoning-delta', text: 'Summary one.' },
      { type: 'reasoning-delta', text: ' Summary two.' },
      { type: 'reasoning-end', providerMetadata: { openai: { itemId: 'rs_1', reasoningEncryptedContent: 'enc-1' } } },
      // Blocks with nothing to send back end without a part.
      { type: 'text-delta', text: 'Plain answer.' },
      { type: 'text-delta', text: ' And more.' },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('puts a step boundary before every step but the first', async () => {
    const body = sse(
      { type: 'start' },
      { type: 'start-step' },
      { type: 'text-delta', id: '0', delta: 'a' },
      { type: 'finish-step' },
      { type: 'start-step' },
      { type: 'finish-step' },
      { type: 'start-step' },
      { type: 'text-delta', id: '0', delta: 'b' },
      { type: 'finish-step' },
      { type: 'finish' },
      '[DONE]',
    )
    const { values } = await decodeBody(body, 'ai-sdk')
    expect(values.map((part) => part.type)).toEqual([
      'start',
      'text-delta',
      'step-start',
      'step-start',
      'text-delta',
      'finish',
    ])
  })

  it('gives a tool result whose call is not in the stream an empty tool name', async () => {
    const body = sse({ type: 'tool-output-available', toolCallId: 'call_earlier', output: 42 }, { type: 'finish' })
    const { values } = await decodeBody(body, 'ai-sdk')
    expect(values).toContainEqual({ type: 'tool-result', id: 'call_earlier', name: '', result: 42 })
  })

  it('reads usage from message metadata only where it has token counts', async () => {
    const body = sse(
      { type: 'start', messageMetadata: { usage: { inputTokens: 3 } } },
      { type: 'message-metadata', messageMetadata: { totalTokens: 9, createdAt: 1 } },
      { type: 'message-metadata', messageMetadata: { usage: { totalTokens: 9 } } },
      { type: 'message-metadata', messageMetadata: 'opaque' },
      { type: 'finish', messageMetadata: { usage: { inputTokens: 3, outputTokens: 5, cacheWriteInputTokens: 2 } } },
      '[DONE]',
    )
    const { values } = await decodeBody(body, 'ai-sdk')
    expect(values).toEqual([
      { type: 'start' },
      { type: 'usage', inputTokens: 3 },
      { type: 'usage', inputTokens: 3, outputTokens: 5, cacheWriteInputTokens: 2 },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('reads a finishReason named like an Object.prototype member as an unknown word', async () => {
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const { values, error } = await decodeBody(sse({ type: 'finish', finishReason: word }, '[DONE]'), 'ai-sdk')
      expect(error).toBeUndefined()
      expect(values.at(-1)).toEqual({ type: 'finish', reason: 'other', raw: word })
    }
  })

  it('throws kind parse for a new part of the wrong shape', async () => {
    for (const part of [
      { type: 'text-start', id: 1 },
      { type: 'reasoning-end', id: 'r', providerMetadata: 'sig' },
      { type: 'text-delta', id: '0', delta: 'a', providerMetadata: [1] },
      { type: 'tool-input-available', toolCallId: 'c', toolName: 'f', input: {}, providerExecuted: 'yes' },
      { type: 'tool-input-error', toolCallId: 'c', toolName: 'f', input: '{' },
      { type: 'tool-output-available', output: 1 },
      { type: 'tool-output-error', toolCallId: 'c' },
      { type: 'source-url', sourceId: 's' },
      { type: 'source-document', sourceId: 's', title: 'T' },
      { type: 'file', url: 'https://example.com/a.png' },
      { type: 'data-x', data: 1, id: 5 },
      { type: 'data-x', data: 1, transient: 'no' },
    ]) {
      const { error } = await decodeBody(sse(part), 'ai-sdk')
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'ai-sdk-parts.sse',
      'ai-sdk-reasoning-interleaved.sse',
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

// What JSON gives back (no -0, no undefined in arrays): the values a wire format can carry.
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value))
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined })
const arbitraryMetadata = fc
  .dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()), {
    minKeys: 1,
    maxKeys: 2,
  })
  .map(json)
const texts = (minLength: number) =>
  fc.array(fc.string({ minLength: 1, unit: 'grapheme' }), { minLength, maxLength: 3 })
const name = fc.string({ minLength: 1, maxLength: 10 })
// Streamed tool input comes in pieces (any, even empty); a whole call yields only its last part.
const pieces = optional(fc.array(fc.string(), { maxLength: 3 }))

/** One stretch of a stream: every part type the format carries, in the form the decoder gives. */
const arbitrarySegment = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), texts: texts(1), end: optional(arbitraryMetadata) }),
  // No texts and an end: a redacted block.
  fc.record({ kind: fc.constant('reasoning' as const), texts: texts(0), end: optional(arbitraryMetadata) }),
  fc.record({
    kind: fc.constant('call' as const),
    name,
    args: fc.dictionary(fc.string(), fc.jsonValue()),
    pieces,
    providerExecuted: fc.boolean(),
    metadata: optional(arbitraryMetadata),
  }),
  fc.record({ kind: fc.constant('incomplete' as const), name, pieces, argsText: fc.string() }),
  fc.record({
    kind: fc.constant('result' as const),
    call: fc.nat(),
    result: fc.jsonValue(),
    errorText: optional(fc.string()),
    providerExecuted: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('source' as const),
    url: optional(fc.webUrl()),
    title: optional(fc.string()),
    mediaType: fc.constantFrom('application/pdf', 'text/plain'),
    filename: optional(fc.string()),
    metadata: optional(arbitraryMetadata),
  }),
  fc.record({
    kind: fc.constant('file' as const),
    mediaType: fc.constantFrom('image/png', 'audio/wav'),
    url: fc.oneof(
      fc.webUrl(),
      fc.base64String().map((data) => `data:image/png;base64,${data}`),
    ),
    metadata: optional(arbitraryMetadata),
  }),
  fc.record({
    kind: fc.constant('data' as const),
    name: fc.string({ maxLength: 10 }),
    id: optional(fc.string()),
    data: fc.jsonValue(),
    transient: optional(fc.boolean()),
  }),
  fc.record({ kind: fc.constant('step' as const) }),
  fc.record({
    kind: fc.constant('usage' as const),
    inputTokens: fc.nat(),
    outputTokens: optional(fc.nat()),
    reasoningTokens: optional(fc.nat()),
    cachedInputTokens: optional(fc.nat()),
    cacheWriteInputTokens: optional(fc.nat()),
  }),
)

/** Whole streams of every part type, in the form the decoder produces them, for round trips. */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    messageId: optional(fc.string({ minLength: 1, maxLength: 12 })),
    segments: fc.array(arbitrarySegment, { maxLength: 10 }),
    finish: fc.oneof(
      fc.constant({ kind: 'assumed' as const }),
      fc.constant({ kind: 'abort' as const }),
      fc.record({ kind: fc.constant('word' as const), word: fc.constantFrom(...FINISH_WORDS) }),
    ),
  })
  .map(({ messageId, segments, finish }) => {
    const parts: StreamPart[] = [messageId === undefined ? { type: 'start' } : { type: 'start', messageId }]
    const calls: { id: string; name: string }[] = []
    let sources = 0
    // Whether the last step made calls for the client: what a finish without a word means.
    let stepCalls = false
    const streamed = (index: number, id: string, callName: string, argsPieces: string[] | undefined) => {
      if (argsPieces === undefined) return
      parts.push({ type: 'tool-call-delta', index, id, name: callName, argsDelta: '' })
      for (const argsDelta of argsPieces) parts.push({ type: 'tool-call-delta', index, argsDelta })
    }
    for (const segment of segments) {
      switch (segment.kind) {
        case 'text':
        case 'reasoning': {
          const type = segment.kind === 'text' ? 'text-delta' : 'reasoning-delta'
          for (const text of segment.texts) parts.push({ type, text })
          if (segment.end !== undefined) parts.push({ type: `${segment.kind}-end`, providerMetadata: segment.end })
          break
        }
        case 'call': {
          const index = calls.length
          const id = `call_${index}`
          calls.push({ id, name: segment.name })
          streamed(index, id, segment.name, segment.pieces)
          const call: StreamPart = { type: 'tool-call', index, id, name: segment.name, args: json(segment.args) }
          if (segment.providerExecuted) call.providerExecuted = true
          else stepCalls = true
          if (segment.metadata !== undefined) call.providerMetadata = segment.metadata
          parts.push(call)
          break
        }
        case 'incomplete': {
          const index = calls.length
          const id = `call_${index}`
          calls.push({ id, name: segment.name })
          streamed(index, id, segment.name, segment.pieces)
          parts.push({ type: 'tool-call-incomplete', index, id, name: segment.name, argsText: segment.argsText })
          break
        }
        case 'result': {
          const call = calls[segment.call % Math.max(1, calls.length)]
          if (call === undefined) break
          const result: StreamPart =
            segment.errorText === undefined
              ? { type: 'tool-result', id: call.id, name: call.name, result: json(segment.result) }
              : { type: 'tool-result', id: call.id, name: call.name, result: segment.errorText, isError: true }
          if (segment.providerExecuted) result.providerExecuted = true
          parts.push(result)
          break
        }
        case 'source': {
          const source: StreamPart = { type: 'source', id: `source-${++sources}` }
          if (segment.url !== undefined) {
            source.url = segment.url
            if (segment.title !== undefined) source.title = segment.title
          } else {
            // A document always has a title and a media type on this wire.
            source.title = segment.title ?? ''
            source.mediaType = segment.mediaType
            if (segment.filename !== undefined) source.filename = segment.filename
          }
          if (segment.metadata !== undefined) source.providerMetadata = segment.metadata
          parts.push(source)
          break
        }
        case 'file': {
          const file: StreamPart = { type: 'file', mediaType: segment.mediaType, url: segment.url }
          if (segment.metadata !== undefined) file.providerMetadata = segment.metadata
          parts.push(file)
          break
        }
        case 'data': {
          const data: StreamPart = { type: 'data', name: segment.name, data: json(segment.data) }
          if (segment.id !== undefined) data.id = segment.id
          if (segment.transient !== undefined) data.transient = segment.transient
          parts.push(data)
          break
        }
        case 'step':
          stepCalls = false
          parts.push({ type: 'step-start' })
          break
        case 'usage': {
          const { kind: _, ...counts } = segment
          parts.push(json({ type: 'usage', ...counts }))
          break
        }
      }
    }
    if (finish.kind === 'abort') parts.push({ type: 'finish', reason: 'other', raw: 'abort' })
    else if (finish.kind === 'assumed') parts.push({ type: 'finish', reason: stepCalls ? 'tool-calls' : 'stop' })
    else {
      const reason = finish.word === 'unknown' ? 'other' : finish.word
      parts.push({ type: 'finish', reason, raw: finish.word })
    }
    return parts
  })

describe('ai-sdk encode', () => {
  it('decode(encode(parts)) gives back the parts, for sequences of every part type', async () => {
    await expectRoundTrips(aiSdkEncoder, 'ai-sdk', arbitraryParts, 300)
  })

  it('generates every part type for the round trip', () => {
    // A record over the union: a new part type does not compile until it is listed here.
    const every: Record<StreamPart['type'], true> = {
      start: true,
      'text-delta': true,
      'reasoning-delta': true,
      'text-end': true,
      'reasoning-end': true,
      'tool-call-delta': true,
      'tool-call': true,
      'tool-call-incomplete': true,
      'tool-result': true,
      source: true,
      file: true,
      data: true,
      'step-start': true,
      usage: true,
      finish: true,
    }
    const seen = new Set<string>()
    for (const parts of fc.sample(arbitraryParts, { numRuns: 300, seed: 11 }))
      for (const part of parts) seen.add(part.type)
    expect([...seen].sort()).toEqual(Object.keys(every).sort())
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
      // The format has no usage part: it goes into message metadata.
      { type: 'message-metadata', messageMetadata: { usage: { inputTokens: 1, outputTokens: 2 } } },
      { type: 'finish-step' },
      // Another protocol's word is not one the SDK accepts: the normalized reason is written.
      { type: 'finish', finishReason: 'length' },
    ])
    expect(aiSdkStreamHeaders['x-vercel-ai-ui-message-stream']).toBe('v1')
  })

  it("writes only the fields the SDK's strict chunk schemas allow, with the ones they require", () => {
    // From `uiMessageChunkSchema` (AI SDK 5): [required, optional] fields per chunk type.
    const block = [['id'], ['providerMetadata']]
    const schema: Record<string, string[][]> = {
      start: [[], ['messageId', 'messageMetadata']],
      'start-step': [[], []],
      'finish-step': [[], []],
      'text-start': block,
      'text-end': block,
      'reasoning-start': block,
      'reasoning-end': block,
      'text-delta': [['id', 'delta'], ['providerMetadata']],
      'reasoning-delta': [['id', 'delta'], ['providerMetadata']],
      'tool-input-start': [
        ['toolCallId', 'toolName'],
        ['providerExecuted', 'dynamic'],
      ],
      'tool-input-delta': [['toolCallId', 'inputTextDelta'], []],
      'tool-input-available': [
        ['toolCallId', 'toolName'],
        ['input', 'providerExecuted', 'providerMetadata', 'dynamic'],
      ],
      'tool-input-error': [
        ['toolCallId', 'toolName', 'errorText'],
        ['input', 'providerExecuted', 'providerMetadata'],
      ],
      'tool-output-available': [['toolCallId'], ['output', 'providerExecuted', 'dynamic', 'preliminary']],
      'tool-output-error': [
        ['toolCallId', 'errorText'],
        ['providerExecuted', 'dynamic'],
      ],
      'source-url': [
        ['sourceId', 'url'],
        ['title', 'providerMetadata'],
      ],
      'source-document': [
        ['sourceId', 'mediaType', 'title'],
        ['filename', 'providerMetadata'],
      ],
      file: [['url', 'mediaType'], ['providerMetadata']],
      'message-metadata': [['messageMetadata'], []],
      finish: [[], ['finishReason', 'messageMetadata']],
      abort: [[], []],
    }
    fc.assert(
      fc.property(arbitraryParts, (parts) => {
        for (const event of encodeAll(aiSdkEncoder(), parts).split('\n\n')) {
          if (event === '' || event === 'data: [DONE]') continue
          const { type, ...fields } = JSON.parse(event.slice('data: '.length)) as { type: string }
          const shape = type.startsWith('data-') ? [[], ['id', 'data', 'transient']] : schema[type]
          expect(shape, `a chunk of type ${type}`).toBeDefined()
          const [required, optional] = shape as string[][]
          for (const field of required as string[]) expect(fields, `${type}.${field}`).toHaveProperty(field)
          for (const field of Object.keys(fields)) {
            expect([...(required as string[]), ...(optional as string[])], `${type}.${field}`).toContain(field)
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it("writes each kind of part in the SDK's shape", () => {
    const body = encodeAll(aiSdkEncoder(), [
      { type: 'start', messageId: 'm2' },
      { type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: 'xyz' } } },
      { type: 'text-delta', text: 'Hi' },
      { type: 'text-end', providerMetadata: { google: { thoughtSignature: 's' } } },
      { type: 'tool-call', index: 0, id: 'srv_1', name: 'web_search', args: { q: 'x' }, providerExecuted: true },
      { type: 'tool-result', id: 'srv_1', name: 'web_search', result: ['r'], providerExecuted: true },
      { type: 'tool-call-delta', index: 1, id: 'c2', name: 'f', argsDelta: '{"a":' },
      { type: 'tool-call-incomplete', index: 1, id: 'c2', name: 'f', argsText: '{"a":' },
      { type: 'tool-result', id: 'c2', name: 'f', result: { reason: 'bad' }, isError: true },
      { type: 'source', url: 'https://example.com/a', title: 'A', mediaType: 'text/html' },
      { type: 'source', id: 'doc', filename: 'a.pdf', providerMetadata: { p: { k: 1 } } },
      { type: 'file', id: 'img', mediaType: 'image/png', url: 'data:image/png;base64,AA', partial: true },
      { type: 'file', id: 'img', mediaType: 'image/png', url: 'data:image/png;base64,AAAA', filename: 'a.png' },
      { type: 'data', name: 'weather', id: 'w', data: { t: 1 }, transient: false },
      { type: 'step-start' },
      { type: 'usage', outputTokens: 4, cacheWriteInputTokens: 1 },
      { type: 'finish', reason: 'stop' },
    ])
    expect(body).toBe(
      sse(
        { type: 'start', messageId: 'm2' },
        { type: 'start-step' },
        { type: 'reasoning-start', id: 'reasoning-1' },
        { type: 'reasoning-end', id: 'reasoning-1', providerMetadata: { anthropic: { redactedData: 'xyz' } } },
        { type: 'text-start', id: 'text-2' },
        { type: 'text-delta', id: 'text-2', delta: 'Hi' },
        { type: 'text-end', id: 'text-2', providerMetadata: { google: { thoughtSignature: 's' } } },
        {
          type: 'tool-input-available',
          toolCallId: 'srv_1',
          toolName: 'web_search',
          input: { q: 'x' },
          providerExecuted: true,
        },
        { type: 'tool-output-available', toolCallId: 'srv_1', output: ['r'], providerExecuted: true },
        { type: 'tool-input-start', toolCallId: 'c2', toolName: 'f' },
        { type: 'tool-input-delta', toolCallId: 'c2', inputTextDelta: '{"a":' },
        {
          type: 'tool-input-error',
          toolCallId: 'c2',
          toolName: 'f',
          input: '{"a":',
          errorText: 'The arguments of tool call "f" were cut off before they were complete',
        },
        { type: 'tool-output-error', toolCallId: 'c2', errorText: '{"reason":"bad"}' },
        // No media type on a URL source; a document needs a title, here its file name.
        { type: 'source-url', sourceId: 'source-1', url: 'https://example.com/a', title: 'A' },
        {
          type: 'source-document',
          sourceId: 'doc',
          mediaType: 'application/octet-stream',
          title: 'a.pdf',
          filename: 'a.pdf',
          providerMetadata: { p: { k: 1 } },
        },
        // The preview is not written; the file has no id or file name on this wire.
        { type: 'file', url: 'data:image/png;base64,AAAA', mediaType: 'image/png' },
        { type: 'data-weather', id: 'w', data: { t: 1 }, transient: false },
        { type: 'finish-step' },
        { type: 'start-step' },
        { type: 'message-metadata', messageMetadata: { usage: { outputTokens: 4, cacheWriteInputTokens: 1 } } },
        { type: 'finish-step' },
        // The last step made no calls for the client: stop is what the client assumes.
        { type: 'finish' },
        '[DONE]',
      ),
    )
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
