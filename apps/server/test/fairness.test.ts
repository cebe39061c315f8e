import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { chatBody, closeTestServers, postJson, startTestServer, user } from './helpers.js'
import { expectResponsive } from './liveness.js'

afterEach(closeTestServers)

/** A stream that takes a while, so it holds its slot while the test looks. */
const slow = { tokens: 40, tokensPerSecond: 20 }

describe('one client cannot hold every stream slot', () => {
  it('caps concurrent streams per client IP with 429, and frees the slot when a stream ends', async () => {
    const server = await startTestServer({ limits: { maxStreamsPerClient: 2, maxConcurrentStreams: 100 } })
    const controller = new AbortController()
    const held = await Promise.all(
      [1, 2].map(() =>
        postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true, rivulet: slow }), {}, controller.signal),
      ),
    )
    for (const response of held) expect(response.status).toBe(200)
    const third = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true, rivulet: slow }))
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('1')
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_streams')
    controller.abort()
    await server.nextEnd()
    await server.nextEnd()
    const after = await postJson(`${server.url}/v1/chat/completions`, chatBody({ rivulet: { tokens: 3 } }))
    expect(after.status).toBe(200)
    await expectResponsive(server.url)
  })

  it('caps concurrent streams per WebSocket, while another socket still gets its own', async () => {
    const server = await startTestServer({ limits: { maxStreamsPerClient: 2, maxConcurrentStreams: 100 } })
    const open = async () => {
      const socket = new WebSocket(server.wsUrl)
      const frames: { type: string; id?: string; error?: { status?: number; code?: string } }[] = []
      socket.on('message', (data) => frames.push(JSON.parse(data.toString())))
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve())
        socket.once('error', reject)
      })
      const start = (id: string) =>
        socket.send(JSON.stringify({ type: 'start', id, request: { messages: user(id), rivulet: slow } }))
      return { socket, frames, start }
    }
    const first = await open()
    for (const id of ['a', 'b', 'c']) first.start(id)
    const until = async (predicate: () => boolean) => {
      for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(predicate()).toBe(true)
    }
    await until(() => first.frames.some((frame) => frame.id === 'c' && frame.type === 'error'))
    expect(first.frames.find((frame) => frame.id === 'c')).toMatchObject({
      type: 'error',
      error: { status: 429, code: 'too_many_streams' },
    })
    const second = await open()
    second.start('d')
    await until(() => second.frames.some((frame) => frame.id === 'd' && frame.type === 'part'))
    first.socket.close()
    second.socket.close()
    await expectResponsive(server.url)
  })

  it('streams at full speed share each turn of the event loop: /health still answers within 50 ms', async () => {
    const server = await startTestServer({
      limits: { maxStreamsPerClient: 1000, maxConcurrentStreams: 1000, rateLimit: false },
    })
    const { hostname, port } = new URL(server.url)
    const body = JSON.stringify(chatBody({ stream: true, rivulet: { tokens: 32_768, tokensPerSecond: 0 } }))
    // Readers that take nothing: the kernel's buffers keep every stream generating flat out for a while.
    const sockets = Array.from({ length: 300 }, () => {
      const socket = connect({ host: hostname, port: Number(port) })
      socket.on('error', () => {})
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      )
      socket.pause()
      return socket
    })
    try {
      for (let i = 0; i < 1000 && server.stats().activeStreams < 300; i++) await new Promise((r) => setTimeout(r, 10))
      expect(server.stats().activeStreams).toBe(300)
      // Past the connection storm: every stream generating flat out.
      await new Promise((resolve) => setTimeout(resolve, 500))
      await expectResponsive(server.url)
      await expectResponsive(server.url)
    } finally {
      for (const socket of sockets) socket.destroy()
    }
  }, 20_000)

  it('refuses a simulated pace too slow to finish within the stream time limit', async () => {
    const server = await startTestServer({ limits: { maxStreamDurationMs: 60_000 } })
    const tooSlow = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 1000, tokensPerSecond: 1 } }),
    )
    expect(tooSlow.status).toBe(400)
    const error = ((await tooSlow.json()) as { error: { code: string; param: string } }).error
    expect(error).toMatchObject({ code: 'stream_too_slow', param: 'rivulet.tokensPerSecond' })
    const crawl = await postJson(`${server.url}/v1/chat/completions`, chatBody({ rivulet: { tokensPerSecond: 0.01 } }))
    expect(crawl.status).toBe(400)
    expect(server.stats().activeStreams).toBe(0)
    await expectResponsive(server.url)
  })
})
