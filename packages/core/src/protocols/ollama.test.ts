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
import { ollamaEncoder } from './ollama.js'

const text = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  parts.map((part) => (part.type === type ? part.text : '')).join('')

const chatLine = (fields: Record<string, unknown>) =>
  `${JSON.stringify({ model: 'm', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content: '' }, done: false, ...fields })}\n`
const doneLine = (fields: Record<string, unknown> = {}) => chatLine({ done: true, done_reason: 'stop', ...fields })

describe('ollama decode', () => {
  it('decodes /api/chat text, then usage and the finish last', async () => {
    const { values, error } = await decodeBody(fixture('ollama-chat.ndjson'), 'ollama')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', model: 'llama3.2' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', wörld' },
      { type: 'text-delta', text: ' 👋🏽 你好' },
      { type: 'usage', inputTokens: 31, outputTokens: 5 },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('decodes /api/generate: response as text, thinking as reasoning, done_reason length', async () => {
    const { values, error } = await decodeBody(fixture('ollama-generate.ndjson'), 'ollama')
    expect(error).toBeUndefined()
    expect(values[0]).toEqual({ type: 'start', model: 'gpt-oss:20b' })
    expect(text(values, 'reasoning-delta')).toBe('Need three words.')
    expect(text(values)).toBe('Fluffy, quick, curious')
    // Empty `response` strings yield nothing.
    expect(values.filter((part) => part.type === 'text-delta')).toHaveLength(3)
    expect(values.slice(-2)).toEqual([
      { type: 'usage', inputTokens: 72, outputTokens: 16 },
      { type: 'finish', reason: 'length', raw: 'length' },
    ])
  })

  it('turns whole tool calls without ids into a delta with the JSON text and the call, with stable ids', async () => {
    const { values, error } = await decodeBody(fixture('ollama-tools.ndjson'), 'ollama')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe('The user wants the weather in Toronto, in celsius.')
    expect(values.filter((part) => part.type === 'tool-call-delta' || part.type === 'tool-call')).toEqual([
      {
        type: 'tool-call-delta',
        index: 0,
        id: 'call_0',
        name: 'get_current_weather',
        argsDelta: '{"format":"celsius","location":"Toronto"}',
      },
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0',
        name: 'get_current_weather',
        args: { format: 'celsius', location: 'Toronto' },
      },
      { type: 'tool-call-delta', index: 1, id: 'call_1', name: 'get_time', argsDelta: '{"tz":"America/Toronto"}' },
      { type: 'tool-call', index: 1, id: 'call_1', name: 'get_time', args: { tz: 'America/Toronto' } },
    ])
  })

  it('reports finish reason tool-calls when tools were called and Ollama says stop, keeping its word', async () => {
    const { values } = await decodeBody(fixture('ollama-tools.ndjson'), 'ollama')
    expect(values.slice(-2)).toEqual([
      { type: 'usage', inputTokens: 281, outputTokens: 88 },
      { type: 'finish', reason: 'tool-calls', raw: 'stop' },
    ])
  })

  it('keeps the ids of newer versions and numbers calls in order of appearance across lines', async () => {
    // Newer Ollama: `id` on the call, `function.index` restarting at 0 in each line.
    const call = (id: string, name: string) => ({ id, function: { index: 0, name, arguments: {} } })
    const body =
      chatLine({ message: { role: 'assistant', content: '', tool_calls: [call('call_a1', 'first')] } }) +
      chatLine({ message: { role: 'assistant', content: '', tool_calls: [call('call_b2', 'second')] } }) +
      doneLine({ done_reason: 'length' })
    const { values, error } = await decodeBody(body, 'ollama')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', index: 0, id: 'call_a1', name: 'first', args: {} },
      { type: 'tool-call', index: 1, id: 'call_b2', name: 'second', args: {} },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'length', raw: 'length' })
  })

  it('maps load and unload to other, keeps unknown words, and reads a missing done_reason as stop', async () => {
    const finishOf = async (fields: Record<string, unknown>) =>
      (await decodeBody(doneLine(fields), 'ollama')).values.at(-1)
    expect(await finishOf({ done_reason: 'load' })).toEqual({ type: 'finish', reason: 'other', raw: 'load' })
    expect(await finishOf({ done_reason: 'unload' })).toEqual({ type: 'finish', reason: 'other', raw: 'unload' })
    expect(await finishOf({ done_reason: 'cancelled' })).toEqual({ type: 'finish', reason: 'other', raw: 'cancelled' })
    // Versions before `done_reason` existed.
    expect(await finishOf({ done_reason: undefined })).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('reads a done_reason named like an Object.prototype member as an unknown word', async () => {
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const { values, error } = await decodeBody(doneLine({ done_reason: word }), 'ollama')
      expect(error).toBeUndefined()
      expect(values.at(-1)).toEqual({ type: 'finish', reason: 'other', raw: word })
    }
  })

  it('emits start once, from the first line, with the model and no message id', async () => {
    const body = chatLine({ message: { role: 'assistant', content: 'a' } }) + doneLine()
    const { values } = await decodeBody(body, 'ollama')
    expect(values.filter((part) => part.type === 'start')).toEqual([{ type: 'start', model: 'm' }])
    expect(values[0]?.type).toBe('start')
  })

  it('decodes a non-streaming response: the whole message and done on one line', async () => {
    const body = doneLine({ message: { role: 'assistant', content: 'All at once' }, eval_count: 3 })
    const { values, error } = await decodeBody(body, 'ollama')
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'start', model: 'm' },
      { type: 'text-delta', text: 'All at once' },
      { type: 'usage', outputTokens: 3 },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ])
  })

  it('stops reading after the done line', async () => {
    const body = `${doneLine()}{"not":"read"`
    const { values, error } = await decodeBody(body, 'ollama')
    expect(error).toBeUndefined()
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'stop' })
  })

  it('throws kind provider for an error line mid-stream, after the text before it', async () => {
    const { values, error } = await decodeBody(fixture('ollama-error.ndjson'), 'ollama')
    expect(text(values)).toBe('Partial answer')
    expect(errorSummary(error)).toMatchObject({
      kind: 'provider',
      message: 'an error was encountered while running the model: unexpected EOF',
    })
  })

  it('throws kind interrupted when the stream ends without done: true, keeping what arrived', async () => {
    const { values, error } = await decodeBody(fixture('ollama-truncated.ndjson'), 'ollama')
    expect(text(values)).toBe('Once upon a time')
    expect(values.some((part) => part.type === 'finish')).toBe(false)
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })

  it('throws kind parse on invalid JSON naming the line (blank lines not counted), or skips it when lenient', async () => {
    const body =
      chatLine({ message: { role: 'assistant', content: 'a' } }) +
      '\n  \n{not json\n' +
      chatLine({ message: { role: 'assistant', content: 'b' } }) +
      doneLine()
    const { strict, lenient } = await expectMalformedSkippedWhenLenient(body, 'ollama')
    expect((strict.error as Error).message).toContain('line 2')
    expect(lenient.values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'stop' })
  })

  it('throws kind parse for a line of the wrong shape', async () => {
    for (const body of [
      chatLine({ message: { role: 'assistant', content: 42 } }),
      chatLine({ message: 'hello' }),
      chatLine({ message: { role: 'assistant', content: '', tool_calls: { function: {} } } }),
      chatLine({ message: { role: 'assistant', content: '', tool_calls: [{ function: { arguments: {} } }] } }),
      chatLine({ response: ['x'] }),
      chatLine({ done: 'yes' }),
      '[1,2]\n',
    ]) {
      const { error } = await decodeBody(body, 'ollama')
      expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'ollama-chat.ndjson',
      'ollama-generate.ndjson',
      'ollama-tools.ndjson',
      'ollama-error.ndjson',
      'ollama-truncated.ndjson',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'ollama', 40)
    }
  })
})

