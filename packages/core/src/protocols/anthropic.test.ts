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
import { anthropicEncoder, anthropicMessage } from './anthropic.js'

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
      { type: 'usage', inputTokens: 25, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', wörld' },
      { type: 'text-delta', text: ' 👋🏽 你好' },
      { type: 'usage', inputTokens: 25, outputTokens: 15, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
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

  it('ignores ping and unknown event, block and delta types; redacted thinking ends a reasoning block', async () => {
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
    expect(values.map((part) => part.type)).toEqual([
      'start',
      'usage',
      'reasoning-end',
      'text-delta',
      'usage',
      'finish',
    ])
    expect(values[2]).toEqual({
      type: 'reasoning-end',
      providerMetadata: { anthropic: { redactedData: 'EmwKAhgBEgy3va3p' } },
    })
  })

  it('decodes thinking_delta as reasoning and keeps the signature_delta out of the text', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-thinking.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(text(values, 'reasoning-delta')).toBe(
      'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3',
    )
    expect(text(values)).toBe('27 * 453 = 12,231')
    expect(JSON.stringify(values.filter((part) => part.type !== 'reasoning-end'))).not.toContain('EqQBCgIYAhIM')
    expect(values.at(-2)).toEqual({
      type: 'usage',
      inputTokens: 47,
      outputTokens: 186,
      reasoningTokens: 151,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
    })
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
    expect(values.at(-2)).toMatchObject({ type: 'usage', inputTokens: 472, outputTokens: 89 })
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
    const cache = { cachedInputTokens: 2000, cacheWriteInputTokens: 100 }
    expect(values.filter((part) => part.type === 'usage')).toEqual([
      { type: 'usage', inputTokens: 2105, ...cache },
      { type: 'usage', inputTokens: 2105, outputTokens: 7, ...cache },
      { type: 'usage', inputTokens: 2105, outputTokens: 12, ...cache },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
  })

  it('maps every stop_reason and keeps the provider word', async () => {
    const finishOf = async (raw: string) =>
      (await decodeBody(messageStart() + textBlock(0, 'x') + messageEnd(raw), 'anthropic')).values.at(-1)
    const expected: [string, FinishReason][] = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['model_context_window_exceeded', 'length'],
      ['tool_use', 'tool-calls'],
      ['refusal', 'content-filter'],
      ['pause_turn', 'other'],
      ['something_new', 'other'],
      // Words named after Object.prototype members are unknown words, not functions.
      ['constructor', 'other'],
      ['toString', 'other'],
      ['__proto__', 'other'],
      ['hasOwnProperty', 'other'],
    ]
    for (const [raw, reason] of expected) {
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

  it('decodes a message that arrives whole in message_start: its tool call, usage and finish', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-whole-message.sse'), 'anthropic')
    expect(error).toBeUndefined()
    const caller = { type: 'code_execution_20250825', tool_id: 'srvtoolu_exec_01' }
    expect(values).toEqual([
      { type: 'start', messageId: 'msg_whole_01', model: 'claude-sonnet-4-5' },
      { type: 'usage', inputTokens: 0, outputTokens: 0 },
      {
        type: 'tool-call-delta',
        index: 0,
        id: 'toolu_whole_01',
        name: 'lookup_order',
        argsDelta: '{"order":"A-17"}',
      },
      {
        type: 'tool-call',
        index: 0,
        id: 'toolu_whole_01',
        name: 'lookup_order',
        args: { order: 'A-17' },
        providerMetadata: { anthropic: { caller } },
      },
      { type: 'finish', reason: 'tool-calls', raw: 'tool_use' },
    ])
  })

  it('reports a tool call cut by max_tokens as incomplete and finishes length, not as a parse error', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-max-tokens-in-tool.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(values.some((part) => part.type === 'tool-call')).toBe(false)
    expect(values.slice(-3)).toEqual([
      {
        type: 'tool-call-incomplete',
        index: 0,
        id: 'toolu_cut_01',
        name: 'save_list',
        argsText: '{"title": "Groceries", "items": [\n"eggs",\n"flour",\n"sug',
      },
      { type: 'usage', inputTokens: 120, outputTokens: 64, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
      { type: 'finish', reason: 'length', raw: 'max_tokens' },
    ])
  })

  it('decodes web search as a provider-executed call and result, and citations as sources in the text', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-web-search.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(text(values)).toBe('High tide is at 06:12, and spring tides follow the full moon.')
    expect(values.filter((part) => part.type !== 'text-delta')).toEqual([
      { type: 'start', messageId: 'msg_search_01', model: 'claude-sonnet-4-5' },
      { type: 'usage', inputTokens: 1200, cachedInputTokens: 300, cacheWriteInputTokens: 0 },
      {
        type: 'tool-call',
        index: 0,
        id: 'srvtoolu_search_01',
        name: 'web_search',
        args: { query: 'tide times harbor' },
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: 'srvtoolu_search_01',
        name: 'web_search',
        result: [
          {
            type: 'web_search_result',
            title: 'Harbor tide table',
            url: 'https://tides.example.org/harbor',
            encrypted_content: 'ZW5jcnlwdGVkLW9uZQ==',
            page_age: '2 days ago',
          },
          {
            type: 'web_search_result',
            title: 'Coastal almanac',
            url: 'https://almanac.example.net/coast',
            encrypted_content: 'ZW5jcnlwdGVkLXR3bw==',
            page_age: null,
          },
        ],
        providerExecuted: true,
      },
      {
        type: 'source',
        url: 'https://tides.example.org/harbor',
        title: 'Harbor tide table',
        providerMetadata: {
          anthropic: {
            type: 'web_search_result_location',
            cited_text: 'High water 06:12, low water 12:30.',
            encrypted_index: 'aW5kZXgtb25l',
          },
        },
      },
      {
        type: 'source',
        url: 'https://almanac.example.net/coast',
        title: 'Coastal almanac',
        providerMetadata: {
          anthropic: {
            type: 'web_search_result_location',
            cited_text: 'Spring tides follow the full moon.',
            encrypted_index: 'aW5kZXgtdHdv',
          },
        },
      },
      { type: 'usage', inputTokens: 2700, outputTokens: 210, cachedInputTokens: 300, cacheWriteInputTokens: 0 },
      { type: 'finish', reason: 'stop', raw: 'end_turn' },
    ])
    // Each citation comes where it arrived: before the text it supports.
    const first = values.findIndex((part) => part.type === 'source')
    expect(values[first + 1]).toEqual({ type: 'text-delta', text: 'at 06:12' })
  })

  it('takes the title of a document citation from document_title and a search result URL from source', async () => {
    const citation = (value: Record<string, unknown>) =>
      ev('content_block_delta', { index: 0, delta: { type: 'citations_delta', citation: value } })
    const body =
      messageStart() +
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '', citations: [] } }) +
      citation({
        type: 'char_location',
        cited_text: 'the grass is green',
        document_index: 0,
        document_title: 'Notes',
        start_char_index: 0,
        end_char_index: 18,
      }) +
      citation({ type: 'search_result_location', source: 'https://kb.example.com/a', title: 'KB', cited_text: 'x' }) +
      ev('content_block_stop', { index: 0 }) +
      messageEnd()
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'source')).toEqual([
      {
        type: 'source',
        title: 'Notes',
        providerMetadata: {
          anthropic: {
            type: 'char_location',
            cited_text: 'the grass is green',
            document_index: 0,
            document_title: 'Notes',
            start_char_index: 0,
            end_char_index: 18,
          },
        },
      },
      {
        type: 'source',
        url: 'https://kb.example.com/a',
        title: 'KB',
        providerMetadata: {
          anthropic: { type: 'search_result_location', source: 'https://kb.example.com/a', cited_text: 'x' },
        },
      },
    ])
  })

  it('decodes MCP, code execution and web fetch as provider-executed calls with results, errors flagged', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-server-tools.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call-delta')).toEqual([])
    const tools = values.filter((part) => part.type === 'tool-call' || part.type === 'tool-result')
    expect(tools).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'mcptoolu_01',
        name: 'lookup',
        args: { sku: 'B-2' },
        providerExecuted: true,
        providerMetadata: { anthropic: { serverName: 'catalog' } },
      },
      {
        type: 'tool-result',
        id: 'mcptoolu_01',
        name: 'lookup',
        result: [{ type: 'text', text: 'catalog offline' }],
        isError: true,
        providerExecuted: true,
      },
      {
        type: 'tool-call',
        index: 1,
        id: 'srvtoolu_edit_01',
        name: 'text_editor_code_execution',
        args: { command: 'create', path: '/tmp/a.py', file_text: 'print(6*7)' },
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: 'srvtoolu_edit_01',
        name: 'text_editor_code_execution',
        result: { type: 'text_editor_code_execution_create_result', is_file_update: false },
        providerExecuted: true,
      },
      {
        type: 'tool-call',
        index: 2,
        id: 'srvtoolu_bash_01',
        name: 'bash_code_execution',
        args: {},
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: 'srvtoolu_bash_01',
        name: 'bash_code_execution',
        result: { type: 'bash_code_execution_result', stdout: '42\n', stderr: '', return_code: 0, content: [] },
        providerExecuted: true,
      },
      {
        type: 'tool-call',
        index: 3,
        id: 'srvtoolu_fetch_01',
        name: 'web_fetch',
        args: { url: 'https://blocked.example.com' },
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: 'srvtoolu_fetch_01',
        name: 'web_fetch',
        result: { type: 'web_fetch_tool_result_error', error_code: 'url_not_accessible' },
        isError: true,
        providerExecuted: true,
      },
    ])
    expect(text(values)).toBe('It prints 42.')
    // Only provider-executed calls: the answer is done, nothing for the app to run.
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' })
    expect(values.at(-2)).toEqual({
      type: 'usage',
      inputTokens: 2130,
      outputTokens: 90,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 2000,
    })
  })

  it('names a result whose call came in an earlier message after its block type', async () => {
    const body =
      messageStart() +
      ev('content_block_start', {
        index: 0,
        content_block: {
          type: 'code_execution_tool_result',
          tool_use_id: 'srvtoolu_earlier',
          content: { type: 'code_execution_result', stdout: 'ok', stderr: '', return_code: 0 },
        },
      }) +
      ev('content_block_stop', { index: 0 }) +
      messageEnd()
    const { values, error } = await decodeBody(body, 'anthropic')
    expect(error).toBeUndefined()
    expect(values.find((part) => part.type === 'tool-result')).toMatchObject({
      id: 'srvtoolu_earlier',
      name: 'code_execution',
      providerExecuted: true,
    })
  })

  it('ends each signed thinking block with its signature, and redacted thinking with its data', async () => {
    const { values, error } = await decodeBody(fixture('anthropic-signed-thinking.sse'), 'anthropic')
    expect(error).toBeUndefined()
    expect(values.slice(2, -2)).toEqual([
      { type: 'reasoning-delta', text: 'Two plus two' },
      { type: 'reasoning-delta', text: ' is four.' },
      { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'c2lnbmF0dXJlLW9uZQ==' } } },
      { type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: 'cmVkYWN0ZWQtYmxvY2s=' } } },
      { type: 'text-delta', text: '4' },
    ])
  })

  it('throws kind parse, at once, for a negative, fractional or absurd block index', async () => {
    const toolAt = (index: number) =>
      ev('content_block_start', { index, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } })
    const pieceAt = (index: number) =>
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '{}' } })
    for (const index of [-1, 1.5, 4294967294, 2 ** 53]) {
      for (const bad of [toolAt(index), toolAt(0) + pieceAt(index), ev('content_block_stop', { index })]) {
        const { values, error } = await decodeBody(messageStart() + bad + messageEnd('tool_use'), 'anthropic')
        expect(errorSummary(error)).toMatchObject({ kind: 'parse' })
        expect(values.some((part) => part.type === 'tool-call')).toBe(false)
      }
    }
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'anthropic-text.sse',
      'anthropic-tools.sse',
      'anthropic-thinking.sse',
      'anthropic-error.sse',
      'anthropic-truncated.sse',
      'anthropic-whole-message.sse',
      'anthropic-max-tokens-in-tool.sse',
      'anthropic-web-search.sse',
      'anthropic-server-tools.sse',
      'anthropic-signed-thinking.sse',
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
const SERVER_TOOLS = ['web_search', 'web_fetch', 'code_execution', 'bash_code_execution', 'tool_search_tool_regex']

