import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { closeTestServers, startTestServer } from './helpers.js'
import { expectResponsive } from './liveness.js'

afterEach(closeTestServers)

/** The longest answer a request may ask for, as fast as the server can make it. */
const LONGEST = { tokens: 32_768, tokensPerSecond: 0, ttftMs: 0 }

/** A POST on a raw socket that reads nothing back: the client every server meets one day. */
function stuckSseReader(url: string, body: unknown) {
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port) })
  const json = JSON.stringify(body)
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  )
  socket.pause()
  socket.on('error', () => {})
  return socket
}

describe('a client that stops reading', () => {
  it('makes an SSE stream wait for it, then is dropped after the stall window and its slot freed', async () => {
    const server = await startTestServer({ limits: { readerStallMs: 300 } })
    const socket = stuckSseReader(server.url, {
      model: 'rivulet-sim',
      stream: true,
      messages: [{ role: 'user', content: 'Write a long answer' }],
      rivulet: LONGEST,
    })
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    const end = await server.nextEnd()
    // Without waiting for the reader, the whole answer would be generated (and held) at once.
    expect(end.outcome).toBe('stalled')
    expect(end.tokens).toBeLessThan(LONGEST.tokens)
    // The connection was cut: reading now finds what the kernel held, then its end.
    socket.resume()
    await closed
    expect(server.stats().activeStreams).toBe(0)
    await expectResponsive(server.url)
  })

  it('makes WebSocket streams wait for the socket to write out, then drops the socket', async () => {
    const server = await startTestServer({ limits: { readerStallMs: 300 } })
    const socket = new WebSocket(server.wsUrl)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.pause()
    for (const id of ['a', 'b', 'c', 'd'])
      socket.send(
        JSON.stringify({
          type: 'start',
          id,
          request: { messages: [{ role: 'user', content: `Long answer ${id}` }], rivulet: LONGEST },
        }),
      )
    const ends = await Promise.all([server.nextEnd(), server.nextEnd(), server.nextEnd(), server.nextEnd()])
    const outcomes = ends.map((end) => end.outcome)
    // The first to stall cuts the socket: the others end with it.
    expect(outcomes).toContain('stalled')
    for (const outcome of outcomes) expect(['stalled', 'client-gone']).toContain(outcome)
    for (const end of ends) expect(end.tokens).toBeLessThan(LONGEST.tokens)
    socket.resume()
    await closed
    expect(server.stats().activeStreams).toBe(0)
    await expectResponsive(server.url)
  })

  it('a reader that is only slow gets the whole answer', async () => {
    const server = await startTestServer({ limits: { readerStallMs: 2000 } })
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'rivulet-sim',
        stream: true,
        messages: [{ role: 'user', content: 'Write a long answer' }],
        rivulet: { tokens: 4000, tokensPerSecond: 0, ttftMs: 0 },
      }),
    })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    const decoder = new TextDecoder()
    for (let reads = 0; reads < 100_000; reads++) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
      // A pause now and then, shorter than the stall window.
      if (reads % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
    expect((await server.nextEnd()).outcome).toBe('finished')
  })
})
