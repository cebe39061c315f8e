import { type StreamPart, websocketTransport } from '@rivulet/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { closeTestServers, startTestServer, type TestServer, user, userMessages } from './helpers.js'

afterEach(closeTestServers)

interface Frame {
  type: string
  id?: string
  seq?: number
  part?: StreamPart
  error?: { kind: string; message: string; status?: number; code?: string; retryAfterMs?: number }
}

/** A ws client that keeps every frame it receives. */
async function connect(server: TestServer, headers: Record<string, string> = {}) {
  const socket = new WebSocket(server.wsUrl, { headers })
  const frames: Frame[] = []
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame))
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  const send = (frame: unknown) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  const of = (id: string) => frames.filter((frame) => frame.id === id)
  const until = (predicate: () => boolean) =>
    vi.waitFor(() => expect(predicate()).toBe(true), { timeout: 5000, interval: 2 })
  const ended = (id: string) => until(() => of(id).some((frame) => frame.type === 'end' || frame.type === 'error'))
  /** A ping answered: every frame the server sent before it has arrived. */
  const roundTrip = async () => {
    const pongs = frames.filter((frame) => frame.type === 'pong').length
    send({ type: 'ping' })
    await until(() => frames.filter((frame) => frame.type === 'pong').length > pongs)
  }
  return { socket, frames, closed, send, of, until, ended, roundTrip }
}

const start = (id: string, request: Record<string, unknown> = {}, resumable?: boolean) => ({
  type: 'start',
  id,
  request: { messages: user(`Question ${id}`), ...request },
  ...(resumable !== undefined && { resumable }),
})