const arbitraryArgs = fc.dictionary(fc.string(), fc.jsonValue())
const arbitraryJson = <T>(value: fc.Arbitrary<T>) => value.map((v) => JSON.parse(JSON.stringify(v)) as T)

/** One content block, in the parts the decoder yields for it. */
const arbitraryBlock = fc.oneof(
  fc.record({
    kind: fc.constant('text' as const),
    items: fc.array(
      fc.oneof(
        nonEmptyText,
        fc.record({
          url: fc.webUrl(),
          title: fc.option(fc.string(), { nil: undefined }),
          cited: fc.string(),
          index: fc.base64String(),
        }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  }),
  fc.record({
    kind: fc.constant('reasoning' as const),
    pieces: fc.array(nonEmptyText, { maxLength: 3 }),
    signature: fc.base64String({ minLength: 4 }),
  }),
  fc.record({ kind: fc.constant('redacted' as const), data: fc.base64String({ minLength: 4 }) }),
  fc.record({
    kind: fc.constant('tool' as const),
    id: fc.string({ minLength: 1, maxLength: 12 }),
    name: fc.string({ maxLength: 10 }),
    args: arbitraryArgs,
    cut: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('server' as const),
    id: fc.string({ minLength: 1, maxLength: 12 }),
    name: fc.constantFrom(...SERVER_TOOLS),
    args: arbitraryArgs,
    outcome: fc.option(
      fc.oneof(
        fc.record({
          error: fc.constant(false),
          result: arbitraryJson(fc.array(fc.record({ type: fc.constant('web_search_result'), url: fc.webUrl() }))),
        }),
        fc.record({ error: fc.constant(true), result: fc.constant(null) }),
      ),
      { nil: undefined },
    ),
  }),
  fc.record({
    kind: fc.constant('mcp' as const),
    id: fc.string({ minLength: 1, maxLength: 12 }),
    name: fc.string({ maxLength: 10 }),
    server: fc.string({ maxLength: 10 }),
    args: arbitraryArgs,
    error: fc.boolean(),
    output: fc.string(),
  }),
)

/**
 * Parts in the form the decoder produces them: start, input usage, content blocks (text with
 * its citations; reasoning ended by its signature; redacted thinking; client tool calls as an
 * empty-args delta with id and name, non-empty pieces, then the complete call; provider-executed
 * calls whole, with their results), running-total usage, finish. A call cut by the output limit
 * can only be the last block, and the finish is then a `length` one.
 */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    model: fc.string({ minLength: 1, maxLength: 12 }),
    blocks: fc.array(arbitraryBlock, { maxLength: 6 }),
    cut: fc.option(
      fc.record({ id: fc.string({ minLength: 1 }), name: fc.string(), args: arbitraryArgs, at: fc.nat() }),
      {
        nil: undefined,
      },
    ),
    inputTokens: fc.nat(),
    cachedInputTokens: fc.option(fc.nat(), { nil: undefined }),
    cacheWriteInputTokens: fc.option(fc.nat(), { nil: undefined }),
    outputTokens: fc.nat(),
    reasoningTokens: fc.option(fc.nat(), { nil: undefined }),
    finish: fc.constantFrom(...Object.keys(FINISH_WORDS)),
  })
  .map(({ id, model, blocks, cut, inputTokens, outputTokens, reasoningTokens, finish, ...cache }) => {
    const input: Extract<StreamPart, { type: 'usage' }> = {
      type: 'usage',
      inputTokens: inputTokens + (cache.cachedInputTokens ?? 0) + (cache.cacheWriteInputTokens ?? 0),
    }
    if (cache.cachedInputTokens !== undefined) input.cachedInputTokens = cache.cachedInputTokens
    if (cache.cacheWriteInputTokens !== undefined) input.cacheWriteInputTokens = cache.cacheWriteInputTokens
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }, input]
    let toolIndex = 0
    const streamed = (index: number, callId: string, name: string, json: string, at: number) => {
      parts.push({ type: 'tool-call-delta', index, id: callId, name, argsDelta: '' })
      for (const piece of [json.slice(0, at), json.slice(at)]) {
        if (piece !== '') parts.push({ type: 'tool-call-delta', index, argsDelta: piece })
      }
    }
    for (const block of blocks) {
      switch (block.kind) {
        case 'text':
          for (const item of block.items) {
            if (typeof item === 'string') {
              parts.push({ type: 'text-delta', text: item })
              continue
            }
            const source: StreamPart = {
              type: 'source',
              url: item.url,
              providerMetadata: {
                anthropic: { type: 'web_search_result_location', cited_text: item.cited, encrypted_index: item.index },
              },
            }
            if (item.title !== undefined) source.title = item.title
            parts.push(source)
          }
          break
        case 'reasoning':
          for (const piece of block.pieces) parts.push({ type: 'reasoning-delta', text: piece })
          parts.push({ type: 'reasoning-end', providerMetadata: { anthropic: { signature: block.signature } } })
          break
        case 'redacted':
          parts.push({ type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: block.data } } })
          break
        case 'tool': {
          const index = toolIndex++
          const json = JSON.stringify(block.args)
          streamed(index, block.id, block.name, json, block.cut % (json.length + 1))
          parts.push({ type: 'tool-call', index, id: block.id, name: block.name, args: JSON.parse(json) })
          break
        }
        case 'server': {
          const args = JSON.parse(JSON.stringify(block.args))
          parts.push({
            type: 'tool-call',
            index: toolIndex++,
            id: block.id,
            name: block.name,
            args,
            providerExecuted: true,
          })
          if (block.outcome === undefined) break
          const resultType = block.name.startsWith('tool_search')
            ? 'tool_search_tool_result'
            : `${block.name}_tool_result`
          parts.push(
            block.outcome.error
              ? {
                  type: 'tool-result',
                  id: block.id,
                  name: block.name,
                  result: { type: `${resultType}_error`, error_code: 'unavailable' },
                  isError: true,
                  providerExecuted: true,
                }
              : {
                  type: 'tool-result',
                  id: block.id,
                  name: block.name,
                  result: block.outcome.result,
                  providerExecuted: true,
                },
          )
          break
        }
        case 'mcp': {
          const args = JSON.parse(JSON.stringify(block.args))
          const providerMetadata = { anthropic: { serverName: block.server } }
          parts.push({
            type: 'tool-call',
            index: toolIndex++,
            id: block.id,
            name: block.name,
            args,
            providerExecuted: true,
            providerMetadata,
          })
          const result: StreamPart = {
            type: 'tool-result',
            id: block.id,
            name: block.name,
            result: [{ type: 'text', text: block.output }],
            providerExecuted: true,
          }
          if (block.error) result.isError = true
          parts.push(result)
          break
        }
      }
    }
    let raw = finish
    if (cut !== undefined) {
      const index = toolIndex++
      const json = JSON.stringify(cut.args)
      const argsText = json.slice(0, cut.at % json.length)
      streamed(index, cut.id, cut.name, argsText, argsText.length)
      parts.push({ type: 'tool-call-incomplete', index, id: cut.id, name: cut.name, argsText })
      raw = 'max_tokens'
    }
    const usage: StreamPart = { ...input, outputTokens }
    if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens
    parts.push(usage)
    parts.push({ type: 'finish', reason: FINISH_WORDS[raw] as FinishReason, raw })
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

  it("writes a reasoning-end's signature at its thinking block's stop, the option's only for blocks without one", () => {
    const deltas = (parts: StreamPart[]) =>
      events(encodeAll(anthropicEncoder({ signature: 'ZmFsbGJhY2s=' }), [{ type: 'start' }, ...parts]))
        .filter(({ data }) => data.delta?.type === 'signature_delta')
        .map(({ data }) => data.delta.signature)
    expect(
      deltas([
        { type: 'reasoning-delta', text: 'a' },
        { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'b3du' } } },
        { type: 'reasoning-delta', text: 'b' },
        { type: 'text-delta', text: 'c' },
        { type: 'finish', reason: 'stop' },
      ]),
    ).toEqual(['b3du', 'ZmFsbGJhY2s='])
  })

  it('writes redacted thinking, provider-executed calls and their results as the blocks Anthropic sends', () => {
    const body = encodeAll(anthropicEncoder(), [
      { type: 'start' },
      { type: 'reasoning-end', providerMetadata: { anthropic: { redactedData: 'cmVk' } } },
      {
        type: 'tool-call',
        index: 0,
        id: 'srvtoolu_1',
        name: 'web_search',
        args: { query: 'q' },
        providerExecuted: true,
      },
      { type: 'tool-result', id: 'srvtoolu_1', name: 'web_search', result: [], providerExecuted: true },
      {
        type: 'tool-call',
        index: 1,
        id: 'mcptoolu_1',
        name: 'echo',
        args: {},
        providerExecuted: true,
        providerMetadata: { anthropic: { serverName: 'tools' } },
      },
      { type: 'tool-result', id: 'mcptoolu_1', name: 'echo', result: 'down', isError: true, providerExecuted: true },
      { type: 'finish', reason: 'stop' },
    ])
    const blocks = events(body)
      .filter(({ data }) => data.type === 'content_block_start')
      .map(({ data }) => data.content_block)
    expect(blocks).toEqual([
      { type: 'redacted_thinking', data: 'cmVk' },
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
      { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
      { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'echo', input: {}, server_name: 'tools' },
      { type: 'mcp_tool_result', tool_use_id: 'mcptoolu_1', is_error: true, content: 'down' },
    ])
  })

  it('leaves a cut-off tool call without a content_block_stop, as Anthropic does at max_tokens', async () => {
    const parts: StreamPart[] = [
      { type: 'start', messageId: 'msg_1', model: 'claude-x' },
      { type: 'tool-call-incomplete', index: 0, id: 'toolu_1', name: 'f', argsText: '{"a": [1, ' },
      { type: 'finish', reason: 'length' },
    ]
    const list = events(encodeAll(anthropicEncoder(), parts))
    expect(list.filter(({ data }) => data.type === 'content_block_stop')).toEqual([])
    expect(list.at(-2)?.data.delta.stop_reason).toBe('max_tokens')
    const { values, error } = await decodeBody(encodeAll(anthropicEncoder(), parts), 'anthropic')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call-incomplete')).toEqual([parts[1]])
  })

  it('writes nothing for parts a Messages stream cannot carry: files, app data, steps', () => {
    const encoder = anthropicEncoder()
    encoder.push({ type: 'start' })
    expect(encoder.push({ type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AA==' })).toBe('')
    expect(encoder.push({ type: 'data', name: 'x', data: 1 })).toBe('')
    expect(encoder.push({ type: 'step-start' })).toBe('')
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

describe('anthropicMessage', () => {
  it('is the stream accumulated: thinking with its signature, text, tool input parsed, stop reason and usage', () => {
    const message = anthropicMessage(
      [
        { type: 'start', messageId: 'msg_9', model: 'claude-x' },
        { type: 'usage', inputTokens: 12, cachedInputTokens: 2 },
        { type: 'reasoning-delta', text: 'Let me ' },
        { type: 'reasoning-delta', text: 'think.' },
        { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'c2ln' } } },
        { type: 'text-delta', text: 'Checking' },
        { type: 'text-delta', text: ' now.' },
        { type: 'tool-call-delta', index: 0, id: 'toolu_1', name: 'weather', argsDelta: '{"city":' },
        { type: 'tool-call-delta', index: 0, argsDelta: '"Paris"}' },
        { type: 'tool-call', index: 0, id: 'toolu_1', name: 'weather', args: { city: 'Paris' } },
        { type: 'usage', inputTokens: 12, cachedInputTokens: 2, outputTokens: 30 },
        { type: 'finish', reason: 'tool-calls', raw: 'tool_use' },
      ],
      {},
    )
    expect(message).toEqual({
      id: 'msg_9',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'c2ln' },
        { type: 'text', text: 'Checking now.' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: expect.objectContaining({ input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 30 }),
    })
  })

  it('keeps a refusal a refusal and a cut-off answer max_tokens', () => {
    const end = (reason: FinishReason) =>
      anthropicMessage([
        { type: 'text-delta', text: 'x' },
        { type: 'finish', reason },
      ]).stop_reason
    expect(end('content-filter')).toBe('refusal')
    expect(end('length')).toBe('max_tokens')
    expect(end('stop')).toBe('end_turn')
  })
})