const FINISH = { stop: 'stop', length: 'length', load: 'other', unload: 'other' } as const

/** Parts in the form the decoder produces them, for round trips. */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
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
    idPrefix: fc.string({ maxLength: 6 }),
    tools: fc.array(
      fc.record({ name: fc.string({ minLength: 1, maxLength: 10 }), args: fc.dictionary(fc.string(), fc.jsonValue()) }),
      { maxLength: 3 },
    ),
    usage: fc.option(fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat() }), { nil: undefined }),
    finish: fc.constantFrom('stop', 'length', 'load', 'unload', 'something_new', 'constructor', '__proto__'),
  })
  .map(({ model, deltas, idPrefix, tools, usage, finish }) => {
    const parts: StreamPart[] = [{ type: 'start', model }, ...deltas]
    tools.forEach(({ name, args }, index) => {
      const id = `call_${idPrefix}${index}`
      const parsed = JSON.parse(JSON.stringify(args)) as Record<string, unknown>
      parts.push({ type: 'tool-call-delta', index, id, name, argsDelta: JSON.stringify(parsed) })
      parts.push({ type: 'tool-call', index, id, name, args: parsed })
    })
    if (usage) parts.push({ type: 'usage', ...usage })
    const mapped = Object.hasOwn(FINISH, finish) ? FINISH[finish as keyof typeof FINISH] : 'other'
    const reason = mapped === 'stop' && tools.length > 0 ? 'tool-calls' : mapped
    parts.push({ type: 'finish', reason, raw: finish })
    return parts
  })

