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
import { geminiEncoder } from './gemini.js'

const text = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  parts.map((part) => (part.type === type ? part.text : '')).join('')

/** One Gemini SSE event, framed with CRLF as Google does. */
const event = (body: unknown) => `data: ${JSON.stringify(body)}\r\n\r\n`
const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  event({ candidates: [{ content: { parts, role: 'model' }, ...extra, index: 0 }], ...top })

const FIXTURES = [
  'gemini-text.sse',
  'gemini-reasoning.sse',
  'gemini-tools.sse',
  'gemini-error.sse',
  'gemini-blocked.sse',
  'gemini-truncated.sse',
]

describe('gemini decode', () => {
  it('fixtures are framed with CRLF, as Gemini sends them', () => {
    for (const name of FIXTURES) {
      const body = fixture(name)
      expect(body).toContain('\r\n\r\n')
      expect(body.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/)
    }
  })

  it('decodes CRLF-framed text, start from responseId/modelVersion, running usage, and the finish last', async () => {
    const { values, error } = await decodeBody(fixture('gemini-text.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'Il0taoSYJ5Cez7IPm_6a2QY', model: 'gemini-2.0-flash' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'usage', inputTokens: 9, outputTokens: 1 },
      { type: 'text-delta', text: ', wörld 👋🏽' },
      { type: 'usage', inputTokens: 9, outputTokens: 5 },
      { type: 'text-delta', text: ' 你好\n' },
      { type: 'usage', inputTokens: 9, outputTokens: 8 },
      { type: 'finish', reason: 'stop', raw: 'STOP' },
    ])
  })

  it('decodes thought parts as reasoning, ignores signature-only parts, counts thoughts in output tokens', async () => {
    const { values, error } = await decodeBody(fixture('gemini-reasoning.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe(
      "**Counting the letters**\n\nI'll spell out *strawberry* and count each r. s-t-r-a-w-b-e-r-r-y: three of them.",
    )
    expect(text(values)).toBe('There are **3** r\'s in "strawberry".')
    // Every text or reasoning part is non-empty: the signature-only part yielded nothing.
    expect(values.filter((part) => part.type === 'text-delta' || part.type === 'reasoning-delta')).toHaveLength(3)
    // While only thinking, candidatesTokenCount is absent: output is the thoughts alone.
    expect(values[2]).toEqual({ type: 'usage', inputTokens: 14, outputTokens: 48, reasoningTokens: 48 })
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 14, outputTokens: 99, reasoningTokens: 87 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'STOP' })
  })

  it('turns each whole functionCall into one delta with all the args and one tool call, ids generated', async () => {
    const { values, error } = await decodeBody(fixture('gemini-tools.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(text(values)).toBe("I'll look up the weather and the time in Paris.")
    expect(values.filter((part) => part.type === 'tool-call-delta' || part.type === 'tool-call')).toEqual([
      {
        type: 'tool-call-delta',
        index: 0,
        id: 'call_0',
        name: 'get_weather',
        argsDelta: '{"location":"Paris, France","unit":"celsius"}',
      },
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0',
        name: 'get_weather',
        args: { location: 'Paris, France', unit: 'celsius' },
      },
      { type: 'tool-call-delta', index: 1, id: 'call_1', name: 'get_time', argsDelta: '{"tz":"Europe/Paris"}' },
      { type: 'tool-call', index: 1, id: 'call_1', name: 'get_time', args: { tz: 'Europe/Paris' } },
    ])
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 103, outputTokens: 97, reasoningTokens: 51 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'STOP' })
  })

  it('keeps functionCall.id when the wire has one, and a call without args gets {}', async () => {
    const body =
      chunk([{ functionCall: { id: 'fc_7f3a', name: 'lookup', args: { q: 'x' } } }]) +
      chunk([{ functionCall: { name: 'now' } }], { finishReason: 'STOP' })
    const { values, error } = await decodeBody(body, 'gemini')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'fc_7f3a', name: 'lookup', args: { q: 'x' } },
      { type: 'tool-call', index: 1, id: 'call_1', name: 'now', args: {} },
    ])
  })

  it('emits the finish at EOF, after a usage-only event that follows the finishReason', async () => {
    const body =
      chunk([{ text: 'Hi' }], { finishReason: 'STOP' }) +
      event({ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 } })
    const { values, error } = await decodeBody(body, 'gemini')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', inputTokens: 3, outputTokens: 1 },
      { type: 'finish', reason: 'stop', raw: 'STOP' },
    ])
  })

  it('maps finish reasons and keeps the provider word', async () => {
    const finishOf = async (raw: string, parts: unknown[] = [{ text: 'x' }]) =>
      (await decodeBody(chunk(parts, { finishReason: raw }), 'gemini')).values.at(-1)
    const expected: Record<string, FinishReason> = {
      STOP: 'stop',
      MAX_TOKENS: 'length',
      SAFETY: 'content-filter',
      RECITATION: 'content-filter',
      BLOCKLIST: 'content-filter',
      PROHIBITED_CONTENT: 'content-filter',
      SPII: 'content-filter',
      IMAGE_SAFETY: 'content-filter',
      MALFORMED_FUNCTION_CALL: 'error',
      OTHER: 'other',
      LANGUAGE: 'other',
      SOMETHING_NEW: 'other',
    }
    for (const [raw, reason] of Object.entries(expected)) {
      expect(await finishOf(raw)).toEqual({ type: 'finish', reason, raw })
    }
    // Only STOP becomes tool-calls after a function call; a cut-off call stays `length`.
    const call = [{ functionCall: { name: 'f', args: {} } }]
    expect(await finishOf('STOP', call)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'STOP' })
    expect(await finishOf('MAX_TOKENS', call)).toEqual({ type: 'finish', reason: 'length', raw: 'MAX_TOKENS' })
  })

  it('throws kind provider with the block reason for a refused prompt, not an empty success', async () => {
    const { values, error } = await decodeBody(fixture('gemini-blocked.sse'), 'gemini')
    expect(values).toEqual([])
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', code: 'PROHIBITED_CONTENT' })
    expect((error as Error).message).toContain('PROHIBITED_CONTENT')

    const withMessage = event({ promptFeedback: { blockReason: 'OTHER', blockReasonMessage: 'Blocked by policy.' } })
    expect(errorSummary((await decodeBody(withMessage, 'gemini')).error)).toMatchObject({
      kind: 'provider',
      message: 'Blocked by policy.',
      code: 'OTHER',
    })
  })

  it('throws kind provider with the status as code for an error chunk mid-stream, after the text before it', async () => {
    const { values, error } = await decodeBody(fixture('gemini-error.sse'), 'gemini')
    expect(text(values)).toBe('Partial')
    expect(errorSummary(error)).toMatchObject({
      kind: 'provider',
      message:
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      code: 'INTERNAL',
    })
  })

  it('throws kind interrupted for a truncated stream, keeping what arrived', async () => {
    const { values, error } = await decodeBody(fixture('gemini-truncated.sse'), 'gemini')
    expect(text(values)).toBe('Once upon')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('throws kind interrupted when whole events end without any finishReason', async () => {
    const { values, error } = await decodeBody(chunk([{ text: 'Hello' }]) + chunk([{ text: ' there' }]), 'gemini')
    expect(text(values)).toBe('Hello there')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('decodes only candidate 0 and skips part kinds it does not know', async () => {
    const body = event({
      candidates: [
        { content: { parts: [{ text: 'other candidate' }], role: 'model' }, index: 1 },
        {
          content: {
            parts: [
              { executableCode: { language: 'PYTHON', code: 'print(1)' } },
              { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
              { text: 'mine' },
            ],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
    })
    const { values, error } = await decodeBody(body, 'gemini')
    expect(error).toBeUndefined()
    expect(text(values)).toBe('mine')
  })

  it('throws kind parse on invalid JSON, or skips it when lenient and reports it', async () => {
    const body = [
      chunk([{ text: 'a' }]),
      'data: {not json\r\n\r\n',
      chunk([{ text: 'b' }], { finishReason: 'STOP' }),
    ].join('')
    const { lenient } = await expectMalformedSkippedWhenLenient(body, 'gemini')
    expect(lenient.values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'STOP' })
  })

  it('throws kind parse for a response of the wrong shape', async () => {
    for (const body of [
      event({ candidates: { index: 0 } }),
      chunk([{ text: 42 }]),
      chunk([{ functionCall: { args: {} } }]),
      chunk([{ functionCall: { name: 'f', args: [1, 2] } }]),
      event({ candidates: [{ content: { parts: 'hi' } }] }),
      chunk([{ text: 'x' }], { finishReason: 1 }),
      event({ usageMetadata: 5 }),
    ]) {
      expect(errorSummary((await decodeBody(body, 'gemini')).error)).toMatchObject({ kind: 'parse' })
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of FIXTURES) await expectAnyChunkingDecodesAlike(fixture(name), 'gemini', 40)
  })
})

const TABLE: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
  OTHER: 'other',
}

/** Parts in the form the decoder produces them, for round trips. */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    model: fc.string({ minLength: 1, maxLength: 12 }),
    items: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('text-delta' as const), text: fc.string({ minLength: 1, unit: 'grapheme' }) }),
        fc.record({
          type: fc.constant('reasoning-delta' as const),
          text: fc.string({ minLength: 1, unit: 'grapheme' }),
        }),
        fc.record({
          type: fc.constant('tool' as const),
          id: fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }),
          name: fc.string({ minLength: 1, maxLength: 10 }),
          args: fc.dictionary(fc.string(), fc.jsonValue()),
        }),
      ),
    ),
    usage: fc.option(
      fc.record({
        inputTokens: fc.nat(),
        candidates: fc.nat(),
        thoughts: fc.option(fc.nat(), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    finish: fc.constantFrom(...Object.keys(TABLE), 'SOMETHING_NEW'),
  })
  .map(({ id, model, items, usage, finish }) => {
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }]
    let tools = 0
    for (const item of items) {
      if (item.type !== 'tool') {
        parts.push(item)
        continue
      }
      const index = tools++
      const callId = item.id ?? `call_${index}`
      const args = JSON.parse(JSON.stringify(item.args))
      parts.push({ type: 'tool-call-delta', index, id: callId, name: item.name, argsDelta: JSON.stringify(args) })
      parts.push({ type: 'tool-call', index, id: callId, name: item.name, args })
    }
    if (usage) {
      const part: StreamPart = {
        type: 'usage',
        inputTokens: usage.inputTokens,
        outputTokens: usage.candidates + (usage.thoughts ?? 0),
      }
      if (usage.thoughts !== undefined) part.reasoningTokens = usage.thoughts
      parts.push(part)
    }
    const reason = finish === 'STOP' && tools > 0 ? 'tool-calls' : (TABLE[finish] ?? 'other')
    parts.push({ type: 'finish', reason, raw: finish })
    return parts
  })

