import { describe, expect, it } from 'vitest'
import type { StreamError } from '../errors.js'
import type { ChatMessage, MessagePart } from '../session/message.js'
import { isRetryable } from '../session/retry.js'
import { collect } from '../testing/streams.js'
import { anthropic, demoServer, gemini, ollama, openaiCompatible, openaiResponses } from './presets.js'
import {
  anthropicBody,
  conversation,
  geminiBody,
  message,
  ollamaBody,
  openaiChatBody,
  openaiResponsesBody,
  PNG,
  text,
  tools,
} from './requests/__fixtures__/tool-conversation.js'
import type { Transport, TransportRequest } from './transport.js'
import { websocketTransport } from './websocket.js'

/** A request body as `JSON.parse` gives it, read freely in assertions. */
type ParsedBody = ReturnType<typeof JSON.parse>

/** A fetch that records each request body and answers 418, so no stream is decoded. */
function recorder() {
  const bodies: ParsedBody[] = []
  const urls: string[] = []
  const fetch = (async (url: string | URL, init: RequestInit) => {
    urls.push(String(url))
    bodies.push(JSON.parse(String(init.body)))
    return new Response('{}', { status: 418 })
  }) as typeof globalThis.fetch
  return { bodies, urls, fetch }
}

const ask = (messages: ChatMessage[], withTools = true): TransportRequest => ({
  messages,
  ...(withTools && { tools }),
  signal: new AbortController().signal,
})

/** The body a transport sends for `messages`. */
async function bodyOf(make: (fetch: typeof globalThis.fetch) => Transport, messages: ChatMessage[], withTools = true) {
  const spy = recorder()
  await collect(make(spy.fetch)(ask(messages, withTools)))
  expect(spy.bodies).toHaveLength(1)
  return spy.bodies[0] as ParsedBody
}

/** The error a transport fails with, and whether it made any request first. */
async function failureOf(make: (fetch: typeof globalThis.fetch) => Transport, messages: ChatMessage[]) {
  const spy = recorder()
  const { error } = await collect(make(spy.fetch)(ask(messages)))
  return { error: error as StreamError, requests: spy.bodies.length }
}

const userWith = (...parts: MessagePart[]) => message('user', [{ type: 'text', text: 'Look' }, ...parts])
const file = (mediaType: string, url: string, filename?: string): MessagePart => ({
  type: 'file',
  mediaType,
  url,
  ...(filename !== undefined && { filename }),
})

