/**
 * Hostile requests, frames and clients, each with the answer it must get. Shared by the
 * in-process abuse suite and the one that runs the server as its own process under
 * `--unhandled-rejections=strict`: a case is a function of the server's URLs that asserts.
 * Everything here talks to loopback only, and every wait is bounded.
 */
import { connect as connectTcp } from 'node:net'
import { expect } from 'vitest'
import { WebSocket } from 'ws'

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
]