describe('gemini encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(geminiEncoder, 'gemini', arbitraryParts)
  })

  it("writes CRLF-framed GenerateContentResponses in Gemini's layout", () => {
    const encoder = geminiEncoder({ id: 'resp-1', model: 'gemini-2.5-flash' })
    const body = encodeAll(encoder, [
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call-delta', index: 0, id: 'call_0', name: 'f', argsDelta: '{"a":1}' },
      { type: 'tool-call', index: 0, id: 'call_0', name: 'f', args: { a: 1 } },
      { type: 'usage', inputTokens: 4, outputTokens: 10, reasoningTokens: 3 },
      { type: 'finish', reason: 'tool-calls' },
    ])
    const events = body.split('\r\n\r\n')
    expect(events.pop()).toBe('')
    expect(events.map((line) => JSON.parse(line.slice('data: '.length)))).toEqual([
      {
        candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }],
        modelVersion: 'gemini-2.5-flash',
        responseId: 'resp-1',
      },
      {
        candidates: [
          {
            content: { parts: [{ functionCall: { name: 'f', args: { a: 1 }, id: 'call_0' } }], role: 'model' },
            index: 0,
          },
        ],
        modelVersion: 'gemini-2.5-flash',
        responseId: 'resp-1',
      },
      {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 7, totalTokenCount: 14, thoughtsTokenCount: 3 },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'resp-1',
      },
    ])
  })

  it('writes an in-band error the decoder reads as kind provider', async () => {
    const encoder = geminiEncoder()
    const body =
      encoder.push({ type: 'text-delta', text: 'x' }) + encoder.error({ message: 'Overloaded', code: 'UNAVAILABLE' })
    expect(body).toContain('"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}')
    const { values, error } = await decodeBody(body, 'gemini')
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded', code: 'UNAVAILABLE' })
  })
})