describe('the WebSocket endpoint', () => {
  it('multiplexes streams by id, each with gapless seqs, a finish part and then end', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    const ids = ['a', 'b', 'c']
    for (const id of ids) client.send(start(id, { rivulet: { tokens: 30, tokensPerSecond: 1000 } }))
    await Promise.all(ids.map((id) => client.ended(id)))
    for (const id of ids) {
      const frames = client.of(id)
      const parts = frames.filter((frame) => frame.type === 'part')
      expect(parts.map((frame) => frame.seq)).toEqual(parts.map((_, i) => i + 1))
      expect(parts[0]?.part).toMatchObject({ type: 'start', model: 'rivulet-sim' })
      expect(parts.filter((frame) => frame.part?.type === 'text-delta')).toHaveLength(30)
      expect(parts.at(-1)?.part).toEqual({ type: 'finish', reason: 'stop' })
      expect(frames.at(-1)).toEqual({ type: 'end', id })
    }
    // Interleaved on the wire, not one after the other.
    const order = client.frames.filter((frame) => frame.type === 'part').map((frame) => frame.id)
    expect(order.indexOf('c')).toBeLessThan(order.lastIndexOf('a'))
    client.socket.close()
  })

  it('answers ping with pong and ignores frame types it does not know', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send({ type: 'hello-from-the-future' })
    await client.roundTrip()
    expect(client.frames).toEqual([{ type: 'pong' }])
  })

  it('cancel stops the stream and nothing more is sent for it', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send(start('long', { rivulet: { tokens: 5000, tokensPerSecond: 300 } }))
    await client.until(() => client.of('long').length >= 4)
    client.send({ type: 'cancel', id: 'long' })
    const end = await server.nextEnd()
    expect(end.outcome).toBe('cancelled')
    await client.roundTrip()
    const count = client.of('long').length
    await client.roundTrip()
    expect(client.of('long')).toHaveLength(count)
    expect(client.of('long').some((frame) => frame.type === 'end' || frame.type === 'error')).toBe(false)
    expect(end.tokens).toBeLessThan(100)
  })

  it('a stream that is not resumable stops within 50 ms of its socket closing', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send(start('s1', { rivulet: { tokens: 5000, tokensPerSecond: 400 } }, false))
    await client.until(() => client.of('s1').length >= 5)
    const closedAt = performance.now()
    const tokensAtClose = server.stats().tokensGenerated
    client.socket.terminate()
    const end = await server.nextEnd()
    expect(end).toMatchObject({ outcome: 'client-gone', transport: 'ws' })
    expect(end.endedAt - closedAt).toBeLessThan(50)
    expect(end.tokens - tokensAtClose).toBeLessThanOrEqual(21)
  })

  it('a resumable stream survives its socket: resume on another gets every part exactly once', async () => {
    const server = await startTestServer()
    const first = await connect(server)
    first.send(start('r1', { rivulet: { tokens: 60, tokensPerSecond: 500, seed: 5 } }, true))
    await first.until(() => first.of('r1').length >= 10)
    first.socket.terminate()
    const seen = first.of('r1')
    const after = seen.at(-1)?.seq as number

    const second = await connect(server)
    second.send({ type: 'resume', id: 'r1', after })
    await second.ended('r1')
    const all = [...seen, ...second.of('r1')].filter((frame) => frame.type === 'part')
    expect(all.map((frame) => frame.seq)).toEqual(all.map((_, i) => i + 1))
    expect(all.filter((frame) => frame.part?.type === 'text-delta')).toHaveLength(60)
    expect(second.of('r1').at(-1)).toEqual({ type: 'end', id: 'r1' })
    expect((await server.nextEnd()).outcome).toBe('finished')
  })

  it('resume of an unknown stream answers stream_not_found', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send({ type: 'resume', id: 'nope', after: 0 })
    await client.ended('nope')
    expect(client.of('nope')[0]?.error).toMatchObject({ kind: 'interrupted', code: 'stream_not_found' })
  })

  it('sends request problems and http faults as error frames, leaving the socket open', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send(start('bad', { messages: [] }))
    client.send(start('model', { model: 'gpt-nope' }))
    client.send(start('busy', { rivulet: { fault: { type: 'http', status: 429, retryAfterS: 2 } } }))
    await Promise.all(['bad', 'model', 'busy'].map((id) => client.ended(id)))
    expect(client.of('bad')[0]?.error).toMatchObject({ kind: 'http', status: 400 })
    expect(client.of('bad')[0]?.error?.message).toContain('request.messages')
    expect(client.of('model')[0]?.error).toMatchObject({ kind: 'http', status: 404, code: 'model_not_found' })
    expect(client.of('busy')[0]?.error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 2000 })
    await client.roundTrip()
  })

  it('closes with 1003 on a binary frame and 1008 with a reason on a bad one', async () => {
    const server = await startTestServer()
    const cases: [unknown, number, RegExp][] = [
      [Buffer.from([1, 2, 3]), 1003, /Binary/],
      ['{not json', 1008, /not valid JSON/],
      ['[1,2]', 1008, /JSON object/],
      [{ type: 'start', request: {} }, 1008, /start frame: id/],
      [{ type: 'resume', id: 'x', after: -1 }, 1008, /resume frame: after/],
    ]
    for (const [frame, code, reason] of cases) {
      const client = await connect(server)
      if (Buffer.isBuffer(frame)) client.socket.send(frame)
      else client.send(frame)
      const closed = await client.closed
      expect(closed.code).toBe(code)
      expect(closed.reason).toMatch(reason)
    }
    const client = await connect(server)
    client.send(start('twice', { rivulet: { ttftMs: 5000 } }))
    client.send(start('twice'))
    expect(await client.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/already in use/) })
  })

  it('refuses upgrades from origins outside the allowlist', async () => {
    const server = await startTestServer()
    await expect(connect(server, { origin: 'https://evil.example' })).rejects.toThrow(/403/)
    const allowed = await connect(server, { origin: 'http://localhost:5173' })
    allowed.socket.close()
  })
})

