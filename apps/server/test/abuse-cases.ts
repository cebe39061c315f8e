/**
 * Hostile requests, frames and clients, each with the answer it must get. Shared by the
 * in-process abuse suite and the one that runs the server as its own process under
 * `--unhandled-rejections=strict`: a case is a function of the server's URLs that asserts.
 * Everything here talks to loopback only, and every wait is bounded.
 */
import { connect as connectTcp } from 'node:net'
import { expect } from 'vitest'
import { WebSocket } from 'ws'
import { HOSTILE_MODEL } from './hostile-upstream.js'

export interface Target {
  url: string
  wsUrl: string
}

export interface AbuseCase {
  name: string
  run(target: Target): Promise<void>
}

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'rivulet-sim',
  messages: [{ role: 'user', content: 'hello' }],
  rivulet: { tokens: 5 },
  ...extra,
})

/** Content parts nested `depth` levels through `content`: about 27 bytes a level. */
export function nestedContent(depth: number): string {
  return `${'[{"type":"text","content":'.repeat(depth)}"x"${'}]'.repeat(depth)}`
}

/** A tool whose schema refers to itself through `anyOf` and `$ref`, in under 300 bytes. */
export const SELF_REFERRING_TOOL = {
  type: 'function',
  function: {
    name: 'loop',
    parameters: {
      type: 'object',
      properties: { a: { $ref: '#/$defs/n' } },
      required: ['a'],
      $defs: { n: { anyOf: [{ $ref: '#/$defs/n' }, { $ref: '#/$defs/m' }] }, m: { allOf: [{ $ref: '#/$defs/n' }] } },
    },
  },
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, text: await response.text() }
}

/** Raw bytes on a TCP connection: the answer's status line (or '' when the server just closes). */
export function rawRequest(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: hostname, port: Number(port) })
    let answer = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('no answer within 5 s'))
    }, 5000)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      answer += chunk
      if (answer.includes('\r\n')) socket.end()
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(answer.split('\r\n')[0] ?? '')
    })
    socket.on('error', () => {})
    socket.write(bytes)
  })
}

/** One WebSocket frame sent; the frames that came back until `done` says so, or the socket closed. */
export function wsExchange(
  wsUrl: string,
  frame: string,
  done: (frames: { type: string; id?: string; error?: { status?: number } }[]) => boolean,
): Promise<{ frames: { type: string; id?: string; error?: { status?: number } }[]; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl)
    const frames: { type: string; id?: string; error?: { status?: number } }[] = []
    const timer = setTimeout(() => {
      socket.terminate()
      reject(new Error(`no answer within 5 s (frames: ${JSON.stringify(frames)})`))
    }, 5000)
    socket.on('open', () => socket.send(frame))
    socket.on('message', (data) => {
      frames.push(JSON.parse(data.toString()))
      if (done(frames)) {
        clearTimeout(timer)
        socket.close()
        resolve({ frames })
      }
    })
    socket.on('close', (code) => {
      clearTimeout(timer)
      resolve({ frames, closeCode: code })
    })
    socket.on('error', () => {})
  })
}

const errorOf = (id: string) => (frames: { type: string; id?: string }[]) =>
  frames.some((frame) => frame.id === id && (frame.type === 'error' || frame.type === 'end'))