describe('ollama encode', () => {
  it('decode(encode(parts)) gives back the parts', async () => {
    await expectRoundTrips(ollamaEncoder, 'ollama', arbitraryParts)
  })

  it('writes /api/chat lines, each ending in a newline, and a final line with durations and counts', () => {
    let clock = Date.UTC(2025, 0, 1)
    const encoder = ollamaEncoder({ now: () => (clock += 10) })
    const body = encodeAll(encoder, [
      { type: 'start', model: 'llama3.2' },
      { type: 'reasoning-delta', text: 'Hmm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'f', argsDelta: '{}' },
      { type: 'tool-call', index: 0, id: 'call_1', name: 'f', args: { a: 1 } },
      { type: 'usage', inputTokens: 7, outputTokens: 3 },
      { type: 'finish', reason: 'tool-calls', raw: 'stop' },
    ])
    expect(body.endsWith('\n')).toBe(true)
    const lines = body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines).toHaveLength(4)
    expect(lines[0]).toEqual({
      model: 'llama3.2',
      created_at: '2025-01-01T00:00:00.020Z',
      message: { role: 'assistant', content: '', thinking: 'Hmm' },
      done: false,
    })
    expect(lines[1]).toMatchObject({ message: { role: 'assistant', content: 'Hi' }, done: false })
    expect(lines[2]).toMatchObject({
      message: { content: '', tool_calls: [{ id: 'call_1', function: { index: 0, name: 'f', arguments: { a: 1 } } }] },
    })
    expect(lines[3]).toEqual({
      model: 'llama3.2',
      created_at: '2025-01-01T00:00:00.050Z',
      message: { role: 'assistant', content: '' },
      done_reason: 'stop',
      done: true,
      total_duration: 40_000_000,
      load_duration: 0,
      prompt_eval_count: 7,
      prompt_eval_duration: 10_000_000,
      eval_count: 3,
      eval_duration: 30_000_000,
    })
    expect(encoder.end()).toBe('')
  })

  it('writes nothing for parts Ollama cannot carry, nor for calls and results the provider ran itself', () => {
    const carried: StreamPart[] = [
      { type: 'start', model: 'llama3.2' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', inputTokens: 2, outputTokens: 1, cachedInputTokens: 1, cacheWriteInputTokens: 1 },
      { type: 'finish', reason: 'stop', raw: 'stop' },
    ]
    const others: StreamPart[] = [
      { type: 'text-end', providerMetadata: { anthropic: { signature: 'sig' } } },
      { type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: 'abc' } } },
      { type: 'tool-call', index: 0, id: 'srv_1', name: 'web_search', args: { q: 'x' }, providerExecuted: true },
      { type: 'tool-result', id: 'srv_1', name: 'web_search', result: [], providerExecuted: true },
      { type: 'tool-call-incomplete', index: 1, id: 'call_1', name: 'f', argsText: '{"a":' },
      { type: 'source', id: 's1', url: 'https://example.com/a', title: 'A' },
      { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' },
      { type: 'data', name: 'weather', data: { temp: 20 } },
      { type: 'step-start' },
    ]
    const clock = () => Date.UTC(2025, 0, 1)
    const [start, text, usage, finish] = carried as [StreamPart, StreamPart, StreamPart, StreamPart]
    expect(encodeAll(ollamaEncoder({ now: clock }), [start, text, ...others, usage, finish])).toBe(
      encodeAll(ollamaEncoder({ now: clock }), carried),
    )
    for (const part of others) expect(ollamaEncoder().push(part)).toBe('')
  })

  it('writes an in-band error line the decoder reads as kind provider', async () => {
    const encoder = ollamaEncoder()
    const body =
      encoder.push({ type: 'text-delta', text: 'x' }) + encoder.error({ message: 'model crashed', code: 'ignored' })
    expect(body.endsWith('{"error":"model crashed"}\n')).toBe(true)
    const { values, error } = await decodeBody(body, 'ollama')
    expect(text(values)).toBe('x')
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'model crashed' })
  })
})

describe('ollama truncation', () => {
  it('throws kind interrupted, not parse, when the stream stops inside a line', async () => {
    const body =
      '{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}\n' +
      '{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"lo'
    const { values, error } = await decodeBody(body, 'ollama')
    expect(values.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'Hel' }])
    expect(errorSummary(error)).toMatchObject({ kind: 'interrupted' })
  })
})
