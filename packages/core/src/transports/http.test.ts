import { getEventListeners } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openaiChatEncoder } from '../protocols/openai-chat.js'
import { createChatSession } from '../session/chat-session.js'
import { syncScheduler } from '../session/scheduler.js'
import { errorSummary } from '../testing/protocol.js'
import { collect } from '../testing/streams.js'
import type { StreamPart } from '../types.js'
import { httpTransport } from './http.js'
import { anthropic, demoServer, gemini, ollama, openaiCompatible } from './presets.js'
import { text as textMessage } from './requests/__fixtures__/tool-conversation.js'
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
    const hi = textMessage('user', 'Hi')
    const { values, error } = await collect(transport({ messages: [hi], signal: new AbortController().signal }))
    expect(error).toBeUndefined()
    expect(text(values)).toBe('Hello')
    expect(seen).toEqual({
      body: { model: 'm', messages: [hi] },
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
      textMessage('system', 'Be brief.'),
      textMessage('user', 'Hi'),
      textMessage('assistant', 'Hello'),
      textMessage('user', 'Bye'),
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
    const request = { messages: [textMessage('user', 'Hi')], signal: new AbortController().signal }
    await collect(transport(request))
    tokensPerSecond = 99
    await collect(transport(request))
    expect(bodies).toEqual([{ tokensPerSecond: 10 }, { tokensPerSecond: 99 }])
  })
})

/** What the fake server saw: one row per request. */
interface Call {
  method: string
  url: string
  headers: Headers
}

/** SSE bytes, one chunk per read, then the end — or a failure, like a dropped connection. */
function sseBody(chunks: readonly string[], { drop = false } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let i = 0
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[i++]
      if (chunk !== undefined) controller.enqueue(encoder.encode(chunk))
      else if (drop) controller.error(new TypeError('terminated'))
      else controller.close()
    },
  })
}

/**
 * A fetch double playing a resumable server: `answer` gives the response to each POST and resume
 * (GET); a DELETE is answered 204 unless `answer` says otherwise.
 */
function fakeServer(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = []
  const fetch = (async (url: string | URL, init: RequestInit = {}) => {
    const call = { method: init.method ?? 'GET', url: String(url), headers: new Headers(init.headers) }
    calls.push(call)
    if (init.signal?.aborted) throw init.signal.reason
    if (call.method === 'DELETE') return new Response(null, { status: 204 })
    return answer(call)
  }) as typeof globalThis.fetch
  const posts = () => calls.filter((call) => call.method === 'POST')
  return {
    calls,
    fetch,
    posts,
    resumes: () => calls.filter((call) => call.method === 'GET'),
    deletes: () => calls.filter((call) => call.method === 'DELETE').map((call) => call.url),
    /** Where the stream the n-th POST named lives. */
    streamUrl: (n = 0) => `${ORIGIN}/v1/streams/${posts()[n]?.headers.get(STREAM_ID_HEADER)}`,
  }
}

const ORIGIN = 'http://fake.test'

/** An SSE answer naming the stream the POST asked for, as the demo server does. */
const resumable = (call: Call, body: ReadableStream<Uint8Array>) =>
  new Response(body, {
    headers: { 'content-type': 'text/event-stream', [STREAM_ID_HEADER]: call.headers.get(STREAM_ID_HEADER) ?? '' },
  })

/** Settles `promise` under fake timers, running the resume backoffs as they come. */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false
  void promise.finally(() => (done = true)).catch(() => {})
  for (let i = 0; i < 100 && !done; i++) await vi.advanceTimersByTimeAsync(250)
  return promise
}

const resumableTransport = (fetch: typeof globalThis.fetch, extra: Partial<Parameters<typeof httpTransport>[0]> = {}) =>
  httpTransport({
    url: `${ORIGIN}/v1/chat/completions`,
    protocol: 'openai-chat',
    body: () => ({}),
    resume: true,
    fetch,
    ...extra,
  })

const run = (transport: ReturnType<typeof httpTransport>, signal = new AbortController().signal) =>
  settle(collect(transport({ messages: [], signal })))

