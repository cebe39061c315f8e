import { request } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { chatBody, closeTestServers, parseEvents, postJson, readEvents, startTestServer, user } from './helpers.js'

afterEach(closeTestServers)

const anthropicBody = (extra: Record<string, unknown> = {}) => ({
  model: 'rivulet-sim',
  max_tokens: 256,
  messages: user('Explain backpressure in Node streams'),
  ...extra,
})

/** No error body ever carries a stack trace or a file path. */
function expectNoStack(text: string) {
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/)
}

async function openaiError(response: Response) {
  const text = await response.text()
  expectNoStack(text)
  const body = JSON.parse(text) as {
    error: { message: string; type: string; param: string | null; code: string | null }
  }
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  return body.error
}

async function anthropicError(response: Response) {
  const text = await response.text()
  expectNoStack(text)
  const body = JSON.parse(text) as { type: string; error: { type: string; message: string } }
  expect(body.type).toBe('error')
  return body.error
}

describe('event streams', () => {
  it('are sent with the event-stream headers and an id on every event, 1, 2, 3…', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('cache-control')).toBe('no-cache')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    const events = await readEvents(response)
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => String(i + 1)))
    expect(events.at(-1)?.data).toBe('[DONE]')
  })

  it('number the Anthropic events too, ping included', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/messages`, anthropicBody({ stream: true }))
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = await readEvents(response)
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => String(i + 1)))
    expect(events.map((event) => event.event)).toContain('ping')
    expect(events[0]?.event).toBe('message_start')
    expect(events.at(-1)?.event).toBe('message_stop')
  })

  it('answer the same through the x-rivulet-sim header as through the rivulet field', async () => {
    const server = await startTestServer()
    const options = { seed: 99, tokens: 25 }
    const viaBody = await postJson(`${server.url}/v1/chat/completions`, chatBody({ rivulet: options }))
    const viaHeader = await postJson(`${server.url}/v1/chat/completions`, chatBody(), {
      'x-rivulet-sim': JSON.stringify(options),
    })
    const text = async (response: Response) =>
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content
    const expected = await text(viaBody)
    expect(expected).toBeTruthy()
    expect(await text(viaHeader)).toBe(expected)
  })

  it('stall after N tokens for M ms', async () => {
    const server = await startTestServer()
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 8, fault: { type: 'stall', afterTokens: 3, ms: 120 } } }),
    )
    const arrivals: number[] = []
    const decoder = new TextDecoder()
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const event of parseEvents(decoder.decode(chunk)))
        if (event.data.includes('"content":"') && !event.data.includes('"content":""')) arrivals.push(performance.now())
    }
    expect(arrivals).toHaveLength(8)
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number))
    expect(gaps[2]).toBeGreaterThanOrEqual(110)
    expect(gaps.indexOf(Math.max(...gaps))).toBe(2)
  })

  it('send a keepalive comment while nothing else is sent', async () => {
    const server = await startTestServer({ keepaliveMs: 20 })
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 4, fault: { type: 'stall', afterTokens: 2, ms: 150 } } }),
    )
    const text = await response.text()
    expect(text).toMatch(/\n\n: keepalive\n\n/)
    expect(parseEvents(text).at(-1)?.data).toBe('[DONE]')
  })
})

describe('validation', () => {
  it('refuses malformed JSON with 400 in each provider shape', async () => {
    const server = await startTestServer()
    const openai = await postJson(`${server.url}/v1/chat/completions`, '{"model": "rivulet-sim",')
    expect(openai.status).toBe(400)
    expect((await openaiError(openai)).type).toBe('invalid_request_error')
    const anthropic = await postJson(`${server.url}/v1/messages`, 'not json')
    expect(anthropic.status).toBe(400)
    expect(await anthropicError(anthropic)).toMatchObject({ type: 'invalid_request_error' })
  })

  it('names the missing or wrong field', async () => {
    const server = await startTestServer()
    const cases: [string, unknown, string][] = [
      ['/v1/chat/completions', { model: 'rivulet-sim' }, 'messages'],
      ['/v1/chat/completions', { messages: user('hi') }, 'model'],
      ['/v1/chat/completions', chatBody({ messages: [{ role: 'user', content: 5 }] }), 'messages[0].content'],
      ['/v1/chat/completions', chatBody({ max_tokens: -1 }), 'max_tokens'],
      ['/v1/chat/completions', chatBody({ stream: 'yes' }), 'stream'],
      ['/v1/chat/completions', chatBody({ rivulet: { tokensPerSecond: 'fast' } }), 'rivulet.tokensPerSecond'],
      ['/v1/chat/completions', chatBody({ rivulet: { fault: { type: 'drop' } } }), 'rivulet.fault.afterTokens'],
      ['/v1/chat/completions', chatBody({ rivulet: { speed: 3 } }), 'rivulet'],
      ['/v1/messages', { model: 'rivulet-sim', messages: user('hi') }, 'max_tokens'],
      ['/v1/messages', anthropicBody({ messages: [{ role: 'system', content: 'x' }] }), 'messages[0].role'],
      ['/v1/messages', anthropicBody({ thinking: { type: 'enabled', budget_tokens: 500 } }), 'thinking.budget_tokens'],
    ]
    for (const [path, body, field] of cases) {
      const response = await postJson(`${server.url}${path}`, body)
      expect(response.status, `${path} ${field}`).toBe(400)
      const error = path === '/v1/messages' ? await anthropicError(response) : await openaiError(response)
      expect(error.message, field).toContain(`${field}:`)
      if ('param' in error) expect(error.param).toBe(field)
    }
  })

  it('refuses a bad x-rivulet-sim header with 400', async () => {
    const server = await startTestServer()
    const response = await postJson(`${server.url}/v1/chat/completions`, chatBody(), { 'x-rivulet-sim': '{nope' })
    expect(response.status).toBe(400)
    expect((await openaiError(response)).message).toContain('x-rivulet-sim')
  })

  it('refuses a body over 1 MiB with 413, announced or not', async () => {
    const server = await startTestServer()
    const big = JSON.stringify(chatBody({ messages: user('x'.repeat(1024 * 1024)) }))
    const announced = await postJson(`${server.url}/v1/chat/completions`, big)
    expect(announced.status).toBe(413)
    expect((await openaiError(announced)).code).toBe('request_too_large')
    // Streamed in chunks without a content-length: counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(big)
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024))
        controller.close()
      },
    })
    const streamed = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(await anthropicError(streamed)).toMatchObject({ type: 'request_too_large' })
  })

  it('refuses too many messages or characters with 400', async () => {
    const server = await startTestServer({ limits: { maxMessages: 3, maxInputChars: 100 } })
    const many = Array.from({ length: 4 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'hi' }))
    const tooMany = await postJson(`${server.url}/v1/chat/completions`, chatBody({ messages: many }))
    expect(tooMany.status).toBe(400)
    expect((await openaiError(tooMany)).code).toBe('too_many_messages')
    const long = await postJson(`${server.url}/v1/messages`, anthropicBody({ messages: user('y'.repeat(101)) }))
    expect(long.status).toBe(400)
    expect((await anthropicError(long)).message).toContain('too long')
    const system = await postJson(`${server.url}/v1/messages`, anthropicBody({ system: 'z'.repeat(95) }))
    expect(system.status).toBe(400)
  })

  it('answers an unknown model with 404 in each shape', async () => {
    const server = await startTestServer()
    const openai = await postJson(`${server.url}/v1/chat/completions`, chatBody({ model: 'gpt-4o' }))
    expect(openai.status).toBe(404)
    expect(await openaiError(openai)).toMatchObject({ code: 'model_not_found', param: 'model' })
    const anthropic = await postJson(`${server.url}/v1/messages`, anthropicBody({ model: 'claude-x' }))
    expect(anthropic.status).toBe(404)
    expect(await anthropicError(anthropic)).toMatchObject({ type: 'not_found_error' })
  })

  it('answers unknown routes with 404 JSON', async () => {
    const server = await startTestServer()
    const response = await fetch(`${server.url}/v2/nothing`)
    expect(response.status).toBe(404)
    expect((await openaiError(response)).message).toContain('/v2/nothing')
  })
})

describe('faults', () => {
  it('answer 429, 500, 503 and 529 with Retry-After where it applies', async () => {
    const server = await startTestServer()
    const fault = (status: number, retryAfterS?: number) => ({
      rivulet: { fault: { type: 'http', status, ...(retryAfterS !== undefined && { retryAfterS }) } },
    })
    const limited = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true, ...fault(429, 2) }))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(await openaiError(limited)).toMatchObject({ code: 'rate_limit_exceeded' })
    const broken = await postJson(`${server.url}/v1/chat/completions`, chatBody(fault(500)))
    expect(broken.status).toBe(500)
    expect(broken.headers.get('retry-after')).toBeNull()
    const down = await postJson(`${server.url}/v1/messages`, anthropicBody(fault(503)))
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('1')
    const overloaded = await postJson(`${server.url}/v1/messages`, anthropicBody({ stream: true, ...fault(529, 5) }))
    expect(overloaded.status).toBe(529)
    expect(overloaded.headers.get('retry-after')).toBe('5')
    expect(await anthropicError(overloaded)).toMatchObject({ type: 'overloaded_error' })
    expect(server.stats().streamsStarted).toBe(0)
  })

  it('drop cuts a stream that is not resumable after N tokens, and generation stops', async () => {
    const server = await startTestServer()
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({
        stream: true,
        rivulet: { tokens: 50, tokensPerSecond: 500, fault: { type: 'drop', afterTokens: 7 } },
      }),
    )
    const decoder = new TextDecoder()
    let text = ''
    const error = await (async () => {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeDefined()
    const deltas = parseEvents(text).filter((event) => /"content":"[^"]/.test(event.data))
    expect(deltas).toHaveLength(7)
    expect(text).not.toContain('[DONE]')
    const end = await server.nextEnd()
    expect(end.outcome).toBe('client-gone')
    expect(end.tokens).toBeLessThan(50)
  })
})

describe('leaving clients', () => {
  /** Opens a stream over a raw socket, destroys it after `chunks` body chunks, and returns when. */
  function openAndDestroy(url: string, body: unknown, chunks: number, headers: Record<string, string> = {}) {
    return new Promise<number>((resolve, reject) => {
      const req = request(
        `${url}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          let seen = 0
          res.on('data', () => {
            if (++seen !== chunks) return
            const at = performance.now()
            req.destroy()
            resolve(at)
          })
        },
      )
      req.on('error', () => {})
      req.on('close', () => reject(new Error('closed early')))
      req.end(JSON.stringify(body))
    })
  }

  it('a stream that is not resumable stops generating within 50 ms of its connection closing', async () => {
    const server = await startTestServer()
    const tokensPerSecond = 400
    const goneAt = await openAndDestroy(
      server.url,
      chatBody({ stream: true, rivulet: { tokens: 5000, tokensPerSecond } }),
      5,
    )
    const tokensAtClose = server.stats().tokensGenerated
    const end = await server.nextEnd()
    expect(end.outcome).toBe('client-gone')
    expect(end.endedAt - goneAt).toBeLessThan(50)
    expect(end.tokens - tokensAtClose).toBeLessThanOrEqual((tokensPerSecond * 50) / 1000 + 1)
    expect(server.stats().activeStreams).toBe(0)
  })

  it('a non-streamed answer stops too when its client leaves', async () => {
    const server = await startTestServer()
    const controller = new AbortController()
    const pending = postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ rivulet: { tokens: 5000, tokensPerSecond: 500 } }),
      {},
      controller.signal,
    ).catch(() => undefined)
    await vi.waitFor(() => expect(server.stats().tokensGenerated).toBeGreaterThanOrEqual(5), { interval: 2 })
    controller.abort()
    await pending
    const end = await server.nextEnd()
    expect(end).toMatchObject({ outcome: 'client-gone', transport: 'json' })
    expect(end.tokens).toBeLessThan(200)
  })
})

