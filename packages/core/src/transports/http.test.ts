import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openaiChatEncoder } from '../protocols/openai-chat.js'
import { createChatSession } from '../session/chat-session.js'
import { syncScheduler } from '../session/scheduler.js'
import { errorSummary } from '../testing/protocol.js'
import { collect } from '../testing/streams.js'
import type { StreamPart } from '../types.js'
import { httpTransport } from './http.js'
import { anthropic, demoServer, gemini, ollama, openaiCompatible } from './presets.js'
import { RESUMABLE_HEADER, STREAM_ID_HEADER } from './transport.js'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

let server: Server | undefined

/** A real HTTP server on an ephemeral loopback port. */
async function serve(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => handler(req, res, body))
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  const running = server
  server = undefined
  if (!running) return
  running.closeAllConnections()
  await new Promise((resolve) => running.close(resolve))
})

const sse = (res: ServerResponse, extra: Record<string, string> = {}) =>
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...extra })

/** OpenAI chunks for `words`, each as one SSE event with an id. */
function events(words: string[]): string[] {
  const encoder = openaiChatEncoder({ id: 'c1', model: 'm' })
  const parts: StreamPart[] = [
    { type: 'start', messageId: 'c1', model: 'm' },
    ...words.map((text) => ({ type: 'text-delta' as const, text })),
    { type: 'finish', reason: 'stop' },
  ]
  return [...parts.map((part) => encoder.push(part)), encoder.end()].map((text, i) => `id: ${i + 1}\n${text}`)
}