describe('core websocketTransport against the endpoint', () => {
  const collect = async (parts: AsyncIterable<StreamPart>) => {
    const values: StreamPart[] = []
    try {
      for await (const part of parts) values.push(part)
    } catch (error) {
      return { values, error: error as Error & { kind?: string } }
    }
    return { values, error: undefined }
  }

  it('streams concurrent requests over one socket', async () => {
    const server = await startTestServer()
    const transport = websocketTransport({ url: server.wsUrl, WebSocket, model: 'rivulet-sim' })
    const signal = new AbortController().signal
    const results = await Promise.all(
      ['one', 'two', 'three'].map((question) => collect(transport({ messages: userMessages(question), signal }))),
    )
    for (const { values, error } of results) {
      expect(error).toBeUndefined()
      expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
    }
    expect(server.stats().sockets).toBe(1)
    transport.close()
  })

  it('reconnects after a drop and resumes: the same answer as without it', async () => {
    const server = await startTestServer()
    const body = (fault?: unknown) => () => ({
      messages: user('Explain exactly-once delivery'),
      rivulet: { tokens: 50, tokensPerSecond: 2000, ...(fault !== undefined && { fault }) },
    })
    const signal = new AbortController().signal
    const reference = websocketTransport({ url: server.wsUrl, WebSocket, body: body() })
    const expected = await collect(reference({ messages: [], signal }))
    reference.close()
    const dropping = websocketTransport({
      url: server.wsUrl,
      WebSocket,
      body: body({ type: 'drop', afterTokens: 20 }),
      reconnect: { baseDelayMs: 1 },
    })
    const resumed = await collect(dropping({ messages: [], signal }))
    dropping.close()
    expect(resumed.error).toBeUndefined()
    const textOf = (parts: StreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')
    expect(textOf(resumed.values)).toBe(textOf(expected.values))
    expect(resumed.values.filter((part) => part.type === 'text-delta')).toHaveLength(50)
  })

  it('abort cancels on the server', async () => {
    const server = await startTestServer()
    const transport = websocketTransport({
      url: server.wsUrl,
      WebSocket,
      body: () => ({ messages: user('long'), rivulet: { tokens: 5000, tokensPerSecond: 300 } }),
    })
    const controller = new AbortController()
    const result = await collect(
      (async function* () {
        for await (const part of transport({ messages: [], signal: controller.signal })) {
          yield part
          if (part.type === 'text-delta') controller.abort()
        }
      })(),
    )
    expect(result.error?.kind).toBe('aborted')
    expect((await server.nextEnd()).outcome).toBe('cancelled')
    transport.close()
  })

  it('a malformed frame fails the stream with parse', async () => {
    const server = await startTestServer()
    const transport = websocketTransport({
      url: server.wsUrl,
      WebSocket,
      body: () => ({ messages: user('x'), rivulet: { tokens: 20, fault: { type: 'malformed', afterTokens: 5 } } }),
      reconnect: false,
    })
    const { values, error } = await collect(transport({ messages: [], signal: new AbortController().signal }))
    expect(error?.kind).toBe('parse')
    expect(values.filter((part) => part.type === 'text-delta')).toHaveLength(5)
    transport.close()
  })

  it('carries a web search the model ran and an image as parts: the call and result, sources, a file', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send(start('search', { rivulet: { webSearch: true, image: true, tokens: 60 } }))
    await client.ended('search')
    const parts = client.of('search').flatMap((frame) => (frame.part ? [frame.part] : []))
    const kinds = parts.map((part) => part.type).filter((type) => type !== 'text-delta')
    expect(kinds).toEqual([
      'start',
      'usage',
      'tool-call',
      'tool-result',
      'source',
      'source',
      'source',
      'file',
      'usage',
      'finish',
    ])
    const call = parts.find((part) => part.type === 'tool-call')
    const result = parts.find((part) => part.type === 'tool-result')
    expect(call).toMatchObject({ name: 'web_search', providerExecuted: true, id: expect.stringMatching(/^ws_/) })
    expect(result).toMatchObject({ providerExecuted: true, id: call?.type === 'tool-call' && call.id })
    expect(parts.find((part) => part.type === 'file')).toMatchObject({ mediaType: 'image/png' })
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(60)
    client.socket.close()
  })

  it('refuses a broken tool history with a 400 error frame', async () => {
    const server = await startTestServer()
    const client = await connect(server)
    client.send(start('orphan', { messages: [...user('hi'), { role: 'tool', tool_call_id: 'call_x', content: '{}' }] }))
    await client.ended('orphan')
    expect(client.of('orphan')[0]?.error).toMatchObject({ kind: 'http', status: 400 })
    expect(client.of('orphan')[0]?.error?.message).toContain('request.messages[1].tool_call_id')
    client.socket.close()
  })
})