describe('a resumable HTTP stream that ends on the client is cancelled on the server', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a parse error sends DELETE on the stream URL, once', async () => {
    const server = fakeServer((call) =>
      resumable(call, sseBody([...events(['kept']).slice(0, 2), 'id: 3\ndata: {"cut\n\n'])),
    )
    const { values, error } = await run(resumableTransport(server.fetch))
    expect(text(values)).toBe('kept')
    expect(error).toMatchObject({ name: 'StreamError', kind: 'parse' })
    expect(server.deletes()).toEqual([server.streamUrl()])
  })

  it('a limit error sends DELETE', async () => {
    const huge = `id: 2\ndata: {"choices":[{"index":0,"delta":{"content":"${'x'.repeat(500)}"}}]}\n\n`
    const server = fakeServer((call) => resumable(call, sseBody([events([])[0] as string, huge])))
    const { error } = await run(resumableTransport(server.fetch, { maxEventSize: 100 }))
    expect(error).toMatchObject({ kind: 'limit' })
    expect(server.deletes()).toEqual([server.streamUrl()])
  })

  it('a provider error sends DELETE', async () => {
    const failure = 'id: 2\ndata: {"error":{"message":"Overloaded","code":"overloaded"}}\n\n'
    const server = fakeServer((call) => resumable(call, sseBody([events([])[0] as string, failure])))
    const { error } = await run(resumableTransport(server.fetch))
    expect(error).toMatchObject({ kind: 'provider', message: expect.stringMatching(/Overloaded/) })
    expect(server.deletes()).toEqual([server.streamUrl()])
  })

  it('a drop before any event id sends DELETE, so a session retrying leaves no orphans', async () => {
    const server = fakeServer((call) =>
      server.posts().length < 3
        ? resumable(call, sseBody([': no event yet\n\n'], { drop: true }))
        : resumable(call, sseBody(events(['third', ' time']))),
    )
    const chat = createChatSession({
      transport: resumableTransport(server.fetch),
      scheduler: syncScheduler,
      retry: { attempts: 3, baseDelayMs: 10 },
    })
    await settle(chat.send('Hi'))
    expect(chat.getSnapshot().messages[1]).toMatchObject({ content: 'third time', status: 'done' })
    expect(server.posts()).toHaveLength(3)
    expect(server.resumes()).toHaveLength(0) // no id: nothing to resume from
    expect(server.deletes()).toEqual([server.streamUrl(0), server.streamUrl(1)])
  })

  it('a resume budget that runs out sends DELETE', async () => {
    const server = fakeServer((call) =>
      call.method === 'POST'
        ? resumable(call, sseBody(events(['one', 'two']).slice(0, 2), { drop: true }))
        : new Response('busy', { status: 503 }),
    )
    const { values, error } = await run(resumableTransport(server.fetch))
    expect(text(values)).toBe('one')
    expect(error).toMatchObject({ kind: 'network' })
    expect(server.resumes()).toHaveLength(3)
    expect(server.deletes()).toEqual([server.streamUrl()])
  })

  it('a network failure of the POST itself cancels the stream the client named', async () => {
    const server = fakeServer(() => Promise.reject(new TypeError('connection reset')))
    const { error } = await run(resumableTransport(server.fetch))
    expect(error).toMatchObject({ kind: 'network' })
    expect(server.deletes()).toEqual([server.streamUrl()])
  })

  it('abort sends DELETE once, at once', async () => {
    const server = fakeServer((call) => resumable(call, sseBody(events(['a', 'b']).slice(0, 2), { drop: false })))
    const controller = new AbortController()
    const iterator = resumableTransport(server.fetch)({ messages: [], signal: controller.signal })[
      Symbol.asyncIterator
    ]()
    await iterator.next() // start
    controller.abort()
    expect(server.deletes()).toEqual([server.streamUrl()]) // before the consumer reads on
    await expect(iterator.next()).rejects.toMatchObject({ kind: 'aborted' })
    expect(server.deletes()).toHaveLength(1)
  })

  it('a consumer that stops early sends DELETE', async () => {
    const server = fakeServer((call) => resumable(call, sseBody(events(['a', 'b', 'c']))))
    for await (const part of resumableTransport(server.fetch)({ messages: [], signal: new AbortController().signal }))
      if (part.type === 'text-delta') break
    expect(server.deletes()).toEqual([server.streamUrl()])
  })

  it('a stream that reaches its end, or a server that does not name it, is not cancelled', async () => {
    const finished = fakeServer((call) => resumable(call, sseBody(events(['all', ' of it']))))
    const signal = new AbortController().signal
    expect(text((await run(resumableTransport(finished.fetch), signal)).values)).toBe('all of it')
    expect(finished.deletes()).toEqual([])
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)

    // No stream id header: the server did not make the stream resumable.
    const plain = fakeServer(
      () => new Response(sseBody(['data: {"cut\n\n']), { headers: { 'content-type': 'text/event-stream' } }),
    )
    expect((await run(resumableTransport(plain.fetch))).error).toMatchObject({ kind: 'parse' })
    expect(plain.deletes()).toEqual([])
  })

  it('a cancel that fails, by rejecting or throwing, never hides the error that ended the stream', async () => {
    for (const failure of ['reject', 'throw'] as const) {
      const server = fakeServer((call) => resumable(call, sseBody(['id: 1\ndata: {"cut\n\n'])))
      const fetch = ((url: string | URL, init?: RequestInit) => {
        if (init?.method !== 'DELETE') return server.fetch(url, init)
        server.calls.push({ method: 'DELETE', url: String(url), headers: new Headers(init.headers) })
        if (failure === 'throw') throw new TypeError('offline')
        return Promise.reject(new TypeError('offline'))
      }) as typeof globalThis.fetch
      const { error } = await run(resumableTransport(fetch))
      expect(error).toMatchObject({ kind: 'parse' })
      expect(server.deletes()).toEqual([server.streamUrl()])
    }
  })
})

