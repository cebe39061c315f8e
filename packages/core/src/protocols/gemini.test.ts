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
  'gemini-stream-args.sse',
  'gemini-stream-args-cut.sse',
  'gemini-grounding.sse',
  'gemini-image.sse',
  'gemini-code-execution.sse',
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

  it('decodes thought parts as reasoning, a signature-only part as the end of the text, thoughts in output tokens', async () => {
    const { values, error } = await decodeBody(fixture('gemini-reasoning.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe(
      "**Counting the letters**\n\nI'll spell out *strawberry* and count each r. s-t-r-a-w-b-e-r-r-y: three of them.",
    )
    expect(text(values)).toBe('There are **3** r\'s in "strawberry".')
    // Every text or reasoning part is non-empty: the signature-only part yielded only its signature.
    expect(values.filter((part) => part.type === 'text-delta' || part.type === 'reasoning-delta')).toHaveLength(3)
    expect(values.filter((part) => part.type === 'text-end')).toEqual([
      {
        type: 'text-end',
        providerMetadata: {
          google: { thoughtSignature: 'CiQBVKhc7oHB1y7Q3vWJpq+8lKzYtC0v6WbS5x2oVb0hHEpm+0sKXwFUqFzuJ9w2' },
        },
      },
    ])
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
        providerMetadata: {
          google: { thoughtSignature: 'CiQBEU0yD7pXvs4wv+3ZLLv0dNW12KRm1bT+Qx6oA5Ea0nC9pRkKbQEUqFzu' },
        },
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
    // Words named after Object.prototype members are unknown words, not functions.
    for (const [raw, reason] of [
      ...Object.entries(expected),
      ...['constructor', 'toString', '__proto__'].map((word): [string, FinishReason] => [word, 'other']),
    ]) {
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
            parts: [{ videoMetadata: { fps: 2 } }, { somethingNew: { x: 1 } }, { text: 'mine' }],
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

  it('builds streamed function-call arguments from their JSON paths, with deltas as they grow', async () => {
    const { values, error } = await decodeBody(fixture('gemini-stream-args.sse'), 'gemini')
    expect(error).toBeUndefined()
    const args = {
      city: 'Lisbon',
      days: 3,
      stops: [
        { name: 'Alfama', walk: true },
        { name: 'Belém "tower"', note: null },
      ],
    }
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0',
        name: 'plan_trip',
        args,
        providerMetadata: { google: { thoughtSignature: 'c2lnLXRyaXAtb25l' } },
      },
      {
        type: 'tool-call',
        index: 1,
        id: 'call_1',
        name: 'convert',
        args: { amount: 12.5, to: 'EUR' },
        providerMetadata: { google: { thoughtSignature: 'c2lnLWNvbnZlcnQ=' } },
      },
    ])
    const deltas = values.filter((part) => part.type === 'tool-call-delta' && part.index === 0)
    expect(deltas[0]).toEqual({ type: 'tool-call-delta', index: 0, id: 'call_0', name: 'plan_trip', argsDelta: '' })
    // One delta per event that added something; joined, they are the arguments' JSON.
    expect(deltas.map((part) => (part.type === 'tool-call-delta' ? part.argsDelta : ''))).toEqual([
      '',
      '{"city":"Lis',
      'bon',
      '","days":3',
      ',"stops":[{"name":"Alfama',
      '","walk":true},{"name":"Belém \\"tower\\"',
      '","note":null',
      '}]}',
    ])
    expect(JSON.parse(deltas.map((part) => (part.type === 'tool-call-delta' ? part.argsDelta : '')).join(''))).toEqual(
      args,
    )
    // The second call came whole, its arguments as paths.
    expect(values.filter((part) => part.type === 'tool-call-delta' && part.index === 1)).toEqual([
      { type: 'tool-call-delta', index: 1, id: 'call_1', name: 'convert', argsDelta: '{"amount":12.5,"to":"EUR"}' },
    ])
    expect(values.slice(-2)).toEqual([
      { type: 'usage', inputTokens: 400, outputTokens: 130, reasoningTokens: 90, cachedInputTokens: 256 },
      { type: 'finish', reason: 'tool-calls', raw: 'STOP' },
    ])
  })

  it('reports a streamed call cut by MAX_TOKENS as incomplete, never as a call', async () => {
    const { values, error } = await decodeBody(fixture('gemini-stream-args-cut.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(values.some((part) => part.type === 'tool-call')).toBe(false)
    expect(values.slice(-3)).toEqual([
      {
        type: 'tool-call-incomplete',
        index: 0,
        id: 'call_0',
        name: 'write_notes',
        argsText: '{"title":"Notes","lines":["first li',
      },
      { type: 'usage', inputTokens: 20, outputTokens: 64 },
      { type: 'finish', reason: 'length', raw: 'MAX_TOKENS' },
    ])
  })

  it('throws kind parse for argument paths that would make sparse arrays, nest absurdly or clash', async () => {
    const streamed = (...entries: unknown[]) =>
      chunk([{ functionCall: { name: 'f', willContinue: true } }]) +
      entries.map((entry) => chunk([{ functionCall: { partialArgs: [entry], willContinue: true } }])).join('') +
      chunk([{ functionCall: {} }], { finishReason: 'STOP' })
    for (const body of [
      streamed({ jsonPath: '$.items[4294967294]', stringValue: 'x' }),
      streamed({ jsonPath: '$.items[1]', numberValue: 1 }),
      streamed({ jsonPath: `$${'.a'.repeat(100)}`, numberValue: 1 }),
      streamed({ jsonPath: '$.a', numberValue: 1 }, { jsonPath: '$.a.b', numberValue: 2 }),
      streamed({ jsonPath: '$.a[0]', numberValue: 1 }, { jsonPath: '$.a.b', numberValue: 2 }),
      streamed({ jsonPath: 'items', stringValue: 'x' }),
      streamed({ jsonPath: '$', stringValue: 'x' }),
      chunk([{ functionCall: { partialArgs: [{ jsonPath: '$.a', numberValue: 1 }] } }], { finishReason: 'STOP' }),
    ]) {
      const { values, error } = await decodeBody(body, 'gemini')
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
      expect(values.some((part) => part.type === 'tool-call')).toBe(false)
    }
  })

  it('keeps a __proto__ argument an own key, as JSON.parse does, and never touches prototypes', async () => {
    const body =
      chunk([{ functionCall: { name: 'f', willContinue: true } }]) +
      chunk([{ functionCall: { partialArgs: [{ jsonPath: '$.__proto__.polluted', boolValue: true }] } }]) +
      chunk([{ text: '' }], { finishReason: 'STOP' })
    const { values, error } = await decodeBody(body, 'gemini')
    expect(error).toBeUndefined()
    const call = values.find((part) => part.type === 'tool-call')
    expect(call?.type === 'tool-call' && call.args).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('ends text and thought parts that carry a thoughtSignature with it', async () => {
    const body =
      chunk([{ text: 'thinking', thought: true, thoughtSignature: 'c2lnLXRob3VnaHQ=' }]) +
      chunk([{ text: 'Answer', thoughtSignature: 'c2lnLXRleHQ=' }]) +
      chunk([{ text: '', thoughtSignature: 'c2lnLWVuZA==' }], { finishReason: 'STOP' })
    const { values, error } = await decodeBody(body, 'gemini')
    expect(error).toBeUndefined()
    expect(values.slice(1, -1)).toEqual([
      { type: 'reasoning-delta', text: 'thinking' },
      { type: 'reasoning-end', providerMetadata: { google: { thoughtSignature: 'c2lnLXRob3VnaHQ=' } } },
      { type: 'text-delta', text: 'Answer' },
      { type: 'text-end', providerMetadata: { google: { thoughtSignature: 'c2lnLXRleHQ=' } } },
      { type: 'text-end', providerMetadata: { google: { thoughtSignature: 'c2lnLWVuZA==' } } },
    ])
  })

  it('decodes groundingChunks as sources, each URL once', async () => {
    const { values, error } = await decodeBody(fixture('gemini-grounding.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(text(values)).toBe('It will rain in Oslo tomorrow afternoon.')
    expect(values.filter((part) => part.type === 'source')).toEqual([
      {
        type: 'source',
        url: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AAA111',
        title: 'weather.example.com',
      },
      {
        type: 'source',
        url: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/BBB222',
        title: 'news.example.org',
      },
      { type: 'source', url: 'gs://docs-bucket/oslo.pdf', title: 'oslo.pdf' },
    ])
  })

  it('decodes a generated image as a file with a data: URL and its signature; thought images are drafts', async () => {
    const { values, error } = await decodeBody(fixture('gemini-image.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'file')).toEqual([
      {
        type: 'file',
        mediaType: 'image/png',
        url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        providerMetadata: { google: { thoughtSignature: 'c2lnLWltYWdl' } },
      },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'STOP' })
  })

  it('decodes code execution as provider-executed calls and results, a failed outcome as an error', async () => {
    const { values, error } = await decodeBody(fixture('gemini-code-execution.sse'), 'gemini')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call' || part.type === 'tool-result')).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0',
        name: 'code_execution',
        args: { language: 'PYTHON', code: 'print(sum(range(10)))' },
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: 'call_0',
        name: 'code_execution',
        result: { outcome: 'OUTCOME_OK', output: '45\n' },
        providerExecuted: true,
      },
      {
        type: 'tool-call',
        index: 1,
        id: 'call_1',
        name: 'code_execution',
        args: { language: 'PYTHON', code: 'print(1/0)' },
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: 'call_1',
        name: 'code_execution',
        result: { outcome: 'OUTCOME_FAILED', output: 'ZeroDivisionError: division by zero\n' },
        isError: true,
        providerExecuted: true,
      },
    ])
    // Nothing for the app to run: the answer is complete.
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'STOP' })
  })

  it('takes a functionResponse in the stream (server-side MCP) as the result of its call, which the app need not run', async () => {
    const body =
      chunk([{ functionCall: { name: 'shop_lookup', args: { sku: 'B-2' } } }], { finishReason: 'STOP' }) +
      chunk([{ functionResponse: { name: 'shop_lookup', response: { stock: 4 } } }]) +
      chunk([{ text: 'Four left.' }], { finishReason: 'STOP' })
    const { values, error } = await decodeBody(body, 'gemini')
    expect(error).toBeUndefined()
    expect(values.find((part) => part.type === 'tool-result')).toEqual({
      type: 'tool-result',
      id: 'call_0',
      name: 'shop_lookup',
      result: { stock: 4 },
      providerExecuted: true,
    })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'STOP' })
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

const signature = fc.option(fc.base64String({ minLength: 4, maxLength: 24 }), { nil: undefined })
const google = (thoughtSignature: string | undefined) =>
  thoughtSignature === undefined ? {} : { providerMetadata: { google: { thoughtSignature } } }
const jsonObject = fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.parse(JSON.stringify(v)))

/**
 * Parts in the form the decoder produces them, for round trips: text and reasoning (a signed
 * end after them or not), whole function calls (signed or not), code execution with its result,
 * server-side function responses, grounding sources (each URL once), files, usage, finish.
 */
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
          type: fc.constantFrom('text-end' as const, 'reasoning-end' as const),
          signature: fc.base64String({ minLength: 4 }),
        }),
        fc.record({
          type: fc.constant('tool' as const),
          id: fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }),
          // No underscore: never the name of code execution or of a server-side response below.
          name: fc.stringMatching(/^[a-z]{1,10}$/),
          args: jsonObject,
          signature,
        }),
        fc.record({
          type: fc.constant('code' as const),
          code: fc.string(),
          outcome: fc.option(fc.constantFrom('OUTCOME_OK', 'OUTCOME_FAILED', 'OUTCOME_DEADLINE_EXCEEDED'), {
            nil: undefined,
          }),
          output: fc.string(),
        }),
        fc.record({
          type: fc.constant('response' as const),
          id: fc.string({ minLength: 1, maxLength: 10 }),
          name: fc.constantFrom('shop_lookup', 'weather_server_get'),
          response: jsonObject,
        }),
        fc.record({ type: fc.constant('source' as const), title: fc.option(fc.string(), { nil: undefined }) }),
        fc.record({
          type: fc.constant('file' as const),
          mediaType: fc.constantFrom('image/png', 'image/jpeg', 'application/pdf'),
          inline: fc.boolean(),
          data: fc.base64String(),
          signature,
        }),
      ),
    ),
    usage: fc.option(
      fc.record({
        inputTokens: fc.nat(),
        candidates: fc.nat(),
        thoughts: fc.option(fc.nat(), { nil: undefined }),
        cached: fc.option(fc.nat(), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    finish: fc.constantFrom(...Object.keys(TABLE), 'SOMETHING_NEW'),
  })
  .map(({ id, model, items, usage, finish }) => {
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }]
    let tools = 0
    let clientCalls = 0
    let sources = 0
    for (const item of items) {
      switch (item.type) {
        case 'text-delta':
        case 'reasoning-delta':
          parts.push(item)
          break
        case 'text-end':
        case 'reasoning-end':
          parts.push({ type: item.type, providerMetadata: { google: { thoughtSignature: item.signature } } })
          break
        case 'tool': {
          const index = tools++
          clientCalls++
          const callId = item.id ?? `call_${index}`
          const meta = google(item.signature)
          parts.push({
            type: 'tool-call-delta',
            index,
            id: callId,
            name: item.name,
            argsDelta: JSON.stringify(item.args),
          })
          parts.push({ type: 'tool-call', index, id: callId, name: item.name, args: item.args, ...meta })
          break
        }
        case 'code': {
          const index = tools++
          const args = { language: 'PYTHON', code: item.code }
          parts.push({
            type: 'tool-call',
            index,
            id: `call_${index}`,
            name: 'code_execution',
            args,
            providerExecuted: true,
          })
          if (item.outcome === undefined) break
          const result: StreamPart = {
            type: 'tool-result',
            id: `call_${index}`,
            name: 'code_execution',
            result: { outcome: item.outcome, output: item.output },
            providerExecuted: true,
          }
          if (item.outcome !== 'OUTCOME_OK') result.isError = true
          parts.push(result)
          break
        }
        case 'response':
          parts.push({
            type: 'tool-result',
            id: item.id,
            name: item.name,
            result: item.response,
            providerExecuted: true,
          })
          break
        case 'source': {
          const source: StreamPart = { type: 'source', url: `https://example.com/source/${sources++}` }
          if (item.title !== undefined) source.title = item.title
          parts.push(source)
          break
        }
        case 'file': {
          const url = item.inline
            ? `data:${item.mediaType};base64,${item.data}`
            : `https://files.example.com/${item.data}`
          parts.push({ type: 'file', mediaType: item.mediaType, url, ...google(item.signature) })
          break
        }
      }
    }
    if (usage) {
      const part: StreamPart = {
        type: 'usage',
        inputTokens: usage.inputTokens,
        outputTokens: usage.candidates + (usage.thoughts ?? 0),
      }
      if (usage.thoughts !== undefined) part.reasoningTokens = usage.thoughts
      if (usage.cached !== undefined) part.cachedInputTokens = usage.cached
      parts.push(part)
    }
    const reason = finish === 'STOP' && clientCalls > 0 ? 'tool-calls' : (TABLE[finish] ?? 'other')
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

  it('writes signatures, files, sources and code execution in the parts Gemini sends them in', () => {
    const body = encodeAll(geminiEncoder({ id: 'r', model: 'm' }), [
      { type: 'reasoning-end', providerMetadata: { google: { thoughtSignature: 'c2ln' } } },
      { type: 'text-end' },
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0',
        name: 'f',
        args: {},
        providerMetadata: { google: { thoughtSignature: 'c2ln' } },
      },
      { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' },
      { type: 'source', url: 'https://example.com/a', title: 'A' },
      {
        type: 'tool-call',
        index: 1,
        id: 'call_1',
        name: 'code_execution',
        args: { language: 'PYTHON', code: '1' },
        providerExecuted: true,
      },
      { type: 'tool-result', id: 'call_1', name: 'code_execution', result: { outcome: 'OUTCOME_OK', output: '1' } },
      { type: 'tool-call-incomplete', index: 2, id: 'call_2', name: 'g', argsText: '{"a' },
      { type: 'data', name: 'x', data: 1 },
      { type: 'step-start' },
    ])
    const candidates = body
      .split('\r\n\r\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line.slice('data: '.length)).candidates[0])
    expect(candidates.map(({ content, groundingMetadata }) => groundingMetadata ?? content.parts[0])).toEqual([
      { text: '', thought: true, thoughtSignature: 'c2ln' },
      { functionCall: { name: 'f', args: {}, id: 'call_0' }, thoughtSignature: 'c2ln' },
      { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
      { groundingChunks: [{ web: { uri: 'https://example.com/a', title: 'A' } }] },
      { executableCode: { language: 'PYTHON', code: '1' } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1' } },
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
