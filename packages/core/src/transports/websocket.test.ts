import { getEventListeners } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { errorSummary } from '../testing/protocol.js'
import { collect } from '../testing/streams.js'
import type { StreamPart } from '../types.js'
import { text as textMessage } from './requests/__fixtures__/tool-conversation.js'
import type { TransportRequest } from './transport.js'
import { type WebSocketTransport, type WebSocketTransportOptions, websocketTransport } from './websocket.js'

interface ClientFrame {
  type: string
  id?: string
  request?: { messages: { role: string; content: string }[] } & Record<string, unknown>
  after?: number
  resumable?: boolean
}

interface Connection {
  socket: WebSocket
  /** Resolves with the close code once the socket is closed. */
  closed: Promise<number>
}

interface TestServer {
  url: string
  connections: Connection[]
  frames: ClientFrame[]
  /** The first frame (received already or later) that matches. */
  frame(match: (frame: ClientFrame) => boolean): Promise<ClientFrame>
}

type Handler = (frame: ClientFrame, socket: WebSocket, server: TestServer) => void

let servers: WebSocketServer[] = []
let transports: WebSocketTransport[] = []

/** A real `ws` server on an ephemeral loopback port; `handler` plays the server side of the protocol. */
async function serve(handler: Handler, onConnection?: (connection: Connection, server: TestServer) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  servers.push(wss)
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  const waiting: { match: (frame: ClientFrame) => boolean; resolve: (frame: ClientFrame) => void }[] = []
  const server: TestServer = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    connections: [],
    frames: [],
    frame: (match) =>
      new Promise((resolve) => {
        const seen = server.frames.find(match)
        if (seen) resolve(seen)
        else waiting.push({ match, resolve })
      }),
  }
  wss.on('connection', (socket) => {
    const connection = {
      socket,
      closed: new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))),
    }
    server.connections.push(connection)
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ClientFrame
      server.frames.push(frame)
      for (const waiter of waiting.filter((w) => w.match(frame))) {
        waiting.splice(waiting.indexOf(waiter), 1)
        waiter.resolve(frame)
      }
      handler(frame, socket, server)
    })
    onConnection?.(connection, server)
  })
  return server
}

afterEach(async () => {
  for (const transport of transports) transport.close()
  transports = []
  const running = servers
  servers = []
  for (const wss of running) {
    for (const client of wss.clients) client.terminate()
    await new Promise((resolve) => wss.close(resolve))
  }
})

function connect(server: TestServer, options: Partial<WebSocketTransportOptions> = {}): WebSocketTransport {
  const transport = websocketTransport({ url: server.url, WebSocket, ...options })
  transports.push(transport)
  return transport
}

const request = (content: string, signal = new AbortController().signal): TransportRequest => ({
  messages: [textMessage('user', content)],
  signal,
})

const answer = (...words: string[]): StreamPart[] => [
  { type: 'start', messageId: 'm1' },
  ...words.map((text) => ({ type: 'text-delta' as const, text })),
  { type: 'finish', reason: 'stop' },
]

