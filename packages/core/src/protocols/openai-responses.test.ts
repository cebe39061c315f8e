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
import { openaiResponsesEncoder } from './openai-responses.js'

const text = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  parts.map((part) => (part.type === type ? part.text : '')).join('')

/** One SSE event as the Responses API writes it: the `event:` line repeats the data's `type`. */
const sse = (events: Record<string, unknown>[]) =>
  events
    .map((event, sequence) => {
      const data = JSON.stringify({ ...event, sequence_number: sequence })
      return `event: ${event.type as string}\ndata: ${data}\n\n`
    })
    .join('')

const created = { type: 'response.created', response: { id: 'resp_1', model: 'gpt-4o', status: 'in_progress' } }
const completed = { type: 'response.completed', response: { id: 'resp_1', status: 'completed', usage: null } }
const textDelta = (delta: string) => ({
  type: 'response.output_text.delta',
  item_id: 'msg_1',
  output_index: 0,
  content_index: 0,
  delta,
})

describe('openai-responses decode', () => {
  it('decodes text, ignores obfuscation padding, reports usage and the finish last', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-text.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      {
        type: 'start',
        messageId: 'resp_68af4d09b8b48196a1f6d0a5c1e1a2b30f7c4d6e8a9b0c1d',
        model: 'gpt-4.1-mini-2025-04-14',
      },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', wörld' },
      { type: 'text-delta', text: ' 👋🏽 你好' },
      { type: 'usage', inputTokens: 14, outputTokens: 9, reasoningTokens: 0 },
      { type: 'finish', reason: 'stop', raw: 'completed' },
    ])
  })

  it('reads the type from the data, whatever the SSE event line says', async () => {
    const body =
      sse([created]) +
      'event: message\ndata: {"type":"response.output_text.delta","delta":"a"}\n\n' +
      'data: {"type":"response.output_text.delta","delta":"b"}\n\n' +
      sse([completed])
    const { values, error } = await decodeBody(body, 'openai-responses')
    expect(error).toBeUndefined()
    expect(text(values)).toBe('ab')
  })

  it('takes the start from response.created: response.id and response.model', async () => {
    const { values } = await decodeBody(sse([created, textDelta('Hi'), completed]), 'openai-responses')
    expect(values[0]).toEqual({ type: 'start', messageId: 'resp_1', model: 'gpt-4o' })
    expect(values.filter((part) => part.type === 'start')).toHaveLength(1)
  })

  it('shows a refusal as text', async () => {
    const refusal = {
      type: 'response.refusal.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: "I can't help with that.",
    }
    const { values } = await decodeBody(sse([created, refusal, completed]), 'openai-responses')
    expect(text(values)).toBe("I can't help with that.")
  })

  it('decodes reasoning summaries, one paragraph per summary part, then the answer and reasoning tokens', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-reasoning.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe(
      '**Comparing numbers**\n\nI need to compare 9.11 and 9.9.\n\n**Checking decimals**\n\nSince 0.9 > 0.11, 9.9 is larger.',
    )
    expect(text(values)).toBe('9.9 is larger.')
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 19, outputTokens: 212, reasoningTokens: 192 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'completed' })
  })

  it("decodes open-weight models' raw reasoning_text deltas as reasoning", async () => {
    const reasoningText = (delta: string) => ({
      type: 'response.reasoning_text.delta',
      item_id: 'rs_1',
      output_index: 0,
      content_index: 0,
      delta,
    })
    const body = sse([
      created,
      { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
      reasoningText('The user asks'),
      reasoningText(' for a greeting.'),
      { ...textDelta('Hello!'), output_index: 1 },
      completed,
    ])
    const { values, error } = await decodeBody(body, 'openai-responses')
    expect(error).toBeUndefined()
    expect(values.slice(1, 4)).toEqual([
      { type: 'reasoning-delta', text: 'The user asks' },
      { type: 'reasoning-delta', text: ' for a greeting.' },
      { type: 'text-delta', text: 'Hello!' },
    ])
  })

  it('takes name and call_id from output_item.added, joins argument deltas, and finishes with tool-calls', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-tools.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'call_2FQdm3Br7Qb35YUBSkDR7kue',
        name: 'get_weather',
        args: { location: 'Paris, France' },
      },
      { type: 'tool-call', index: 1, id: 'call_Zq0vLx8pWm3n', name: 'get_time', args: { tz: 'CET' } },
    ])
    const deltas = values.filter((part) => part.type === 'tool-call-delta')
    expect(deltas[0]).toEqual({
      type: 'tool-call-delta',
      index: 0,
      id: 'call_2FQdm3Br7Qb35YUBSkDR7kue',
      name: 'get_weather',
      argsDelta: '',
    })
    expect(deltas).toHaveLength(10)
    // Each call completes at its function_call_arguments.done, before the next one starts.
    expect(values.findIndex((part) => part.type === 'tool-call')).toBeLessThan(
      values.findIndex((part) => part.type === 'tool-call-delta' && part.index === 1),
    )
    expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 81, outputTokens: 36, reasoningTokens: 0 })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'completed' })
  })

  it('finds argument deltas by output_index when item_id is missing, and completes at output_item.done', async () => {
    const item = {
      id: 'fc_1',
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: 'call_a',
      name: 'f',
    }
    const body = sse([
      created,
      { type: 'response.output_item.added', output_index: 0, item },
      { type: 'response.function_call_arguments.delta', output_index: 0, delta: '{"x":' },
      { type: 'response.function_call_arguments.delta', output_index: 0, delta: '1}' },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { ...item, status: 'completed', arguments: '{"x":1}' },
      },
      completed,
    ])
    const { values, error } = await decodeBody(body, 'openai-responses')
    expect(error).toBeUndefined()
    expect(values.slice(1)).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'call_a', name: 'f', argsDelta: '' },
      { type: 'tool-call-delta', index: 0, argsDelta: '{"x":' },
      { type: 'tool-call-delta', index: 0, argsDelta: '1}' },
      { type: 'tool-call', index: 0, id: 'call_a', name: 'f', args: { x: 1 } },
      { type: 'finish', reason: 'tool-calls', raw: 'completed' },
    ])
  })

  it('completes a function call whose arguments come only in the done events', async () => {
    const item = { id: 'fc_1', type: 'function_call', arguments: '', call_id: 'call_a', name: 'f' }
    const body = sse([
      created,
      { type: 'response.output_item.added', output_index: 0, item },
      { type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 0, arguments: '{"x":1}' },
      { type: 'response.output_item.done', output_index: 0, item: { ...item, arguments: '{"x":1}' } },
      completed,
    ])
    const { values } = await decodeBody(body, 'openai-responses')
    expect(values.filter((part) => part.type === 'tool-call-delta').map((part) => part.argsDelta)).toEqual([
      '',
      '{"x":1}',
    ])
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'call_a', name: 'f', args: { x: 1 } },
    ])
  })

  it('maps response.incomplete reasons and keeps the provider word', async () => {
    const finishOf = async (details: unknown) => {
      const incomplete = {
        type: 'response.incomplete',
        response: {
          id: 'resp_1',
          status: 'incomplete',
          incomplete_details: details,
          usage: { input_tokens: 5, output_tokens: 16, output_tokens_details: { reasoning_tokens: 0 } },
        },
      }
      const { values, error } = await decodeBody(sse([created, textDelta('Hi'), incomplete]), 'openai-responses')
      expect(error).toBeUndefined()
      expect(values.at(-2)).toEqual({ type: 'usage', inputTokens: 5, outputTokens: 16, reasoningTokens: 0 })
      return values.at(-1)
    }
    expect(await finishOf({ reason: 'max_output_tokens' })).toEqual({
      type: 'finish',
      reason: 'length',
      raw: 'max_output_tokens',
    })
    expect(await finishOf({ reason: 'content_filter' })).toEqual({
      type: 'finish',
      reason: 'content-filter',
      raw: 'content_filter',
    })
    expect(await finishOf({ reason: 'something_new' })).toEqual({
      type: 'finish',
      reason: 'other',
      raw: 'something_new',
    })
    expect(await finishOf(null)).toEqual({ type: 'finish', reason: 'other', raw: 'incomplete' })
  })

  it('throws kind provider for response.failed, with response.error code and message, after the text', async () => {
    const failed = {
      type: 'response.failed',
      response: {
        id: 'resp_1',
        status: 'failed',
        error: { code: 'rate_limit_exceeded', message: 'Request too large for gpt-4o-mini on tokens per min.' },
      },
    }
    const { values, error } = await decodeBody(sse([created, textDelta('Par'), failed]), 'openai-responses')
    expect(text(values)).toBe('Par')
    expect(values.some((part) => part.type === 'finish')).toBe(false)
    expect(errorSummary(error)).toMatchObject({
      kind: 'provider',
      message: 'Request too large for gpt-4o-mini on tokens per min.',
      code: 'rate_limit_exceeded',
    })
  })

  it('throws kind provider for a nested error event mid-stream, after the text before it', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-error.sse'), 'openai-responses')
    expect(text(values)).toBe('Partial')
    expect(errorSummary(error)).toMatchObject({
      kind: 'provider',
      message: 'The server had an error while processing your request. Sorry about that!',
      code: 'server_error',
    })
  })

  it('throws kind provider for the documented flat error event', async () => {
    const flat = { type: 'error', code: 'ERR_SOMETHING', message: 'Something went wrong', param: null }
    const { values, error } = await decodeBody(sse([created, textDelta('x'), flat]), 'openai-responses')
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({
      kind: 'provider',
      message: 'Something went wrong',
      code: 'ERR_SOMETHING',
    })

    const noCode = await decodeBody(sse([created, { ...flat, code: null }]), 'openai-responses')
    expect(errorSummary(noCode.error)).toMatchObject({
      kind: 'provider',
      message: 'Something went wrong',
      code: undefined,
    })
  })

  it('ignores event types it does not know', async () => {
    const body = sse([
      { type: 'keepalive' },
      created,
      { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 0 },
      { type: 'response.output_text.annotation.added', annotation: { type: 'url_citation' } },
      textDelta('ok'),
      completed,
    ])
    const { values, error } = await decodeBody(body, 'openai-responses')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', messageId: 'resp_1', model: 'gpt-4o' },
      { type: 'text-delta', text: 'ok' },
      { type: 'finish', reason: 'stop', raw: 'completed' },
    ])
  })

  it('throws kind interrupted for a truncated stream, keeping what arrived', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-truncated.sse'), 'openai-responses')
    expect(text(values)).toBe('Once upon')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('throws kind interrupted when the stream ends after whole events but no terminal one', async () => {
    const { values, error } = await decodeBody(sse([created, textDelta('Hi')]), 'openai-responses')
    expect(text(values)).toBe('Hi')
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('throws kind parse on invalid JSON, or skips it when lenient and reports it', async () => {
    const body = `${sse([created, textDelta('a')])}event: response.output_text.delta\ndata: {not json\n\n${sse([textDelta('b'), completed])}`
    const { lenient } = await expectMalformedSkippedWhenLenient(body, 'openai-responses')
    expect(lenient.values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'completed' })
  })

  it('throws kind parse for a known event of the wrong shape', async () => {
    for (const event of [
      { type: 'response.output_text.delta', delta: 42 },
      { type: 'response.output_item.added', output_index: 0, item: 'fc_1' },
      { type: 'response.completed', response: null },
      { type: 'response.function_call_arguments.done', item_id: 'fc_1', arguments: { x: 1 } },
    ]) {
      const { error } = await decodeBody(sse([created, event]), 'openai-responses')
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'openai-responses-text.sse',
      'openai-responses-tools.sse',
      'openai-responses-reasoning.sse',
      'openai-responses-error.sse',
      'openai-responses-truncated.sse',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'openai-responses', 40)
    }
  })
})

