import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decode, openaiChatEncoder, type StreamPart } from '@rivulet/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { chatBody, closeTestServers, postJson, readEvents, startTestServer, user } from './helpers.js'

let upstream: Server | undefined

afterEach(async () => {
  await closeTestServers()
  const running = upstream
  upstream = undefined
  if (running === undefined) return
  running.closeAllConnections()
  await new Promise((resolve) => running.close(resolve))
})

interface Seen {
  auth?: string
  body?: Record<string, unknown>
  closedEarly: boolean
}

/** An OpenAI-compatible upstream: the first word at once, the rest once `release()` is called. */
async function fakeUpstream() {
  const seen: Seen = { closedEarly: false }
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let requestClosed!: () => void
  const closed = new Promise<void>((resolve) => (requestClosed = resolve))
  upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', async () => {
      seen.auth = req.headers.authorization
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-up', object: 'model', owned_by: 'up' }] }))
        return
      }
      seen.body = JSON.parse(raw)
      if (seen.body?.model === 'locked') {
        res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': 'req_123' })
        res.end(
          JSON.stringify({
            error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' },
          }),
        )
        return
      }
      if (seen.body?.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            id: 'chatcmpl-up',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }],
          }),
        )
        return
      }
      res.on('close', () => {
        if (!res.writableFinished) seen.closedEarly = true
        requestClosed()
      })
      const encoder = openaiChatEncoder({ id: 'chatcmpl-up', model: String(seen.body?.model) })
      const parts: StreamPart[] = [
        { type: 'start' },
        { type: 'text-delta', text: 'Hello' },
        { type: 'text-delta', text: ' from' },
        { type: 'text-delta', text: ' upstream' },
        { type: 'finish', reason: 'stop' },
      ]
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(encoder.push(parts[0] as StreamPart) + encoder.push(parts[1] as StreamPart))
      await released
      if (res.destroyed) return
      res.end(
        parts
          .slice(2)
          .map((part) => encoder.push(part))
          .join('') + encoder.end(),
      )
    })
  })
  await new Promise<void>((resolve) => upstream?.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`
  return { url, seen, release, closed }
}

describe('relaying to an upstream', () => {
  it('streams through event by event, with this server’s ids, and the key sent upstream', async () => {
    const fake = await fakeUpstream()
    const server = await startTestServer({ upstream: { url: fake.url, apiKey: 'sk-up' } })
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ model: 'gpt-up', stream: true, rivulet: { seed: 1 } }),
    )
    expect(response.status).toBe(200)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    // The first word arrives while the upstream still holds the rest: nothing is buffered.
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain('Hello')
    expect(first).toMatch(/^id: 1\n/)
    fake.release()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value)
    const events = [...readFrom(first), ...readFrom(rest)]
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => String(i + 1)))
    expect(events.at(-1)?.data).toBe('[DONE]')
    expect(fake.seen.auth).toBe('Bearer sk-up')
    expect(fake.seen.body).not.toHaveProperty('rivulet')
    expect((await server.nextEnd()).tokens).toBe(3)
  })

  it('aborts the upstream request when the client goes away', async () => {
    const fake = await fakeUpstream()
    const server = await startTestServer({ upstream: { url: fake.url } })
    const controller = new AbortController()
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ model: 'gpt-up', stream: true }),
      {},
      controller.signal,
    )
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    controller.abort()
    await fake.closed
    expect(fake.seen.closedEarly).toBe(true)
    expect((await server.nextEnd()).outcome).toBe('client-gone')
  })

  it('passes upstream errors and whole answers through as they are', async () => {
    const fake = await fakeUpstream()
    const server = await startTestServer({ upstream: { url: fake.url } })
    const denied = await postJson(`${server.url}/v1/chat/completions`, chatBody({ model: 'locked', stream: true }))
    expect(denied.status).toBe(401)
    expect(denied.headers.get('x-request-id')).toBe('req_123')
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key')
    const whole = await postJson(`${server.url}/v1/chat/completions`, chatBody({ model: 'gpt-up' }))
    expect(((await whole.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      'whole',
    )
  })

  it('keeps the simulated model by name, and lists both', async () => {
    const fake = await fakeUpstream()
    const server = await startTestServer({ upstream: { url: fake.url } })
    const simulated = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 4 } }),
    )
    const events = await readEvents(simulated)
    expect(events.at(-1)?.data).toBe('[DONE]')
    expect(fake.seen.body).toBeUndefined()
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] }
    expect(models.data.map((model) => model.id)).toEqual(['rivulet-sim', 'gpt-up'])
  })

  it('answers 502 when the upstream cannot be reached', async () => {
    const server = await startTestServer({ upstream: { url: 'http://127.0.0.1:1/v1' } })
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ model: 'gpt-up', stream: true }))
    expect(response.status).toBe(502)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable')
  })

  it('relays over the WebSocket too, decoded into parts', async () => {
    const fake = await fakeUpstream()
    fake.release()
    const server = await startTestServer({ upstream: { url: fake.url } })
    const socket = new WebSocket(server.wsUrl)
    const frames: { type: string; part?: StreamPart }[] = []
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'start', id: 'up', request: { model: 'gpt-up', messages: user('hi') } }))
    await vi.waitFor(() => expect(frames.at(-1)?.type).toBe('end'))
    const text = frames.map((frame) => (frame.part?.type === 'text-delta' ? frame.part.text : '')).join('')
    expect(text).toBe('Hello from upstream')
    expect(fake.seen.body).toMatchObject({ stream: true, model: 'gpt-up' })
    socket.close()
  })

  it('core decode reads a relayed stream', async () => {
    const fake = await fakeUpstream()
    fake.release()
    const server = await startTestServer({ upstream: { url: fake.url } })
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ model: 'gpt-up', stream: true }))
    let text = ''
    for await (const part of decode(response, { protocol: 'openai-chat' }))
      if (part.type === 'text-delta') text += part.text
    expect(text).toBe('Hello from upstream')
  })
})

function readFrom(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const id = /^id: (.*)$/m.exec(block)?.[1]
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? ''
      return { id, data }
    })
}
