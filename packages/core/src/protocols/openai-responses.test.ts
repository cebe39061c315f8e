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
      { type: 'usage', inputTokens: 14, outputTokens: 9, reasoningTokens: 0, cachedInputTokens: 0 },
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
    expect(values.at(-2)).toEqual({
      type: 'usage',
      inputTokens: 19,
      outputTokens: 212,
      reasoningTokens: 192,
      cachedInputTokens: 0,
    })
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
    expect(values.at(-2)).toEqual({
      type: 'usage',
      inputTokens: 81,
      outputTokens: 36,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    })
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

  it('closes each reasoning item with its id and encrypted content, to send it back', async () => {
    const { values } = await decodeBody(fixture('openai-responses-reasoning.sse'), 'openai-responses')
    expect(values.filter((part) => part.type === 'reasoning-end')).toEqual([
      {
        type: 'reasoning-end',
        providerMetadata: { openai: { itemId: 'rs_689e2f1d4b7c81a3a0c5e6d7f8091a2b04c1e7f2a9b3d5e6' } },
      },
    ])
    const web = await decodeBody(fixture('openai-responses-web-search.sse'), 'openai-responses')
    expect(web.values.slice(1, 3)).toEqual([
      { type: 'reasoning-delta', text: '**Looking up tides**' },
      {
        type: 'reasoning-end',
        providerMetadata: {
          openai: {
            itemId: 'rs_0a11web000000000000000000000000000000000000aa',
            encryptedContent: 'gAAAAABfakeEncryptedFinal==',
          },
        },
      },
    ])
  })

  it('shows a web search as a provider-executed call when it starts and its result when done; citations as sources, each once', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-web-search.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    const id = 'ws_0a11web000000000000000000000000000000000000bb'
    expect(values.slice(3, 5)).toEqual([
      { type: 'tool-call', index: 0, id, name: 'web_search', args: {}, providerExecuted: true },
      {
        type: 'tool-result',
        id,
        name: 'web_search',
        result: {
          action: {
            type: 'search',
            query: 'high tide Porto today',
            sources: [{ type: 'url', url: 'https://tides.example.com/porto' }],
          },
        },
        providerExecuted: true,
      },
    ])
    expect(values.filter((part) => part.type === 'source')).toEqual([
      { type: 'source', url: 'https://tides.example.com/porto?utm_source=openai', title: 'Porto tide table' },
      { type: 'source', id: 'file-Fake9harbourGuide', filename: 'harbour-guide.pdf' },
    ])
    expect(text(values)).toBe('High tide in Porto is at 14:05, low tide at 20:20. The harbour guide agrees.')
    expect(values.at(-2)).toEqual({
      type: 'usage',
      inputTokens: 900,
      outputTokens: 120,
      reasoningTokens: 64,
      cachedInputTokens: 512,
    })
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'completed' })
  })

  it('decodes generated images as files: the partial preview, then the final image with the same id', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-image.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    const id = 'ig_0b22image0000000000000000000000000000000000dd'
    expect(values.slice(1, 5)).toEqual([
      { type: 'tool-call', index: 0, id, name: 'image_generation', args: {}, providerExecuted: true },
      {
        type: 'file',
        mediaType: 'image/webp',
        url: 'data:image/webp;base64,UklGRhoAAABXRUJQVlA4IA4AAAA=',
        id,
        partial: true,
      },
      {
        type: 'file',
        mediaType: 'image/webp',
        url: 'data:image/webp;base64,UklGRhoAAABXRUJQVlA4IA4AAAAwAQCdASoBAAEAAQ==',
        id,
      },
      {
        type: 'tool-result',
        id,
        name: 'image_generation',
        result: {
          background: 'opaque',
          quality: 'low',
          revised_prompt: 'A small red kite over a green hill',
          size: '1024x1024',
        },
        providerExecuted: true,
      },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'completed' })
  })

  it('decodes custom tool, shell, patch and MCP approval calls as tool calls with their call_id, and finishes tool-calls', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-client-calls.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    const meta = (itemType: string, itemId: string, extra = {}) => ({ openai: { itemType, itemId, ...extra } })
    expect(values.slice(1, -2)).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'call_c33CustomQuery',
        name: 'run_query',
        args: 'SELECT name FROM towns',
        providerMetadata: meta('custom_tool_call', 'ctc_0c33000000000000000000000000000000000000001'),
      },
      {
        type: 'tool-call',
        index: 1,
        id: 'call_c33Shell',
        name: 'shell',
        args: { commands: ['ls -la'], max_output_length: 4096, timeout_ms: null },
        providerMetadata: meta('shell_call', 'sh_0c33000000000000000000000000000000000000002'),
      },
      {
        type: 'tool-call',
        index: 2,
        id: 'call_c33Patch',
        name: 'apply_patch',
        args: { type: 'update_file', diff: '+- buy milk\n', path: 'notes.md' },
        providerMetadata: meta('apply_patch_call', 'apc_0c33000000000000000000000000000000000000003'),
      },
      {
        type: 'tool-call',
        index: 3,
        id: 'call_c33Local',
        name: 'local_shell',
        args: { type: 'exec', command: ['cat', 'notes.md'], env: {} },
        providerMetadata: meta('local_shell_call', 'lsh_0c33000000000000000000000000000000000000004'),
      },
      {
        type: 'tool-call',
        index: 4,
        id: 'mcpr_0c33000000000000000000000000000000000000005',
        name: 'delete_file',
        args: { path: '/tmp/report.txt' },
        providerMetadata: meta('mcp_approval_request', 'mcpr_0c33000000000000000000000000000000000000005', {
          serverLabel: 'files',
        }),
      },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', raw: 'completed' })
  })

  it('decodes MCP calls and code interpreter runs as provider-executed calls once their input is complete', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-mcp-code.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    const mcp = 'mcp_0d44000000000000000000000000000000000000001'
    const ci = 'ci_0d44000000000000000000000000000000000000002'
    expect(values.slice(1, 5)).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: mcp,
        name: 'lookup_word',
        args: { word: 'estuary' },
        providerExecuted: true,
        providerMetadata: { openai: { serverLabel: 'dictionary' } },
      },
      {
        type: 'tool-result',
        id: mcp,
        name: 'lookup_word',
        result: 'the tidal mouth of a river',
        providerExecuted: true,
      },
      {
        type: 'tool-call',
        index: 1,
        id: ci,
        name: 'code_interpreter',
        args: { code: 'print(6 * 7)', container_id: 'cntr_0d44fakecontainer' },
        providerExecuted: true,
      },
      {
        type: 'tool-result',
        id: ci,
        name: 'code_interpreter',
        result: { outputs: [{ type: 'logs', logs: '42' }] },
        providerExecuted: true,
      },
    ])
    // Only the app's own calls make the answer finish with tool-calls.
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'completed' })
  })

  it('marks a failed MCP call as an error result', async () => {
    const item = { id: 'mcp_1', type: 'mcp_call', name: 'f', server_label: 's', arguments: '{}' }
    const body = sse([
      created,
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress' } },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { ...item, status: 'failed', output: null, error: { message: 'server down' } },
      },
      completed,
    ])
    const { values } = await decodeBody(body, 'openai-responses')
    expect(values.filter((part) => part.type === 'tool-result')).toEqual([
      {
        type: 'tool-result',
        id: 'mcp_1',
        name: 'f',
        result: { message: 'server down' },
        isError: true,
        providerExecuted: true,
      },
    ])
  })

  it('reports a function call cut off by max_output_tokens as incomplete, then finishes with length', async () => {
    const { values, error } = await decodeBody(fixture('openai-responses-length-in-tool.sse'), 'openai-responses')
    expect(error).toBeUndefined()
    expect(values.filter((part) => part.type === 'tool-call' || part.type === 'tool-call-incomplete')).toEqual([
      {
        type: 'tool-call-incomplete',
        index: 0,
        id: 'call_e55Note',
        name: 'save_note',
        argsText: '{"text":"Remember to water the',
      },
    ])
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'length', raw: 'max_output_tokens' })
  })

  it("ends a message that has a phase with text-end carrying it, so the two messages' texts stay apart", async () => {
    const message = (id: string, phase: string) => ({
      id,
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], text: 'x' }],
      phase,
      role: 'assistant',
    })
    const body = sse([
      created,
      { ...textDelta('Checking.'), item_id: 'msg_a' },
      { type: 'response.output_item.done', output_index: 0, item: message('msg_a', 'commentary') },
      { ...textDelta('Done.'), item_id: 'msg_b', output_index: 1 },
      { type: 'response.output_item.done', output_index: 1, item: message('msg_b', 'final_answer') },
      completed,
    ])
    const { values } = await decodeBody(body, 'openai-responses')
    expect(values.slice(1, -1)).toEqual([
      { type: 'text-delta', text: 'Checking.' },
      { type: 'text-end', providerMetadata: { openai: { itemId: 'msg_a', phase: 'commentary' } } },
      { type: 'text-delta', text: 'Done.' },
      { type: 'text-end', providerMetadata: { openai: { itemId: 'msg_b', phase: 'final_answer' } } },
    ])
  })

  it('reads cache write tokens and never emits an empty call id', async () => {
    const body = sse([
      created,
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'ws_x', type: 'web_search_call', call_id: '', name: 'web_search', arguments: '{"query":"q"}' },
      },
      {
        type: 'response.completed',
        response: {
          id: 'resp_1',
          status: 'completed',
          usage: {
            input_tokens: 5,
            input_tokens_details: { cached_tokens: 1, cache_write_tokens: 3 },
            output_tokens: 2,
          },
        },
      },
    ])
    const { values } = await decodeBody(body, 'openai-responses')
    expect(values[1]).toEqual({
      type: 'tool-call',
      index: 0,
      id: 'ws_x',
      name: 'web_search',
      args: { query: 'q' },
      providerExecuted: true,
    })
    expect(values.at(-2)).toEqual({
      type: 'usage',
      inputTokens: 5,
      outputTokens: 2,
      cachedInputTokens: 1,
      cacheWriteInputTokens: 3,
    })
  })

  it('maps incomplete reasons named after Object.prototype members to other', async () => {
    for (const reason of ['constructor', 'toString', '__proto__']) {
      const incomplete = { type: 'response.incomplete', response: { id: 'r', incomplete_details: { reason } } }
      const { values } = await decodeBody(sse([created, incomplete]), 'openai-responses')
      expect(values.at(-1)).toEqual({ type: 'finish', reason: 'other', raw: reason })
    }
    const odd = { type: 'response.output_item.done', output_index: 0, item: { id: 'x', type: 'constructor' } }
    const { values, error } = await decodeBody(sse([created, odd, completed]), 'openai-responses')
    expect(error).toBeUndefined()
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop', raw: 'completed' })
  })

  it('decodes alike under any chunking of every fixture', async () => {
    for (const name of [
      'openai-responses-text.sse',
      'openai-responses-tools.sse',
      'openai-responses-reasoning.sse',
      'openai-responses-error.sse',
      'openai-responses-truncated.sse',
      'openai-responses-web-search.sse',
      'openai-responses-image.sse',
      'openai-responses-client-calls.sse',
      'openai-responses-mcp-code.sse',
      'openai-responses-length-in-tool.sse',
    ]) {
      await expectAnyChunkingDecodesAlike(fixture(name), 'openai-responses', 40)
    }
  })
})