const nonEmpty = fc.string({ minLength: 1, unit: 'grapheme' })

/**
 * Parts in the form the decoder produces them, for round trips: output items one after another
 * (a run of text, a run of reasoning, or one function call: a header delta with id and name,
 * argument pieces, then the complete call), usage with all three counts, then the finish.
 */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    model: fc.string({ minLength: 1, maxLength: 12 }),
    items: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('text' as const), texts: fc.array(nonEmpty, { minLength: 1, maxLength: 3 }) }),
        fc.record({
          kind: fc.constant('reasoning' as const),
          texts: fc.array(nonEmpty, { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          kind: fc.constant('tool' as const),
          name: fc.string({ minLength: 1, maxLength: 10 }),
          args: fc.dictionary(fc.string(), fc.jsonValue()),
        }),
      ),
      { maxLength: 6 },
    ),
    usage: fc.option(fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat(), reasoningTokens: fc.nat() }), {
      nil: undefined,
    }),
    incomplete: fc.option(fc.constantFrom('max_output_tokens', 'content_filter', 'something_new'), { nil: undefined }),
  })
  .map(({ id, model, items, usage, incomplete }) => {
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }]
    let tools = 0
    for (const item of items) {
      if (item.kind === 'tool') {
        const index = tools++
        const json = JSON.stringify(item.args)
        const half = Math.floor(json.length / 2)
        const callId = `call_${index}`
        parts.push({ type: 'tool-call-delta', index, id: callId, name: item.name, argsDelta: '' })
        parts.push({ type: 'tool-call-delta', index, argsDelta: json.slice(0, half) })
        parts.push({ type: 'tool-call-delta', index, argsDelta: json.slice(half) })
        parts.push({ type: 'tool-call', index, id: callId, name: item.name, args: JSON.parse(json) })
      } else {
        const type = item.kind === 'text' ? 'text-delta' : 'reasoning-delta'
        for (const piece of item.texts) parts.push({ type, text: piece })
      }
    }
    if (usage) parts.push({ type: 'usage', ...usage })
    if (incomplete === undefined) {
      parts.push({ type: 'finish', reason: tools > 0 ? 'tool-calls' : 'stop', raw: 'completed' })
    } else {
      const words: Record<string, string> = { max_output_tokens: 'length', content_filter: 'content-filter' }
      const reason = words[incomplete] ?? 'other'
      parts.push({ type: 'finish', reason: reason as 'other', raw: incomplete })
    }
    return parts
  })