describe('presets send the whole conversation in the provider’s own shape', () => {
  it('openaiCompatible: tool_calls and role tool results, image_url, no failed turn', async () => {
    const body = await bodyOf(
      (fetch) => openaiCompatible({ model: 'gpt-4o-mini', maxTokens: 512, fetch }),
      conversation,
    )
    expect(body).toEqual(openaiChatBody)
  })

  it('openaiResponses: reasoning items with encrypted content, function_call and its output, nothing stored', async () => {
    const spy = recorder()
    await collect(
      openaiResponses({ model: 'gpt-5-mini', maxTokens: 512, apiKey: 'k', fetch: spy.fetch })(ask(conversation)),
    )
    expect(spy.urls).toEqual(['https://api.openai.com/v1/responses'])
    expect(spy.bodies[0]).toEqual(openaiResponsesBody)
  })

  it('anthropic: signed thinking first, tool_use and a user tool_result (is_error when denied), image block', async () => {
    const body = await bodyOf((fetch) => anthropic({ model: 'claude-sonnet-4-5', maxTokens: 512, fetch }), conversation)
    expect(body).toEqual(anthropicBody)
  })

  it('gemini: functionCall and functionResponse by id, thoughtSignature on the part it came with, inlineData', async () => {
    const body = await bodyOf((fetch) => gemini({ model: 'gemini-2.5-flash', maxTokens: 512, fetch }), conversation)
    expect(body).toEqual(geminiBody)
  })

  it('ollama: tool_calls with object arguments, role tool with tool_name, base64 images, thinking', async () => {
    const body = await bodyOf((fetch) => ollama({ model: 'qwen3', maxTokens: 512, fetch }), conversation)
    expect(body).toEqual(ollamaBody)
  })

  it('demoServer sends the Chat Completions shape with its simulation options', async () => {
    const body = await bodyOf(
      (fetch) => demoServer({ model: 'gpt-4o-mini', maxTokens: 512, fetch, simulate: { seed: 1 } }),
      conversation,
    )
    expect(body).toEqual({ ...openaiChatBody, rivulet: { seed: 1 } })
  })

  it('the WebSocket transport’s default start request holds the same messages and tools, and its extraBody', async () => {
    let sent: unknown
    class FakeSocket {
      readyState = 0
      private listeners: Record<string, ((event: { data: string; code: number; reason: string }) => void)[]> = {}
      constructor() {
        queueMicrotask(() => {
          this.readyState = 1
          for (const listener of this.listeners.open ?? []) listener({ data: '', code: 0, reason: '' })
        })
      }
      addEventListener(type: string, listener: (event: { data: string; code: number; reason: string }) => void) {
        ;(this.listeners[type] ??= []).push(listener)
      }
      send(data: string) {
        const frame = JSON.parse(data)
        if (frame.type !== 'start') return
        sent = frame.request
        const error = JSON.stringify({ type: 'error', id: frame.id, error: { kind: 'http', message: 'no' } })
        for (const listener of this.listeners.message ?? []) listener({ data: error, code: 0, reason: '' })
      }
      close() {}
    }
    let seed = 1
    const transport = websocketTransport({
      url: 'ws://demo.test/v1/ws',
      WebSocket: FakeSocket,
      maxTokens: 512,
      extraBody: {
        get rivulet() {
          return { seed }
        },
      },
    })
    await collect(transport(ask(conversation)))
    expect(sent).toEqual({
      messages: openaiChatBody.messages,
      tools: openaiChatBody.tools,
      max_tokens: 512,
      rivulet: { seed: 1 },
    })
    seed = 2
    await collect(transport(ask([text('user', 'Hi')], false)))
    transport.close()
    expect(sent).toEqual({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 512, rivulet: { seed: 2 } })
  })

  it('extraBody is merged over the preset’s own fields', async () => {
    const body = await bodyOf(
      (fetch) => anthropic({ model: 'c', fetch, extraBody: { thinking: { type: 'adaptive' }, max_tokens: 9 } }),
      [text('user', 'Hi')],
    )
    expect(body).toMatchObject({ thinking: { type: 'adaptive' }, max_tokens: 9 })
  })

  it('without tools no tools field is sent', async () => {
    for (const make of [
      (fetch: typeof globalThis.fetch) => openaiCompatible({ model: 'm', fetch }),
      (fetch: typeof globalThis.fetch) => openaiResponses({ model: 'm', fetch }),
      (fetch: typeof globalThis.fetch) => anthropic({ model: 'm', fetch }),
      (fetch: typeof globalThis.fetch) => gemini({ model: 'm', fetch }),
      (fetch: typeof globalThis.fetch) => ollama({ model: 'm', fetch }),
    ]) {
      expect(await bodyOf(make, [text('user', 'Hi')], false)).not.toHaveProperty('tools')
    }
  })
})

