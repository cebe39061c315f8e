import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryStreamStore } from '../src/index.js'
import {
  chatBody,
  closeTestServers,
  content,
  parseEvents,
  postJson,
  readEvents,
  readUntilCut,
  startTestServer,
  user,
} from './helpers.js'

afterEach(closeTestServers)

const RESUMABLE = { 'x-rivulet-resumable': '1' }

function resume(url: string, id: string, lastEventId?: number | string) {
  return fetch(`${url}/v1/streams/${id}`, {
    headers: lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) },
  })
}

describe('resumable streams', () => {
  it('resume after a forced drop: every event exactly once, then the end', async () => {
    const server = await startTestServer()
    const sim = { seed: 3, tokens: 60 }
    const reference = await readEvents(
      await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true, rivulet: sim })),
    )

    const first = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { ...sim, fault: { type: 'drop', afterTokens: 20 } } }),
      { ...RESUMABLE, 'x-rivulet-stream-id': 'forced-drop-1' },
    )
    expect(first.headers.get('x-rivulet-stream-id')).toBe('forced-drop-1')
    const before = await readUntilCut(first)
    expect(before.failed).toBe(true)
    const lastId = Number(before.events.at(-1)?.id)
    expect(lastId).toBe(21) // the role chunk, then 20 tokens

    const after = await readEvents(await resume(server.url, 'forced-drop-1', lastId))
    const all = [...before.events, ...after]
    expect(all.map((event) => Number(event.id))).toEqual(all.map((_, i) => i + 1))
    expect(content(all)).toBe(content(reference))
    expect(all.at(-1)?.data).toBe('[DONE]')
  })

  it('a resumed stream that is still generating replays what was missed, then goes on live', async () => {
    const server = await startTestServer()
    const controller = new AbortController()
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 40, tokensPerSecond: 250 } }),
      RESUMABLE,
      controller.signal,
    )
    const id = response.headers.get('x-rivulet-stream-id') as string
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let text = ''
    while (parseEvents(text.slice(0, text.lastIndexOf('\n\n') + 2)).length < 4) {
      const { value } = await reader.read()
      text += decoder.decode(value)
    }
    controller.abort()
    const seen = parseEvents(text.slice(0, text.lastIndexOf('\n\n') + 2))
    const lastId = Number(seen.at(-1)?.id)
    const tokensWhenDropped = server.stats().tokensGenerated

    const rest = await readEvents(await resume(server.url, id, lastId))
    expect(rest[0]?.id).toBe(String(lastId + 1))
    expect(rest.map((event) => Number(event.id))).toEqual(rest.map((_, i) => lastId + 1 + i))
    expect(rest.at(-1)?.data).toBe('[DONE]')
    const end = await server.nextEnd()
    // It went on generating after its connection dropped: nobody stopped it.
    expect(end).toMatchObject({ outcome: 'finished', tokens: 40 })
    expect(tokensWhenDropped).toBeLessThan(40)
  })

  it('replays from any position, as often as asked, and from the start without Last-Event-ID', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), RESUMABLE)
    const id = response.headers.get('x-rivulet-stream-id') as string
    const all = await readEvents(response)
    const fromFive = await readEvents(await resume(server.url, id, 5))
    expect(fromFive).toEqual(all.slice(5))
    expect(await readEvents(await resume(server.url, id, 5))).toEqual(all.slice(5))
    expect(await readEvents(await resume(server.url, id))).toEqual(all)
    expect(await readEvents(await resume(server.url, id, all.length))).toEqual([])
  })

  it('resumes an Anthropic stream in its own format', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/messages`, {
      model: 'rivulet-sim',
      max_tokens: 300,
      stream: true,
      messages: user('hi'),
      rivulet: { resumable: true },
    })
    const id = response.headers.get('x-rivulet-stream-id') as string
    expect(id).toBeTruthy()
    const all = await readEvents(response)
    const replay = await resume(server.url, id, 2)
    expect(replay.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(await readEvents(replay)).toEqual(all.slice(2))
  })

  it('DELETE cancels a live stream: 204, it stops, and it is gone', async () => {
    const server = await startTestServer()
    const controller = new AbortController()
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 5000, tokensPerSecond: 200 } }),
      RESUMABLE,
      controller.signal,
    )
    const id = response.headers.get('x-rivulet-stream-id') as string
    const cancelledAt = performance.now()
    const cancel = await fetch(`${server.url}/v1/streams/${id}`, { method: 'DELETE' })
    expect(cancel.status).toBe(204)
    const end = await server.nextEnd()
    expect(end.outcome).toBe('cancelled')
    expect(end.endedAt - cancelledAt).toBeLessThan(50)
    expect((await resume(server.url, id, 0)).status).toBe(404)
    expect((await fetch(`${server.url}/v1/streams/${id}`, { method: 'DELETE' })).status).toBe(404)
    controller.abort()
  })

  it('a cancel that arrives before its stream still stops it', async () => {
    const server = await startTestServer()
    const early = await fetch(`${server.url}/v1/streams/named-early`, { method: 'DELETE' })
    expect(early.status).toBe(404)
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), {
      ...RESUMABLE,
      'x-rivulet-stream-id': 'named-early',
    })
    expect(response.status).toBe(409)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('stream_cancelled')
    expect(server.stats().streamsStarted).toBe(0)
  })

  it('a cancel while the request body is still arriving is accepted and stops the stream', async () => {
    const server = await startTestServer()
    const body = JSON.stringify(chatBody({ stream: true }))
    const status = new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/v1/chat/completions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...RESUMABLE, 'x-rivulet-stream-id': 'named-slow' },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.write(body.slice(0, 10))
      // The headers are in; the cancel overtakes the rest of the body.
      setImmediate(async () => {
        const cancel = await fetch(`${server.url}/v1/streams/named-slow`, { method: 'DELETE' })
        expect(cancel.status).toBe(204)
        req.end(body.slice(10))
      })
    })
    expect(await status).toBe(409)
    expect(server.stats().streamsStarted).toBe(0)
  })

  it('uses the client-named id only when it is sane and free', async () => {
    const server = await startTestServer()
    const named = async (id: string) => {
      const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), {
        ...RESUMABLE,
        'x-rivulet-stream-id': id,
      })
      await response.text()
      return response.headers.get('x-rivulet-stream-id')
    }
    expect(await named('client-id.1')).toBe('client-id.1')
    const taken = await named('client-id.1')
    expect(taken).not.toBe('client-id.1')
    expect(taken).toMatch(/^[0-9a-f-]{36}$/)
    expect(await named('../../etc/passwd')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('a stream that is not resumable has no id and cannot be resumed', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), {
      'x-rivulet-stream-id': 'not-resumable',
    })
    expect(response.headers.get('x-rivulet-stream-id')).toBeNull()
    await response.text()
    expect((await resume(server.url, 'not-resumable', 0)).status).toBe(404)
  })

  it('refuses a bad Last-Event-ID', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), RESUMABLE)
    const id = response.headers.get('x-rivulet-stream-id') as string
    const events = await readEvents(response)
    expect((await resume(server.url, id, 'abc')).status).toBe(400)
    expect((await resume(server.url, id, events.length + 5)).status).toBe(400)
  })

  it('forgets a finished stream after the retention window', async () => {
    let now = 0
    const store = new MemoryStreamStore({ retentionMs: 1000, now: () => now })
    const server = await startTestServer({ store })
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), RESUMABLE)
    const id = response.headers.get('x-rivulet-stream-id') as string
    await response.text()
    await server.nextEnd()
    now = 999
    expect((await resume(server.url, id, 0)).status).toBe(200)
    now = 2500
    // Creating a stream sweeps the store.
    await (await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), RESUMABLE)).text()
    expect((await resume(server.url, id, 0)).status).toBe(404)
    await store.close()
  })
})