const text = (parts: StreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')

describe('httpTransport against a real server', () => {
  it('POSTs the body and headers and decodes the stream', async () => {
    let seen: { body: unknown; auth?: string; accept?: string } | undefined
    const url = await serve((req, res, body) => {
      seen = { body: JSON.parse(body), auth: req.headers.authorization, accept: req.headers.accept }
      sse(res)
      res.end(events(['Hel', 'lo']).join(''))
    })
    const transport = httpTransport({
      url: `${url}/v1/chat/completions`,
      protocol: 'openai-chat',
      headers: async () => ({ authorization: 'Bearer t0k' }),
      body: ({ messages }) => ({ model: 'm', messages }),
    })
    const { values, error } = await collect(
      transport({ messages: [{ role: 'user', content: 'Hi' }], signal: new AbortController().signal }),
    )
    expect(error).toBeUndefined()
    expect(text(values)).toBe('Hello')
    expect(seen).toEqual({
      body: { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
      auth: 'Bearer t0k',
      accept: 'text/event-stream',
    })
  })

  it('abort closes the connection to the server', async () => {
    let closed!: () => void
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve))
    const url = await serve((req, res) => {
      sse(res)
      res.write(events(['first']).slice(0, 2).join(''))
      req.socket.on('close', () => closed())
    })
    const controller = new AbortController()
    const transport = httpTransport({ url, protocol: 'openai-chat', body: () => ({}) })
    const seen: StreamPart[] = []
    let caught: unknown
    try {
      for await (const part of transport({ messages: [], signal: controller.signal })) {
        seen.push(part)
        if (part.type === 'text-delta') controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(text(seen)).toBe('first')
    expect(errorSummary(caught)).toMatchObject({ kind: 'aborted' })
    await connectionClosed
  })

  it('a session retries after 429 with Retry-After, then streams', async () => {
    let requests = 0
    const url = await serve((_req, res) => {
      if (requests++ === 0) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' })
        res.end(JSON.stringify({ error: { message: 'Slow down', type: 'requests', code: 'rate_limit_exceeded' } }))
        return
      }
      sse(res)
      res.end(events(['after', ' retry']).join(''))
    })
    const chat = createChatSession({
      transport: openaiCompatible({ baseURL: `${url}/v1`, model: 'm' }),
      scheduler: syncScheduler,
    })
    await chat.send('Hi')
    expect(requests).toBe(2)
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'after retry', status: 'done' })
  })

  it('a session ends a stalled stream with kind timeout and closes the connection', async () => {
    let closed!: () => void
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve))
    const url = await serve((req, res) => {
      sse(res)
      const [start, first] = events(['only this'])
      res.write((start ?? '') + (first ?? ''))
      req.socket.on('close', () => closed())
    })
    const chat = createChatSession({
      transport: openaiCompatible({ baseURL: url, model: 'm' }),
      scheduler: syncScheduler,
      stallTimeoutMs: 100,
    })
    await chat.send('Hi')
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'only this', status: 'error' })
    expect(errorSummary(chat.getSnapshot().error)).toMatchObject({ kind: 'timeout' })
    await connectionClosed
  })

  it('resumes a dropped stream with Last-Event-ID: every event exactly once', async () => {
    const all = events(['one ', 'two ', 'three ', 'four ', 'five'])
    const resumes: Array<string | undefined> = []
    const url = await serve((req, res) => {
      if (req.method === 'POST') {
        expect(req.headers[RESUMABLE_HEADER]).toBe('1')
        sse(res, { [STREAM_ID_HEADER]: 'stream-1' })
        // Three whole events and half of the fourth, then the connection drops.
        const fourth = all[3] as string
        res.write(all.slice(0, 3).join('') + fourth.slice(0, 20))
        setImmediate(() => res.socket?.destroy())
        return
      }
      expect(req.url).toBe('/v1/streams/stream-1')
      const lastId = req.headers['last-event-id'] as string | undefined
      resumes.push(lastId)
      sse(res)
      res.end(all.slice(Number(lastId)).join(''))
    })
    const transport = httpTransport({
      url: `${url}/v1/chat/completions`,
      protocol: 'openai-chat',
      body: () => ({}),
      resume: true,
    })
    const { values, error } = await collect(transport({ messages: [], signal: new AbortController().signal }))
    expect(error).toBeUndefined()
    expect(resumes).toEqual(['3'])
    expect(text(values)).toBe('one two three four five')
    expect(values.filter((part) => part.type === 'start')).toHaveLength(1)
    expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
  })

  it('a dropped stream that cannot be resumed fails with the drop, keeping what arrived', async () => {
    const all = events(['kept ', 'lost'])
    const url = await serve((req, res) => {
      if (req.method === 'POST') {
        sse(res, { [STREAM_ID_HEADER]: 'gone' })
        res.write(all.slice(0, 2).join(''))
        setImmediate(() => res.socket?.destroy())
        return
      }
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"error":{"message":"No such stream"}}')
    })
    const transport = httpTransport({ url, protocol: 'openai-chat', body: () => ({}), resume: true })
    const { values, error } = await collect(transport({ messages: [], signal: new AbortController().signal }))
    expect(text(values)).toBe('kept ')
    expect(['network', 'interrupted']).toContain((error as { kind: string }).kind)
  })

  it('abort of a resumable stream cancels it on the server with DELETE', async () => {
    let deleted!: (path: string) => void
    const deleteSeen = new Promise<string>((resolve) => (deleted = resolve))
    const url = await serve((req, res) => {
      if (req.method === 'DELETE') {
        deleted(req.url ?? '')
        res.writeHead(204).end()
        return
      }
      sse(res, { [STREAM_ID_HEADER]: 'abc' })
      res.write(events(['x']).slice(0, 2).join(''))
    })
    const controller = new AbortController()
    const transport = httpTransport({
      url: `${url}/v1/chat/completions`,
      protocol: 'openai-chat',
      body: () => ({}),
      resume: true,
    })
    let caught: unknown
    try {
      for await (const part of transport({ messages: [], signal: controller.signal })) {
        if (part.type === 'text-delta') controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(errorSummary(caught)).toMatchObject({ kind: 'aborted' })
    expect(await deleteSeen).toBe('/v1/streams/abc')
  })

  it('abort before the answer arrives still cancels the stream the client named', async () => {
    let named: string | undefined
    let deleted!: (path: string) => void
    const deleteSeen = new Promise<string>((resolve) => (deleted = resolve))
    const url = await serve((req, res) => {
      if (req.method === 'DELETE') {
        deleted(req.url ?? '')
        res.writeHead(204).end()
        return
      }
      named = req.headers[STREAM_ID_HEADER] as string // headers are never sent: the client gives up first
    })
    const controller = new AbortController()
    const transport = httpTransport({
      url: `${url}/v1/chat/completions`,
      protocol: 'openai-chat',
      body: () => ({}),
      resume: true,
    })
    const run = collect(transport({ messages: [], signal: controller.signal }))
    await vi.waitFor(() => expect(named).toBeDefined())
    controller.abort()
    expect(errorSummary((await run).error)).toMatchObject({ kind: 'aborted' })
    expect(await deleteSeen).toBe(`/v1/streams/${named}`)
  })
})