describe('what is left out, and what goes back only where the provider needs it', () => {
  const assistant = (parts: MessagePart[], status: ChatMessage['status'] = 'done') =>
    message('assistant', parts, { status })

  it('a stopped answer with nothing but unsigned thinking, and a call cut off mid-arguments, are not sent', async () => {
    const messages = [
      text('user', 'Hi'),
      assistant(
        [
          { type: 'reasoning', text: 'Hmm' },
          { type: 'tool', toolCallId: 'c9', name: 'get_weather', state: 'input-streaming', input: { ci: 1 } },
        ],
        'aborted',
      ),
      text('user', 'Hello?'),
    ]
    const chat = await bodyOf((fetch) => openaiCompatible({ model: 'm', fetch }), messages)
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'user', content: 'Hello?' },
    ])
    const claude = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), messages)
    expect(claude.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'text', text: 'Hello?' },
        ],
      },
    ])
  })

  it('a call still waiting for its result when the user went on is sent as not run, so the history stays valid', async () => {
    const messages = [
      text('user', 'Book it'),
      assistant([
        {
          type: 'tool',
          toolCallId: 'c1',
          name: 'book_ticket',
          state: 'approval-requested',
          input: { museum: 'Orsay' },
        },
      ]),
      text('user', 'Never mind'),
    ]
    const body = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), messages)
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'c1',
          content: 'The tool call was not run: the conversation went on without its result.',
          is_error: true,
        },
        { type: 'text', text: 'Never mind' },
      ],
    })
  })

  it('a failed tool call goes back as an error result with its text', async () => {
    const messages = [
      text('user', 'Weather?'),
      assistant([
        {
          type: 'tool',
          toolCallId: 'c1',
          name: 'get_weather',
          state: 'output-error',
          input: { city: 'X' },
          errorText: 'Unknown city: X',
        },
      ]),
    ]
    const claude = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), messages)
    expect(claude.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'c1', content: 'Unknown city: X', is_error: true },
    ])
    const chat = await bodyOf((fetch) => openaiCompatible({ model: 'm', fetch }), messages)
    expect(chat.messages[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'Unknown city: X' })
    const google = await bodyOf((fetch) => gemini({ model: 'm', fetch }), messages)
    expect(google.contents[2].parts).toEqual([
      { functionResponse: { id: 'c1', name: 'get_weather', response: { error: 'Unknown city: X' } } },
    ])
  })

  it('anthropic: redacted thinking goes back as it came; server tools go back inside the assistant turn', async () => {
    const messages = [
      text('user', 'News?'),
      assistant([
        { type: 'reasoning', text: '', providerMetadata: { anthropic: { redactedData: 'opaque' } } },
        {
          type: 'tool',
          toolCallId: 'srvtoolu_1',
          name: 'web_search',
          state: 'output-available',
          input: { query: 'news' },
          output: [{ type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: 'e' }],
          providerExecuted: true,
        },
        {
          type: 'tool',
          toolCallId: 'mcptoolu_1',
          name: 'lookup',
          state: 'output-error',
          input: {},
          output: [{ type: 'text', text: 'denied' }],
          providerExecuted: true,
          providerMetadata: { anthropic: { serverName: 'docs' } },
        },
        { type: 'source', url: 'https://example.com', title: 'Example' },
        { type: 'text', text: 'Here is the news.' },
      ]),
      text('user', 'Thanks'),
    ]
    const body = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), messages)
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'news' } },
        {
          type: 'web_search_tool_result',
          tool_use_id: 'srvtoolu_1',
          content: [
            { type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: 'e' },
          ],
        },
        { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'lookup', server_name: 'docs', input: {} },
        {
          type: 'mcp_tool_result',
          tool_use_id: 'mcptoolu_1',
          content: [{ type: 'text', text: 'denied' }],
          is_error: true,
        },
        { type: 'text', text: 'Here is the news.' },
      ],
    })
    // Other providers' hosted tools are not sent back to Chat Completions.
    const chat = await bodyOf((fetch) => openaiCompatible({ model: 'm', fetch }), messages)
    expect(chat.messages[1]).toEqual({ role: 'assistant', content: 'Here is the news.' })
  })

  it('openaiResponses: app-run calls go back as the item type they came as, with their output items', async () => {
    const meta = (itemType: string, extra: Record<string, unknown> = {}) => ({
      openai: { itemType, itemId: `item_${itemType}`, ...extra },
    })
    const messages = [
      text('user', 'Go'),
      assistant([
        {
          type: 'tool',
          toolCallId: 'c1',
          name: 'grammar',
          state: 'output-available',
          input: 'SELECT 1',
          output: 'ok',
          providerMetadata: meta('custom_tool_call'),
        },
        {
          type: 'tool',
          toolCallId: 'c2',
          name: 'shell',
          state: 'output-available',
          input: { commands: ['ls'] },
          output: 'a.txt',
          providerMetadata: meta('shell_call'),
        },
        {
          type: 'tool',
          toolCallId: 'c3',
          name: 'local_shell',
          state: 'output-available',
          input: { type: 'exec', command: ['ls'], env: {} },
          output: 'a.txt',
          providerMetadata: meta('local_shell_call'),
        },
        {
          type: 'tool',
          toolCallId: 'c4',
          name: 'apply_patch',
          state: 'output-error',
          input: { type: 'delete_file', path: 'a.txt' },
          errorText: 'read-only',
          providerMetadata: meta('apply_patch_call'),
        },
        {
          type: 'tool',
          toolCallId: 'mcpr_1',
          name: 'delete_repo',
          state: 'output-denied',
          input: { repo: 'x' },
          errorText: 'Too risky',
          providerMetadata: meta('mcp_approval_request', { itemId: 'mcpr_1', serverLabel: 'github' }),
        },
        {
          type: 'tool',
          toolCallId: 'ws_1',
          name: 'web_search',
          state: 'output-available',
          input: {},
          output: {},
          providerExecuted: true,
        },
      ]),
    ]
    const body = await bodyOf((fetch) => openaiResponses({ model: 'm', fetch }), messages)
    expect(body.input.slice(1)).toEqual([
      { type: 'custom_tool_call', call_id: 'c1', name: 'grammar', input: 'SELECT 1' },
      { type: 'shell_call', call_id: 'c2', action: { commands: ['ls'] } },
      {
        type: 'local_shell_call',
        id: 'item_local_shell_call',
        call_id: 'c3',
        action: { type: 'exec', command: ['ls'], env: {} },
        status: 'completed',
      },
      {
        type: 'apply_patch_call',
        call_id: 'c4',
        operation: { type: 'delete_file', path: 'a.txt' },
        status: 'completed',
      },
      {
        type: 'mcp_approval_request',
        id: 'mcpr_1',
        name: 'delete_repo',
        arguments: '{"repo":"x"}',
        server_label: 'github',
      },
      { type: 'custom_tool_call_output', call_id: 'c1', output: 'ok' },
      {
        type: 'shell_call_output',
        call_id: 'c2',
        output: [{ stdout: 'a.txt', stderr: '', outcome: { type: 'exit', exit_code: 0 } }],
      },
      { type: 'local_shell_call_output', id: 'c3', output: 'a.txt' },
      { type: 'apply_patch_call_output', call_id: 'c4', status: 'failed', output: 'read-only' },
      { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: false, reason: 'Too risky' },
    ])
  })

  it('openaiResponses: a message’s phase goes back with it; reasoning without encrypted content is left out', async () => {
    const messages = [
      text('user', 'Go'),
      assistant([
        { type: 'reasoning', text: 'plan', providerMetadata: { openai: { itemId: 'rs_9' } } },
        {
          type: 'text',
          text: 'Working on it.',
          providerMetadata: { openai: { phase: 'commentary', itemId: 'msg_1' } },
        },
      ]),
    ]
    const body = await bodyOf((fetch) => openaiResponses({ model: 'm', fetch }), messages)
    expect(body.input.slice(1)).toEqual([{ role: 'assistant', content: 'Working on it.', phase: 'commentary' }])
  })

  it('gemini: its code execution goes back as executableCode and codeExecutionResult parts', async () => {
    const messages = [
      text('user', 'Sum 1..10'),
      assistant([
        {
          type: 'tool',
          toolCallId: 'call_0',
          name: 'code_execution',
          state: 'output-available',
          input: { language: 'PYTHON', code: 'print(55)' },
          output: { outcome: 'OUTCOME_OK', output: '55\n' },
          providerExecuted: true,
        },
        { type: 'text', text: '55', providerMetadata: { google: { thoughtSignature: 'g' } } },
      ]),
    ]
    const body = await bodyOf((fetch) => gemini({ model: 'm', fetch }), messages)
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [
        { executableCode: { language: 'PYTHON', code: 'print(55)' } },
        { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '55\n' } },
        { text: '55', thoughtSignature: 'g' },
      ],
    })
  })

  it('a hand-built { role, content } message with no parts is sent as its text', async () => {
    const plain = { id: 'p', role: 'user' as const, content: 'Hi', parts: [] }
    const body = await bodyOf((fetch) => openaiCompatible({ model: 'm', fetch }), [plain])
    expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }])
  })
})