describe('the HTTP resume budget is per drop', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('a stream dropped after every event resumes each time, however many drops, each event once', async () => {
    const all = events(['one ', 'two ', 'three ', 'four ', 'five ', 'six'])
    // Every connection delivers one event and drops, until the last: eight drops, far past the three
    // attempts a drop may use.
    const server = fakeServer((call) => {
      const from = Number(call.headers.get('last-event-id') ?? 0)
      const last = from === all.length - 1
      return resumable(call, sseBody(all.slice(from, from + 1), { drop: !last }))
    })
    const { values, error } = await run(resumableTransport(server.fetch))
    expect(error).toBeUndefined()
    expect(text(values)).toBe('one two three four five six')
    // One resume per event after the first: each drop had the whole budget again.
    const ids = all.slice(1).map((_, i) => String(i + 1))
    expect(server.resumes().map((call) => call.headers.get('last-event-id'))).toEqual(ids)
    expect(server.deletes()).toEqual([])
  })

  it('a failed resume attempt counts against that drop only', async () => {
    const all = events(['a', 'b', 'c', 'd', 'e'])
    let gets = 0
    // Each drop: the first two resume attempts fail (503), the third delivers one event and drops.
    const server = fakeServer((call) => {
      if (call.method === 'POST') return resumable(call, sseBody(all.slice(0, 1), { drop: true }))
      if (++gets % 3 !== 0) return new Response('restarting', { status: 503 })
      const from = Number(call.headers.get('last-event-id'))
      return resumable(call, sseBody(all.slice(from, from + 1), { drop: from + 1 < all.length }))
    })
    const { values, error } = await run(resumableTransport(server.fetch))
    expect(error).toBeUndefined()
    expect(text(values)).toBe('abcde')
  })

  it('resumes that bring no new event still run the budget out', async () => {
    const server = fakeServer((call) => {
      if (server.resumes().length > 10) return new Response('stop', { status: 404 }) // bounds a regression
      return call.method === 'POST'
        ? resumable(call, sseBody(events(['only']).slice(0, 2), { drop: true }))
        : resumable(call, sseBody([], { drop: true }))
    })
    const { values, error } = await run(resumableTransport(server.fetch))
    expect(text(values)).toBe('only')
    expect(error).toMatchObject({ kind: 'network' })
    expect(server.resumes()).toHaveLength(3)
    expect(server.deletes()).toEqual([server.streamUrl()])
  })
})