describe('limits', () => {
  it('caps concurrent streams with 429 and Retry-After', async () => {
    const server = await startTestServer({ limits: { maxConcurrentStreams: 2 } })
    const slow = { stream: true, rivulet: { ttftMs: 10_000 } }
    const controllers = [new AbortController(), new AbortController()]
    const open = await Promise.all(
      controllers.map((controller) =>
        postJson(`${server.url}/v1/chat/completions`, chatBody(slow), {}, controller.signal),
      ),
    )
    expect(open.map((response) => response.status)).toEqual([200, 200])
    const third = await postJson(`${server.url}/v1/messages`, anthropicBody(slow))
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('1')
    expect(await anthropicError(third)).toMatchObject({ type: 'rate_limit_error' })
    controllers[0]?.abort()
    await server.nextEnd()
    const fourth = await postJson(`${server.url}/v1/chat/completions`, chatBody({ rivulet: { tokens: 3 } }))
    expect(fourth.status).toBe(200)
    controllers[1]?.abort()
  })

  it('rate-limits each client', async () => {
    const server = await startTestServer({ limits: { rateLimit: { requestsPerMinute: 60, burst: 2 } } })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const response = await postJson(`${server.url}/v1/chat/completions`, chatBody({ rivulet: { tokens: 2 } }))
      statuses.push(response.status)
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect((await openaiError(response)).code).toBe('rate_limit_exceeded')
      } else await response.text()
    }
    expect(statuses).toEqual([200, 200, 429])
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
  })
})