describe('files', () => {
  const pdf = file('application/pdf', 'data:application/pdf;base64,JVBERi0=', 'report.pdf')

  it('PDFs go as each provider’s document input', async () => {
    const messages = [userWith(pdf)]
    const chat = await bodyOf((fetch) => openaiCompatible({ model: 'm', fetch }), messages)
    expect(chat.messages[0].content[1]).toEqual({
      type: 'file',
      file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' },
    })
    const responses = await bodyOf((fetch) => openaiResponses({ model: 'm', fetch }), messages)
    expect(responses.input[0].content[1]).toEqual({
      type: 'input_file',
      file_data: 'data:application/pdf;base64,JVBERi0=',
      filename: 'report.pdf',
    })
    const claude = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), messages)
    expect(claude.messages[0].content[1]).toEqual({
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
      title: 'report.pdf',
    })
    const google = await bodyOf((fetch) => gemini({ model: 'm', fetch }), messages)
    expect(google.contents[0].parts[1]).toEqual({ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } })
  })

  it('files at an https URL go by URL where the provider fetches URLs', async () => {
    const messages = [
      userWith(file('image/jpeg', 'https://example.com/a.jpg'), file('application/pdf', 'https://example.com/b.pdf')),
    ]
    const responses = await bodyOf((fetch) => openaiResponses({ model: 'm', fetch }), messages)
    expect(responses.input[0].content.slice(1)).toEqual([
      { type: 'input_image', image_url: 'https://example.com/a.jpg', detail: 'auto' },
      { type: 'input_file', file_url: 'https://example.com/b.pdf' },
    ])
    const claude = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), messages)
    expect(claude.messages[0].content.slice(1)).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' } },
    ])
    const google = await bodyOf((fetch) => gemini({ model: 'm', fetch }), messages)
    expect(google.contents[0].parts.slice(1)).toEqual([
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.jpg' } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/b.pdf' } },
    ])
  })

  it('a text file is read as text where the provider has no text document; Anthropic gets a text document', async () => {
    const notes = file('text/plain', 'data:text/plain,Caf%C3%A9%20hours', 'notes.txt')
    const chat = await bodyOf((fetch) => openaiCompatible({ model: 'm', fetch }), [userWith(notes)])
    expect(chat.messages[0].content[1]).toEqual({ type: 'text', text: 'Café hours' })
    const claude = await bodyOf((fetch) => anthropic({ model: 'm', fetch }), [userWith(notes)])
    expect(claude.messages[0].content[1]).toEqual({
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'Café hours' },
      title: 'notes.txt',
    })
    const local = await bodyOf((fetch) => ollama({ model: 'm', fetch }), [userWith(notes)])
    expect(local.messages[0]).toEqual({ role: 'user', content: 'Look\n\nCafé hours' })
  })

  it('audio goes to Chat Completions as input_audio', async () => {
    const chat = await bodyOf(
      (fetch) => openaiCompatible({ model: 'm', fetch }),
      [userWith(file('audio/wav', 'data:audio/wav;base64,UklGRg=='))],
    )
    expect(chat.messages[0].content[1]).toEqual({
      type: 'input_audio',
      input_audio: { data: 'UklGRg==', format: 'wav' },
    })
  })

  it('a blob: URL is read into the request as base64', async () => {
    const url = URL.createObjectURL(
      new Blob([Uint8Array.from(atob(PNG), (c) => c.charCodeAt(0))], { type: 'image/png' }),
    )
    try {
      const body = await bodyOf((fetch) => ollama({ model: 'm', fetch }), [userWith(file('image/png', url))])
      expect(body.messages[0]).toEqual({ role: 'user', content: 'Look', images: [PNG] })
    } finally {
      URL.revokeObjectURL(url)
    }
  })

  const unsupported: [string, (fetch: typeof globalThis.fetch) => Transport, MessagePart, RegExp][] = [
    ['a PDF to Ollama', (fetch) => ollama({ model: 'm', fetch }), pdf, /^Ollama does not take application\/pdf files/],
    [
      'an image URL to Ollama',
      (fetch) => ollama({ model: 'm', fetch }),
      file('image/png', 'https://x.test/a.png'),
      /by URL/,
    ],
    [
      'audio to Anthropic',
      (fetch) => anthropic({ model: 'm', fetch }),
      file('audio/wav', 'data:audio/wav;base64,UklGRg=='),
      /^Anthropic does not take audio\/wav files/,
    ],
    [
      'audio to the Responses API',
      (fetch) => openaiResponses({ model: 'm', fetch }),
      file('audio/mpeg', 'data:audio/mpeg;base64,SUQz'),
      /does not take audio\/mpeg files/,
    ],
    [
      'a PDF by URL to Chat Completions',
      (fetch) => openaiCompatible({ model: 'm', fetch }),
      file('application/pdf', 'https://x.test/a.pdf'),
      /by URL/,
    ],
    [
      'a zip to Gemini',
      (fetch) => gemini({ model: 'm', fetch }),
      file('application/zip', 'data:application/zip;base64,UEs='),
      /^Gemini does not take application\/zip files/,
    ],
  ]
  for (const [what, make, part, message] of unsupported) {
    it(`${what} fails before any request with kind provider, code unsupported_input, not retried`, async () => {
      const { error, requests } = await failureOf(make, [userWith(part)])
      expect(requests).toBe(0)
      expect(error).toMatchObject({ name: 'StreamError', kind: 'provider', code: 'unsupported_input' })
      expect(error.message).toMatch(message)
      expect(isRetryable(error)).toBe(false)
    })
  }
})