describe('openai-responses encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(openaiResponsesEncoder, 'openai-responses', arbitraryParts)
  })

  it('writes the full event sequence of a real stream, numbered, with event lines matching the type', () => {
    const body = encodeAll(openaiResponsesEncoder({ createdAt: 1756315657 }), [
      { type: 'start', messageId: 'resp_1', model: 'gpt-4o' },
      { type: 'reasoning-delta', text: 'Hmm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call', index: 0, id: 'call_a', name: 'f', args: { x: 1 } },
      { type: 'usage', inputTokens: 3, outputTokens: 4, reasoningTokens: 1 },
      { type: 'finish', reason: 'tool-calls', raw: 'completed' },
    ])
    const events = body
      .trimEnd()
      .split('\n\n')
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n')
        const data = JSON.parse((dataLine as string).slice('data: '.length)) as Record<string, unknown>
        expect(eventLine).toBe(`event: ${data.type as string}`)
        return data
      })
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index))
    const last = events.at(-1) as { response: Record<string, unknown> }
    expect(last.response).toMatchObject({
      id: 'resp_1',
      object: 'response',
      created_at: 1756315657,
      model: 'gpt-4o',
      status: 'completed',
      usage: { input_tokens: 3, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 7 },
    })
    expect((last.response.output as { type: string }[]).map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
    ])
  })

  it('writes parts relayed from another protocol with the Responses API words', async () => {
    const finishOf = async (finish: StreamPart) => {
      const body = encodeAll(openaiResponsesEncoder(), [{ type: 'text-delta', text: 'x' }, finish])
      return (await decodeBody(body, 'openai-responses')).values.at(-1)
    }
    expect(await finishOf({ type: 'finish', reason: 'stop', raw: 'end_turn' })).toEqual({
      type: 'finish',
      reason: 'stop',
      raw: 'completed',
    })
    expect(await finishOf({ type: 'finish', reason: 'length', raw: 'max_tokens' })).toEqual({
      type: 'finish',
      reason: 'length',
      raw: 'max_output_tokens',
    })
    expect(await finishOf({ type: 'finish', reason: 'content-filter' })).toEqual({
      type: 'finish',
      reason: 'content-filter',
      raw: 'content_filter',
    })
  })

  it('writes an in-band error the decoder reads as kind provider', async () => {
    const encoder = openaiResponsesEncoder()
    const body =
      encoder.push({ type: 'text-delta', text: 'x' }) + encoder.error({ message: 'Overloaded', code: 'overloaded' })
    const { values, error } = await decodeBody(body, 'openai-responses')
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Overloaded', code: 'overloaded' })
  })
})