const nonEmpty = fc.string({ minLength: 1, unit: 'grapheme' })
const name = fc.string({ minLength: 1, maxLength: 10 })
/** JSON as it comes back from the wire (no -0, no undefined). */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value))
const jsonObject = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }).map(json)
const hostedResult = fc
  .dictionary(fc.constantFrom('action', 'queries', 'outputs', 'sources', 'results'), fc.jsonValue(), { maxKeys: 3 })
  .map(json)
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined })

/**
 * Parts in the form the decoder produces them, for round trips: output items one after another —
 * a run of text (with citations, and an end carrying the message's phase), a run of reasoning
 * closed by its item id and encrypted content, a function call (a header delta with id and name,
 * argument pieces, the complete call), a call of another kind the app runs, or a hosted tool
 * (call, image previews and image, result) — then usage and the finish, possibly after a
 * function call the token limit cut off.
 */
const arbitraryParts: fc.Arbitrary<StreamPart[]> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    model: fc.string({ minLength: 1, maxLength: 12 }),
    items: fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('text' as const),
          texts: fc.array(nonEmpty, { minLength: 1, maxLength: 3 }),
          sources: fc.array(
            fc.oneof(
              fc.record({ kind: fc.constant('url' as const), title: maybe(nonEmpty) }),
              fc.record({
                kind: fc.constant('file' as const),
                filename: maybe(nonEmpty),
                title: maybe(nonEmpty),
                containerId: maybe(name),
              }),
            ),
            { maxLength: 2 },
          ),
          phase: maybe(fc.constantFrom('commentary', 'final_answer')),
        }),
        fc.record({
          kind: fc.constant('reasoning' as const),
          texts: fc.array(nonEmpty, { maxLength: 3 }),
          encryptedContent: maybe(nonEmpty),
        }),
        fc.record({ kind: fc.constant('tool' as const), name, args: jsonObject }),
        fc.record({
          kind: fc.constant('client' as const),
          itemType: fc.constantFrom(
            'custom_tool_call',
            'shell_call',
            'local_shell_call',
            'apply_patch_call',
            'mcp_approval_request',
          ),
          name,
          input: nonEmpty,
          args: jsonObject,
        }),
        fc.record({
          kind: fc.constant('hosted' as const),
          tool: fc.constantFrom('web_search', 'file_search', 'code_interpreter', 'image_generation', 'mcp'),
          name,
          query: maybe(nonEmpty),
          code: nonEmpty,
          args: jsonObject,
          result: hostedResult,
          output: nonEmpty,
          isError: fc.boolean(),
          mediaType: fc.constantFrom('image/png', 'image/webp'),
          previews: fc.array(fc.base64String({ minLength: 4, maxLength: 24 }), { maxLength: 2 }),
          image: fc.base64String({ minLength: 4, maxLength: 40 }),
        }),
      ),
      { maxLength: 6 },
    ),
    usage: maybe(
      fc.record(
        {
          inputTokens: fc.nat(),
          outputTokens: fc.nat(),
          reasoningTokens: fc.nat(),
          cachedInputTokens: fc.nat(),
          cacheWriteInputTokens: fc.nat(),
        },
        { requiredKeys: ['inputTokens', 'outputTokens', 'reasoningTokens'] },
      ),
    ),
    incomplete: maybe(fc.constantFrom('max_output_tokens', 'content_filter', 'something_new')),
    cutOff: fc.boolean(),
  })
  .map(({ id, model, items, usage, incomplete, cutOff }) => {
    const parts: StreamPart[] = [{ type: 'start', messageId: id, model }]
    let tools = 0
    let appCalls = 0
    let sources = 0
    items.forEach((item, position) => {
      if (item.kind === 'text') {
        for (const piece of item.texts) parts.push({ type: 'text-delta', text: piece })
        for (const source of item.sources) {
          const n = sources++
          if (source.kind === 'url') {
            parts.push({
              type: 'source',
              url: `https://example.com/${n}`,
              ...(source.title && { title: source.title }),
            })
          } else {
            parts.push({
              type: 'source',
              id: `file-${n}`,
              ...(source.filename && { filename: source.filename }),
              ...(source.title && { title: source.title }),
              ...(source.containerId && { providerMetadata: { openai: { containerId: source.containerId } } }),
            })
          }
        }
        if (item.phase !== undefined) {
          const openai = { itemId: `msg_item_${position}`, phase: item.phase }
          parts.push({ type: 'text-end', providerMetadata: { openai } })
        }
      } else if (item.kind === 'reasoning') {
        for (const piece of item.texts) parts.push({ type: 'reasoning-delta', text: piece })
        const openai: Record<string, unknown> = { itemId: `rs_item_${position}` }
        if (item.encryptedContent !== undefined) openai.encryptedContent = item.encryptedContent
        parts.push({ type: 'reasoning-end', providerMetadata: { openai } })
      } else if (item.kind === 'tool') {
        const index = tools++
        appCalls++
        const text = JSON.stringify(item.args)
        const half = Math.floor(text.length / 2)
        const callId = `call_${index}`
        parts.push({ type: 'tool-call-delta', index, id: callId, name: item.name, argsDelta: '' })
        parts.push({ type: 'tool-call-delta', index, argsDelta: text.slice(0, half) })
        parts.push({ type: 'tool-call-delta', index, argsDelta: text.slice(half) })
        parts.push({ type: 'tool-call', index, id: callId, name: item.name, args: item.args })
      } else if (item.kind === 'client') {
        const index = tools++
        appCalls++
        const itemId = `item_${position}`
        const openai: Record<string, unknown> = { itemType: item.itemType, itemId }
        const call = { type: 'tool-call' as const, index, id: `call_${index}`, providerMetadata: { openai } }
        switch (item.itemType) {
          case 'custom_tool_call':
            parts.push({ ...call, name: item.name, args: item.input })
            break
          case 'mcp_approval_request':
            openai.serverLabel = 'server'
            parts.push({ ...call, id: itemId, name: item.name, args: item.args })
            break
          default: {
            const names = { shell_call: 'shell', local_shell_call: 'local_shell', apply_patch_call: 'apply_patch' }
            parts.push({ ...call, name: names[item.itemType], args: item.args })
          }
        }
      } else {
        const index = tools++
        const callId = `hosted_${position}`
        const isError = item.isError ? { isError: true } : {}
        const done = { type: 'tool-result' as const, id: callId, providerExecuted: true, ...isError }
        const call = { type: 'tool-call' as const, index, id: callId, providerExecuted: true }
        if (item.tool === 'mcp') {
          const providerMetadata = { openai: { serverLabel: 'server' } }
          parts.push({ ...call, name: item.name, args: item.args, providerMetadata })
          parts.push({ ...done, name: item.name, result: item.output })
          return
        }
        const args =
          item.tool === 'code_interpreter'
            ? { code: item.code, container_id: 'cntr_1' }
            : item.query === undefined
              ? {}
              : { query: item.query }
        parts.push({ ...call, name: item.tool, args })
        if (item.tool === 'image_generation') {
          const url = (b64: string) => `data:${item.mediaType};base64,${b64}`
          for (const preview of item.previews) {
            parts.push({ type: 'file', mediaType: item.mediaType, url: url(preview), id: callId, partial: true })
          }
          parts.push({ type: 'file', mediaType: item.mediaType, url: url(item.image), id: callId })
        }
        parts.push({ ...done, name: item.tool, result: item.result })
      }
    })
    const cut = cutOff && incomplete === 'max_output_tokens'
    if (cut) {
      const index = tools++
      const callId = `call_${index}`
      parts.push({ type: 'tool-call-delta', index, id: callId, name: 'f', argsDelta: '' })
      parts.push({ type: 'tool-call-delta', index, argsDelta: '{"a":"cut' })
      parts.push({ type: 'tool-call-incomplete', index, id: callId, name: 'f', argsText: '{"a":"cut' })
    }
    if (usage) parts.push({ type: 'usage', ...usage })
    if (incomplete === undefined) {
      parts.push({ type: 'finish', reason: appCalls > 0 ? 'tool-calls' : 'stop', raw: 'completed' })
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