const text = (parts: StreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')

const send = (socket: WebSocket, frame: unknown) => socket.send(JSON.stringify(frame))

/** Sends `parts` as part frames numbered from `firstSeq`, then `end` unless told not to. */
function sendParts(socket: WebSocket, id: string, parts: StreamPart[], { firstSeq = 1, end = true } = {}) {
  for (const [i, part] of parts.entries()) send(socket, { type: 'part', id, seq: firstSeq + i, part })
  if (end) send(socket, { type: 'end', id })
}

/** Answers every start with `answer(...words of the prompt)` and every ping with a pong. */
const echo: Handler = (frame, socket) => {
  if (frame.type === 'ping') send(socket, { type: 'pong' })
  if (frame.type === 'start' && frame.id && frame.request) {
    const prompt = frame.request.messages.at(-1)?.content ?? ''
    sendParts(socket, frame.id, answer(...prompt.split(/(?= )/)))
  }
}

describe('websocketTransport against a real ws server', () => {
  it('streams the parts in order, with the default body and an activity call per frame', async () => {
    const server = await serve((frame, socket, srv) => {
      // A frame for a stream nobody listens to is ignored.
      if (frame.type === 'start') send(socket, { type: 'part', id: 'someone-else', seq: 1, part: answer('x')[1] })
      echo(frame, socket, srv)
    })
    const transport = connect(server, { model: 'rivulet-sim', maxTokens: 64 })
    let activity = 0
    const { values, error } = await collect(
      transport({ ...request('Hello there world'), onActivity: () => activity++ }),
    )
    expect(error).toBeUndefined()
    expect(values).toEqual(answer('Hello', ' there', ' world'))
    expect(activity).toBe(values.length + 1) // every part and the end frame
    expect(transport.maxTokens).toBe(64)
    const start = await server.frame((frame) => frame.type === 'start')
    expect(start).toEqual({
      type: 'start',
      id: expect.any(String),
      request: { model: 'rivulet-sim', messages: [{ role: 'user', content: 'Hello there world' }], max_tokens: 64 },
      resumable: true,
    })
  })

  it('sends the body option as the request', async () => {
    const server = await serve(echo)
    const transport = connect(server, {
      body: ({ messages }) => ({
        model: 'm',
        messages: messages.map(({ role, content }) => ({ role, content })),
        rivulet: { seed: 7 },
      }),
    })
    await collect(transport(request('Hi')))
    const start = await server.frame((frame) => frame.type === 'start')
    expect(start.request).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], rivulet: { seed: 7 } })
  })

  it('multiplexes concurrent streams over one socket, and reuses it for the next request', async () => {
    const starts: ClientFrame[] = []
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start' || starts.length === 2) return echo(frame, socket, server)
      starts.push(frame)
      if (starts.length < 2) return
      // Both live at once: interleave their parts on the one socket.
      const [a, b] = starts.map((start) => ({ id: start.id!, parts: answer(...start.request!.messages[0]!.content) }))
      for (let i = 0; i < Math.max(a!.parts.length, b!.parts.length); i++) {
        if (a!.parts[i]) send(socket, { type: 'part', id: a!.id, seq: i + 1, part: a!.parts[i] })
        if (b!.parts[i]) send(socket, { type: 'part', id: b!.id, seq: i + 1, part: b!.parts[i] })
      }
      send(socket, { type: 'end', id: a!.id })
      send(socket, { type: 'end', id: b!.id })
    })
    const transport = connect(server)
    const [first, second] = await Promise.all([collect(transport(request('abc'))), collect(transport(request('xyz')))])
    expect(first.error).toBeUndefined()
    expect(second.error).toBeUndefined()
    expect(text(first.values)).toBe('abc')
    expect(text(second.values)).toBe('xyz')
    expect(new Set(starts.map((start) => start.id)).size).toBe(2)

    const third = await collect(transport(request('again')))
    expect(text(third.values)).toBe('again')
    expect(server.connections).toHaveLength(1)
  })

  it('abort sends the cancel frame at once, throws aborted and leaves nothing listening', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') sendParts(socket, frame.id!, answer('Hel').slice(0, 2), { end: false })
    })
    const transport = connect(server)
    const controller = new AbortController()
    const iterator = transport(request('Hi', controller.signal))[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toEqual({ type: 'start', messageId: 'm1' })
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Hel' })

    controller.abort()
    // The server hears the cancel before the consumer asks for anything else.
    const cancel = await server.frame((frame) => frame.type === 'cancel')
    const start = await server.frame((frame) => frame.type === 'start')
    expect(cancel).toEqual({ type: 'cancel', id: start.id })
    await expect(iterator.next()).rejects.toMatchObject({ name: 'StreamError', kind: 'aborted' })
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    expect(server.frames.filter((frame) => frame.type === 'cancel')).toHaveLength(1)
  })

  it('a consumer that stops early cancels the stream', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') sendParts(socket, frame.id!, answer('a', 'b'), { end: false })
    })
    const transport = connect(server)
    for await (const part of transport(request('Hi'))) if (part.type === 'text-delta') break
    const start = await server.frame((frame) => frame.type === 'start')
    expect(await server.frame((frame) => frame.type === 'cancel')).toEqual({ type: 'cancel', id: start.id })
  })

  it('an error frame throws a StreamError with its kind, status, code and retryAfterMs, after the parts before it', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start') return
      sendParts(socket, frame.id!, answer('Hel').slice(0, 2), { end: false })
      const error = { kind: 'http', message: 'Slow down', status: 429, code: 'rate_limit_exceeded', retryAfterMs: 1500 }
      send(socket, { type: 'error', id: frame.id, error })
    })
    const { values, error } = await collect(connect(server)(request('Hi')))
    expect(text(values)).toBe('Hel')
    expect(errorSummary(error)).toEqual({
      kind: 'http',
      message: 'Slow down',
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfterMs: 1500,
    })
  })

  it('an error frame with an unknown kind throws kind provider', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') send(socket, { type: 'error', id: frame.id, error: { kind: 'weird', message: 'No' } })
    })
    const { error } = await collect(connect(server)(request('Hi')))
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'No' })
  })

  it('an end frame without a finish part throws interrupted', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') sendParts(socket, frame.id!, answer('Hel').slice(0, 2))
    })
    const { values, error } = await collect(connect(server)(request('Hi')))
    expect(text(values)).toBe('Hel')
    expect(error).toMatchObject({ kind: 'interrupted' })
  })

  it('a socket dropped mid-stream is reconnected and resumed: every part exactly once', async () => {
    const parts = answer('one', ' two', ' three', ' four', ' five', ' six')
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') sendParts(socket, frame.id!, parts.slice(0, 4), { end: false })
      // Replays from the very first part, so the client has to drop what it already has.
      if (frame.type === 'resume') sendParts(socket, frame.id!, parts)
    })
    const transport = connect(server, { reconnect: { baseDelayMs: 1 } })
    const iterator = transport(request('Hi'))[Symbol.asyncIterator]()
    const values: StreamPart[] = []
    for (let i = 0; i < 4; i++) values.push((await iterator.next()).value as StreamPart)
    server.connections[0]!.socket.terminate()
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) values.push(next.value)

    expect(values).toEqual(parts)
    const start = await server.frame((frame) => frame.type === 'start')
    expect(await server.frame((frame) => frame.type === 'resume')).toEqual({ type: 'resume', id: start.id, after: 4 })
    expect(server.connections).toHaveLength(2)
  })

  it('a drop after the finish part ends the stream cleanly, without reconnecting', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') {
        sendParts(socket, frame.id!, answer('done'), { end: false })
        socket.close(1001)
      }
    })
    const { values, error } = await collect(connect(server, { reconnect: { baseDelayMs: 1 } })(request('Hi')))
    expect(error).toBeUndefined()
    expect(values).toEqual(answer('done'))
    expect(server.connections).toHaveLength(1)
  })

  it('throws network once the reconnect attempts run out', async () => {
    const server = await serve(
      (frame, socket) => {
        if (frame.type === 'start') {
          sendParts(socket, frame.id!, answer('Hel').slice(0, 2), { end: false })
          socket.close(1011)
        }
      },
      (connection, srv) => {
        if (srv.connections.length > 1) connection.socket.terminate()
      },
    )
    const { values, error } = await collect(
      connect(server, { reconnect: { attempts: 2, baseDelayMs: 1 } })(request('Hi')),
    )
    expect(text(values)).toBe('Hel')
    expect(error).toMatchObject({ name: 'StreamError', kind: 'network' })
    expect(server.connections).toHaveLength(3) // the first one and two attempts
  })

  it('with reconnect false, streams are not resumable and a drop throws network at once', async () => {
    let resumable: unknown
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start') return
      resumable = frame.resumable
      socket.terminate()
    })
    const { error } = await collect(connect(server, { reconnect: false })(request('Hi')))
    expect(resumable).toBe(false)
    expect(error).toMatchObject({ kind: 'network' })
    expect(server.connections).toHaveLength(1)
  })

  it('a silent socket is dropped at the ping interval and the stream resumed', async () => {
    const parts = answer('a', 'b')
    const server = await serve((frame, socket, srv) => {
      // The first connection goes quiet after one part: no pong, no more parts.
      if (frame.type === 'start') sendParts(socket, frame.id!, parts.slice(0, 1), { end: false })
      if (frame.type === 'resume')
        sendParts(socket, frame.id!, parts.slice(frame.after), { firstSeq: frame.after! + 1 })
      if (frame.type === 'ping' && socket !== srv.connections[0]!.socket) send(socket, { type: 'pong' })
    })
    const { values, error } = await collect(
      connect(server, { pingIntervalMs: 20, reconnect: { baseDelayMs: 1 } })(request('Hi')),
    )
    expect(error).toBeUndefined()
    expect(values).toEqual(parts)
    expect(server.frames).toContainEqual({ type: 'ping' })
    expect(server.connections).toHaveLength(2)
  })

  it('a frame cut off after its id fails only that stream with parse; the other on the socket goes on', async () => {
    const starts: ClientFrame[] = []
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start') return
      starts.push(frame)
      if (starts.length < 2) return
      const [broken, healthy] = starts as [ClientFrame, ClientFrame]
      sendParts(socket, broken.id!, answer('a').slice(0, 2), { end: false })
      sendParts(socket, healthy.id!, answer('x').slice(0, 2), { end: false })
      socket.send(`{"type":"part","id":${JSON.stringify(broken.id)},"seq":`)
      sendParts(socket, healthy.id!, answer('x', 'y').slice(2), { firstSeq: 3 })
    })
    const transport = connect(server)
    const [broken, healthy] = await Promise.all([collect(transport(request('a'))), collect(transport(request('b')))])
    expect(text(broken.values)).toBe('a')
    expect(broken.error).toMatchObject({ name: 'StreamError', kind: 'parse' })
    expect(healthy.error).toBeUndefined()
    expect(healthy.values).toEqual(answer('x', 'y'))
    // Only the broken stream is cancelled; the socket stays open for the next request.
    await server.frame((frame) => frame.type === 'cancel')
    expect(server.frames.filter((frame) => frame.type === 'cancel')).toEqual([{ type: 'cancel', id: starts[0]!.id }])
    expect(server.connections).toHaveLength(1)
    expect(server.connections[0]!.socket.readyState).toBe(WebSocket.OPEN)
  })

  it('a frame with an id but no type fails only that stream', async () => {
    const starts: ClientFrame[] = []
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start') return
      starts.push(frame)
      if (starts.length < 2) return
      const [broken, healthy] = starts as [ClientFrame, ClientFrame]
      send(socket, { id: broken.id, seq: 1 })
      sendParts(socket, healthy.id!, answer('fine'))
    })
    const transport = connect(server)
    const [broken, healthy] = await Promise.all([collect(transport(request('a'))), collect(transport(request('b')))])
    expect(broken.error).toMatchObject({ kind: 'parse' })
    expect(healthy).toEqual({ values: answer('fine') })
  })

  it('a frame that names no stream is reported to onMalformed and ignored: every stream goes on', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start') return
      socket.send('{"type":"part",')
      socket.send('not json at all')
      socket.send(Buffer.from('binary'), { binary: true })
      socket.send('["an array"]')
      // Cut off, with the stream's id quoted inside a string: not the frame's own id.
      socket.send(`{"type":"note","text":${JSON.stringify(`"id":"${frame.id}"`)}`)
      echo(frame, socket, server)
    })
    const reported: unknown[] = []
    const transport = connect(server, { onMalformed: (error) => reported.push(error) })
    const [first, second] = await Promise.all([collect(transport(request('one'))), collect(transport(request('two')))])
    expect(first).toEqual({ values: answer('one') })
    expect(second).toEqual({ values: answer('two') })
    expect(reported).toHaveLength(10)
    for (const error of reported) expect(error).toMatchObject({ name: 'StreamError', kind: 'parse' })
    expect(server.frames.filter((frame) => frame.type === 'cancel')).toHaveLength(0)
    expect(server.connections).toHaveLength(1)
  })

  it('a part that skips a seq (one went missing) fails that stream with parse, after the parts before it', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type !== 'start') return
      const parts = answer('a', 'b', 'c')
      send(socket, { type: 'part', id: frame.id, seq: 1, part: parts[0] })
      send(socket, { type: 'part', id: frame.id, seq: 2, part: parts[1] })
      send(socket, { type: 'part', id: frame.id, seq: 4, part: parts[3] })
    })
    const { values, error } = await collect(connect(server)(request('Hi')))
    expect(text(values)).toBe('a')
    expect(error).toMatchObject({ kind: 'parse', message: expect.stringMatching(/Part 3/) })
    const start = await server.frame((frame) => frame.type === 'start')
    expect(await server.frame((frame) => frame.type === 'cancel')).toEqual({ type: 'cancel', id: start.id })
  })

  it('a part that is not a StreamPart fails that stream with parse', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') send(socket, { type: 'part', id: frame.id, seq: 1, part: { type: 'text-delta' } })
    })
    const { error } = await collect(connect(server)(request('Hi')))
    expect(error).toMatchObject({ kind: 'parse' })
  })

  it('closes the socket once idle and opens a new one for the next request', async () => {
    const server = await serve(echo)
    const transport = connect(server, { idleTimeoutMs: 5 })
    expect(text((await collect(transport(request('one')))).values)).toBe('one')
    expect(await server.connections[0]!.closed).toBe(1000)
    expect(text((await collect(transport(request('two')))).values)).toBe('two')
    expect(server.connections).toHaveLength(2)
  })

  it('close() cancels the live streams, ends them and closes the socket', async () => {
    const server = await serve((frame, socket) => {
      if (frame.type === 'start') sendParts(socket, frame.id!, answer('a').slice(0, 1), { end: false })
    })
    const transport = connect(server)
    const iterator = transport(request('Hi'))[Symbol.asyncIterator]()
    await iterator.next()
    transport.close()
    await expect(iterator.next()).rejects.toMatchObject({ kind: 'aborted' })
    expect(await server.connections[0]!.closed).toBe(1000)
    expect(server.frames.map((frame) => frame.type)).toEqual(['start', 'cancel'])
  })

  it('an aborted signal throws before anything is opened', async () => {
    const server = await serve(echo)
    const controller = new AbortController()
    controller.abort()
    const { error } = await collect(connect(server)(request('Hi', controller.signal)))
    expect(error).toMatchObject({ kind: 'aborted' })
    expect(server.connections).toHaveLength(0)
  })
})