describe('CORS', () => {
  const preflight = (url: string, origin: string, headers: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
    })

  it('lets local dev origins in, with the Rivulet and provider headers, and exposes the stream id', async () => {
    const server = await startTestServer()
    const response = await preflight(
      server.url,
      'http://localhost:5173',
      'content-type, authorization, x-api-key, anthropic-version, last-event-id, x-rivulet-resumable, x-rivulet-stream-id, x-rivulet-sim, x-evil',
    )
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    const allowed = response.headers.get('access-control-allow-headers')?.split(', ')
    expect(allowed).toEqual([
      'content-type',
      'authorization',
      'x-api-key',
      'anthropic-version',
      'last-event-id',
      'x-rivulet-resumable',
      'x-rivulet-stream-id',
      'x-rivulet-sim',
    ])
    expect(response.headers.get('access-control-allow-methods')).toContain('DELETE')

    const post = await postJson(`${server.url}/v1/chat/completions`, chatBody({ stream: true }), {
      origin: 'http://127.0.0.1:5173',
      'x-rivulet-resumable': '1',
    })
    expect(post.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
    expect(post.headers.get('access-control-expose-headers')).toContain('x-rivulet-stream-id')
    expect(post.headers.get('x-rivulet-stream-id')).toBeTruthy()
    await post.text()
  })

  it('refuses other origins, and follows a configured allowlist', async () => {
    const server = await startTestServer()
    const denied = await preflight(server.url, 'https://evil.example', 'content-type')
    expect(denied.status).toBe(403)
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()

    const custom = await startTestServer({ corsOrigins: ['https://app.example'] })
    expect((await preflight(custom.url, 'https://app.example', 'content-type')).status).toBe(204)
    expect((await preflight(custom.url, 'http://localhost:5173', 'content-type')).status).toBe(403)
  })
})

describe('the rest of the API', () => {
  it('serves /health and /v1/models', async () => {
    const server = await startTestServer()
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'ok', model: 'rivulet-sim' })
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] }
    expect(models.data.map((model) => model.id)).toEqual(['rivulet-sim'])
  })

  it('logs one line per request, once its stream has ended', async () => {
    const lines: string[] = []
    const server = await startTestServer({ logger: { info: (line) => lines.push(line), error: () => {} } })
    const response = await postJson(
      `${server.url}/v1/chat/completions`,
      chatBody({ stream: true, rivulet: { tokens: 9 } }),
    )
    await response.text()
    await fetch(`${server.url}/nowhere`)
    await server.nextEnd()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/ POST \/v1\/chat\/completions 200 \d+ms 9 tokens$/)
    expect(lines[1]).toMatch(/ GET \/nowhere 404 \d+ms 0 tokens$/)
  })
})