describe('presets', () => {
  const fetchSpy = () => {
    const calls: Array<{ url: string; headers: Headers; body: Record<string, unknown> }> = []
    const fetch = (async (url: string | URL, init: RequestInit) => {
      calls.push({ url: String(url), headers: new Headers(init.headers), body: JSON.parse(String(init.body)) })
      return new Response('{}', { status: 418 })
    }) as typeof globalThis.fetch
    return { calls, fetch }
  }
  const conversation = {
    messages: [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hi' },
      { role: 'assistant' as const, content: 'Hello' },
      { role: 'user' as const, content: 'Bye' },
    ],
    signal: new AbortController().signal,
  }

  it('openaiCompatible asks for usage and sends the key as a bearer token', async () => {
    const spy = fetchSpy()
    await collect(
      openaiCompatible({
        baseURL: 'http://localhost:11434/v1/',
        model: 'llama3.2',
        apiKey: 'k',
        maxTokens: 50,
        fetch: spy.fetch,
      })(conversation),
    )
    expect(spy.calls[0]?.url).toBe('http://localhost:11434/v1/chat/completions')
    expect(spy.calls[0]?.headers.get('authorization')).toBe('Bearer k')
    expect(spy.calls[0]?.body).toMatchObject({
      model: 'llama3.2',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    })
  })

  it('anthropic moves system messages to `system` and can allow direct browser access', async () => {
    const spy = fetchSpy()
    const transport = anthropic({
      apiKey: 'sk-ant',
      model: 'claude-sonnet-4-5',
      dangerouslyAllowBrowser: true,
      fetch: spy.fetch,
    })
    expect(transport.maxTokens).toBe(1024)
    await collect(transport(conversation))
    const call = spy.calls[0]
    expect(call?.url).toBe('https://api.anthropic.com/v1/messages')
    expect(call?.headers.get('x-api-key')).toBe('sk-ant')
    expect(call?.headers.get('anthropic-version')).toBe('2023-06-01')
    expect(call?.headers.get('anthropic-dangerous-direct-browser-access')).toBe('true')
    expect(call?.body).toMatchObject({ system: 'Be brief.', max_tokens: 1024, stream: true })
    expect(call?.body.messages).toHaveLength(3)
  })

  it('gemini sends contents with the model role and the key header', async () => {
    const spy = fetchSpy()
    await collect(gemini({ apiKey: 'g', model: 'gemini-2.5-flash', fetch: spy.fetch })(conversation))
    const call = spy.calls[0]
    expect(call?.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    )
    expect(call?.headers.get('x-goog-api-key')).toBe('g')
    expect(call?.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello' }] },
        { role: 'user', parts: [{ text: 'Bye' }] },
      ],
    })
  })

  it('ollama talks NDJSON to /api/chat', async () => {
    const spy = fetchSpy()
    await collect(ollama({ model: 'qwen3', fetch: spy.fetch })(conversation))
    expect(spy.calls[0]?.url).toBe('http://localhost:11434/api/chat')
    expect(spy.calls[0]?.headers.get('accept')).toBe('application/x-ndjson')
    expect(spy.calls[0]?.body).toMatchObject({ model: 'qwen3', stream: true })
  })
})

describe('demoServer preset', () => {
  it('asks a simulate function for the simulation options of each request', async () => {
    const bodies: unknown[] = []
    const fetch = (async (_url: string | URL, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)).rivulet)
      return new Response('{}', { status: 418 })
    }) as typeof globalThis.fetch
    let tokensPerSecond = 10
    const transport = demoServer({ fetch, simulate: () => ({ tokensPerSecond }) })
    const request = { messages: [{ role: 'user' as const, content: 'Hi' }], signal: new AbortController().signal }
    await collect(transport(request))
    tokensPerSecond = 99
    await collect(transport(request))
    expect(bodies).toEqual([{ tokensPerSecond: 10 }, { tokensPerSecond: 99 }])
  })
})