export const ABUSE_CASES: AbuseCase[] = [
  {
    name: 'a WebSocket start frame with content nested 8,000 levels deep gets a 400 error frame',
    async run({ wsUrl }) {
      const frame = `{"type":"start","id":"deep","request":{"messages":[{"role":"user","content":${nestedContent(8000)}}]}}`
      expect(frame.length).toBeGreaterThan(200_000)
      const { frames } = await wsExchange(wsUrl, frame, errorOf('deep'))
      expect(frames.find((f) => f.id === 'deep')).toMatchObject({ type: 'error', error: { status: 400 } })
    },
  },
  {
    name: 'the same nesting over HTTP answers 400',
    async run({ url }) {
      const body = `{"model":"rivulet-sim","messages":[{"role":"user","content":${nestedContent(8000)}}]}`
      expect((await post(`${url}/v1/chat/completions`, body)).status).toBe(400)
      const anthropic = `{"model":"rivulet-sim","max_tokens":10,"messages":[{"role":"user","content":${nestedContent(8000)}}]}`
      expect((await post(`${url}/v1/messages`, anthropic)).status).toBe(400)
    },
  },
  {
    name: 'deep nesting anywhere in a body (tools, unknown fields, the sim header) answers 400',
    async run({ url }) {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
      const body = `{"model":"rivulet-sim","messages":[{"role":"user","content":"hi"}],"extra":${deep}}`
      expect((await post(`${url}/v1/chat/completions`, body)).status).toBe(400)
      const header = `{"seed":${deep}}`
      expect((await post(`${url}/v1/chat/completions`, chat(), { 'x-rivulet-sim': header })).status).toBe(400)
    },
  },
  {
    name: 'a WebSocket start frame with a self-referring tool schema gets an answer, not a crash',
    async run({ wsUrl }) {
      const frame = JSON.stringify({
        type: 'start',
        id: 'loop',
        request: { ...chat(), tools: [SELF_REFERRING_TOOL], tool_choice: 'required' },
      })
      expect(JSON.stringify(SELF_REFERRING_TOOL).length).toBeLessThan(300)
      const { frames } = await wsExchange(wsUrl, frame, errorOf('loop'))
      expect(frames.at(-1)).toMatchObject({ type: 'end', id: 'loop' })
    },
  },
  {
    name: 'the self-referring tool schema over HTTP answers 200 with valid arguments',
    async run({ url }) {
      const answer = await post(`${url}/v1/chat/completions`, {
        ...chat(),
        tools: [SELF_REFERRING_TOOL],
        tool_choice: 'required',
      })
      expect(answer.status).toBe(200)
      const body = JSON.parse(answer.text) as {
        choices: { message: { tool_calls: { function: { arguments: string } }[] } }[]
      }
      expect(JSON.parse(body.choices[0]?.message.tool_calls[0]?.function.arguments ?? '')).toEqual({ a: null })
    },
  },
  {
    name: 'a tool asking for a 200,000-character string ends the answer with length, over HTTP and WebSocket',
    async run({ url, wsUrl }) {
      const tools = [
        {
          type: 'function',
          function: {
            name: 'big',
            parameters: {
              type: 'object',
              properties: { text: { type: 'string', minLength: 200_000 } },
              required: ['text'],
            },
          },
        },
      ]
      const answer = await post(`${url}/v1/chat/completions`, { ...chat(), tools, tool_choice: 'required' })
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.text).choices[0]).toMatchObject({ finish_reason: 'length' })
      const frame = JSON.stringify({ type: 'start', id: 'big', request: { ...chat(), tools, tool_choice: 'required' } })
      const { frames } = await wsExchange(wsUrl, frame, errorOf('big'))
      expect(frames.at(-1)).toMatchObject({ type: 'end', id: 'big' })
    },
  },
  {
    name: 'a tool whose minItems and nesting multiply to gigabytes ends the answer with length',
    async run({ url }) {
      const level = (items: object) => ({ type: 'array', minItems: 5000, items })
      const parameters = {
        type: 'object',
        properties: {
          rows: level(
            level(level({ type: 'object', properties: { v: { type: 'string', minLength: 1000 } }, required: ['v'] })),
          ),
        },
        required: ['rows'],
      }
      const answer = await post(`${url}/v1/chat/completions`, {
        ...chat(),
        stream: true,
        tools: [{ type: 'function', function: { name: 'grid', parameters } }],
        tool_choice: 'required',
      })
      expect(answer.status).toBe(200)
      expect(answer.text.length).toBeLessThan(100_000)
      expect(answer.text).toContain('"finish_reason":"length"')
    },
  },
  {
    name: 'a Host that is not this server gets 403, /health and /v1/models included, WebSocket upgrades too',
    async run({ url }) {
      const { port } = new URL(url)
      for (const path of ['/health', '/v1/models'])
        expect(
          await rawRequest(url, `GET ${path} HTTP/1.1\r\nHost: rebound.example:${port}\r\nConnection: close\r\n\r\n`),
        ).toBe('HTTP/1.1 403 Forbidden')
      const body = JSON.stringify(chat())
      expect(
        await rawRequest(
          url,
          `POST /v1/chat/completions HTTP/1.1\r\nHost: rebound.example\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        ),
      ).toBe('HTTP/1.1 403 Forbidden')
      expect(
        await rawRequest(
          url,
          `GET /v1/ws HTTP/1.1\r\nHost: rebound.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      ).toBe('HTTP/1.1 403 Forbidden')
      expect(
        await rawRequest(url, `GET /health HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`),
      ).toBe('HTTP/1.1 200 OK')
    },
  },
  {
    name: 'an oversized body gets 413, announced or not',
    async run({ url }) {
      const big = JSON.stringify(chat({ messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }))
      expect((await post(`${url}/v1/chat/completions`, big)).status).toBe(413)
      // Chunked, so no length is announced: refused once 1 MiB has come.
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Blob([big]).stream(),
        duplex: 'half',
        signal: AbortSignal.timeout(10_000),
      } as RequestInit)
      expect(response.status).toBe(413)
      await response.body?.cancel()
    },
  },
  {
    name: 'a body shorter than its content-length claims, or longer, answers 400',
    async run({ url }) {
      const body = JSON.stringify(chat())
      const short = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n${body}`
      expect(await rawRequest(url, short)).toMatch(/^HTTP\/1\.1 400 /)
      const both = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`
      expect(await rawRequest(url, both)).toMatch(/^HTTP\/1\.1 400 /)
    },
  },
  {
    name: 'invalid JSON, an empty body and a JSON body that is not an object answer 400',
    async run({ url }) {
      for (const body of ['{"model":', '', 'null', '[1,2]', '"text"', '{"model":"rivulet-sim",}', '\u0000'])
        expect((await post(`${url}/v1/chat/completions`, body)).status, JSON.stringify(body)).toBe(400)
      expect((await post(`${url}/v1/messages`, '{')).status).toBe(400)
    },
  },
  {
    name: 'a wrong type in every field answers 400',
    async run({ url }) {
      const wrong: Record<string, unknown> = {
        model: 42,
        messages: 'hello',
        stream: 'yes',
        stream_options: 'usage',
        max_tokens: 'many',
        max_completion_tokens: -1,
        n: 2,
        seed: 1.5,
        temperature: 'hot',
        top_p: 7,
        stop: 5,
        tools: { type: 'function' },
        tool_choice: 5,
        parallel_tool_calls: 'no',
        reasoning_effort: 3,
        rivulet: [],
      }
      for (const [field, value] of Object.entries(wrong))
        expect((await post(`${url}/v1/chat/completions`, chat({ [field]: value }))).status, field).toBe(400)
      for (const value of [[{ role: 'wizard', content: 'x' }], [{ role: 'user', content: 5 }], [{ role: 'user' }], []])
        expect((await post(`${url}/v1/chat/completions`, chat({ messages: value }))).status).toBe(400)
      for (const rivulet of [{ ttftMs: 'soon' }, { tokens: 1e9 }, { fault: { type: 'explode' } }, { unknown: 1 }])
        expect((await post(`${url}/v1/chat/completions`, chat({ rivulet }))).status, JSON.stringify(rivulet)).toBe(400)
      const anthropic = { model: 'rivulet-sim', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }
      for (const [field, value] of Object.entries({
        max_tokens: '16',
        messages: {},
        system: 5,
        thinking: 'on',
        tools: 'x',
        tool_choice: 'any',
      }))
        expect((await post(`${url}/v1/messages`, { ...anthropic, [field]: value })).status, field).toBe(400)
    },
  },
  {
    name: 'CR and LF in headers are refused by the parser, and never reflected',
    async run({ url }) {
      expect(
        await rawRequest(
          url,
          'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\rInjected: b\r\nConnection: close\r\n\r\n',
        ),
      ).toMatch(/^HTTP\/1\.1 400 /)
      expect(
        await rawRequest(
          url,
          'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\nInjected: b\r\nConnection: close\r\n\r\n',
        ),
      ).toMatch(/^HTTP\/1\.1 (400|200) /)
      // A stream id that is not sane is not echoed back: the server names the stream itself.
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-rivulet-stream-id': 'a b%0d%0aSet-Cookie:x=1',
          'x-rivulet-resumable': '1',
        },
        body: JSON.stringify(chat({ stream: true })),
        signal: AbortSignal.timeout(10_000),
      })
      expect(response.headers.get('x-rivulet-stream-id')).toMatch(/^[0-9a-f-]{36}$/)
      expect(response.headers.get('set-cookie')).toBeNull()
      await response.text()
    },
  },
  {
    name: 'CORS requests and WebSocket upgrades from origins outside the list get 403',
    async run({ url, wsUrl }) {
      const preflight = await fetch(`${url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        signal: AbortSignal.timeout(10_000),
      })
      expect(preflight.status).toBe(403)
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
      const simple = await post(`${url}/v1/chat/completions`, chat(), { origin: 'null' })
      expect(simple.status).toBe(403)
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(wsUrl, { origin: 'https://evil.example' })
        socket.on('unexpected-response', (_, response) => resolve(response.statusCode ?? 0))
        socket.on('error', () => {})
        socket.on('open', () => {
          socket.close()
          resolve(101)
        })
      })
      expect(status).toBe(403)
    },
  },
  {
    name: 'path traversal and malformed percent-encoding in paths get a 4xx',
    async run({ url }) {
      for (const path of [
        '/../../etc/passwd',
        '/v1/streams/..%2F..%2Fetc%2Fpasswd',
        '/v1/streams/%2e%2e',
        '/%E0%A4%A',
        '/v1/models/%E0%A4%A',
        '/v1/streams/%00',
      ])
        expect(
          await rawRequest(url, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
          path,
        ).toMatch(/^HTTP\/1\.1 4\d\d /)
      expect(
        await rawRequest(url, `DELETE /v1/streams/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
      ).toMatch(/^HTTP\/1\.1 4\d\d /)
    },
  },
  {
    name: 'WebSocket frames that break the protocol close that socket only',
    async run({ wsUrl }) {
      for (const frame of [
        'not json',
        '[]',
        '{"type":5}',
        '{"type":"start"}',
        `{"type":"start","id":"x","request":${nestedContent(3)}}`,
      ]) {
        const { closeCode, frames } = await wsExchange(wsUrl, frame, (got) => got.some((f) => f.type === 'error'))
        if (closeCode === undefined) expect(frames.at(-1)?.type).toBe('error')
        else expect(closeCode).toBe(1008)
      }
    },
  },
  {
    name: 'a hostile upstream (a tool-call index of 300,000,000) fails its relayed stream with an error, quickly',
    async run({ url, wsUrl }) {
      const frame = JSON.stringify({
        type: 'start',
        id: 'relay',
        request: { model: HOSTILE_MODEL, messages: [{ role: 'user', content: 'hi' }] },
      })
      const { frames } = await wsExchange(wsUrl, frame, errorOf('relay'))
      expect(frames.find((f) => f.id === 'relay' && f.type === 'error')).toMatchObject({ error: { kind: 'parse' } })
      // Over SSE the relay passes events through as they are: the client's decoder judges them.
      const sse = await post(`${url}/v1/chat/completions`, {
        model: HOSTILE_MODEL,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      })
      expect(sse.status).toBe(200)
      expect(sse.text).toContain('300000000')
    },
  },
  {
    name: 'an upgrade request whose target is not a URL gets a 4xx, not a crash',
    async run({ url }) {
      const upgrade =
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
      for (const target of ['http://[', 'http://a:b@[::1', '*'])
        expect(await rawRequest(url, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${upgrade}\r\n`), target).toMatch(
          /^HTTP\/1\.1 4\d\d /,
        )
    },
  },
]
