import { describe, expect, it } from 'vitest'
import { StreamError } from '../errors.js'
import type { StreamPart } from '../types.js'
import {
  readWebSocketClientFrame,
  readWebSocketServerFrame,
  type WebSocketServerFrame,
  webSocketErrorFields,
  webSocketStreamError,
  writeWebSocketFrame,
} from './websocket-frames.js'

const EVERY_PART: StreamPart[] = [
  { type: 'start', messageId: 'm1', model: 'x' },
  { type: 'reasoning-delta', text: 'think' },
  { type: 'reasoning-end', providerMetadata: { anthropic: { signature: 'c2ln' } } },
  { type: 'text-delta', text: 'Hi' },
  { type: 'text-end' },
  { type: 'tool-call-delta', index: 0, id: 'c1', name: 'f', argsDelta: '{"a"' },
  { type: 'tool-call', index: 0, id: 'c1', name: 'f', args: { a: 1 } },
  { type: 'tool-call', index: 1, id: 's1', name: 'web_search', args: { q: 'x' }, providerExecuted: true },
  { type: 'tool-result', id: 's1', name: 'web_search', result: [{ url: 'https://a.example' }], providerExecuted: true },
  { type: 'tool-call-incomplete', index: 2, id: 'c2', name: 'g', argsText: '{"b":' },
  { type: 'source', id: 'src1', url: 'https://a.example', title: 'A' },
  { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA', id: 'img1', partial: true },
  { type: 'data', name: 'weather', id: 'd1', data: { c: 20 } },
  { type: 'step-start' },
  { type: 'usage', inputTokens: 3, outputTokens: 4, cachedInputTokens: 1, cacheWriteInputTokens: 2 },
  { type: 'finish', reason: 'stop', raw: 'stop' },
]

describe('WebSocket frames', () => {
  it('write type and id first, and read back every part type', () => {
    EVERY_PART.forEach((part, i) => {
      const frame: WebSocketServerFrame = { type: 'part', id: 'st-1', seq: i + 1, part }
      const text = writeWebSocketFrame(frame)
      expect(text.startsWith('{"type":"part","id":"st-1",')).toBe(true)
      expect(readWebSocketServerFrame(text)).toEqual({ ok: true, frame })
    })
    expect(readWebSocketServerFrame(writeWebSocketFrame({ type: 'end', id: 'st-1' }))).toEqual({
      ok: true,
      frame: { type: 'end', id: 'st-1' },
    })
  })

  it('carry a StreamError across with its kind, status, code and retry delay', () => {
    const error = new StreamError('http', 'slow down', { status: 429, code: 'rate_limit_exceeded', retryAfterMs: 1500 })
    const text = writeWebSocketFrame({ type: 'error', id: 's', error: webSocketErrorFields(error) })
    const read = readWebSocketServerFrame(text)
    if (read.ok !== true || read.frame.type !== 'error') throw new Error('not an error frame')
    expect(webSocketStreamError(read.frame.error)).toMatchObject({
      kind: 'http',
      message: 'slow down',
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfterMs: 1500,
    })
    expect(webSocketStreamError({ kind: 'constructor', message: 'm' }).kind).toBe('provider')
    expect(webSocketErrorFields(new TypeError('boom'))).toEqual({ kind: 'provider', message: 'boom' })
  })

  it('name the stream of a frame cut off after its id, and refuse a malformed part with that id', () => {
    const cut = readWebSocketServerFrame('{"type":"part","id":"st-2","seq":3,"part":{"type":"text-de')
    expect(cut).toMatchObject({ ok: false, id: 'st-2', error: { kind: 'parse' } })
    const wrong = readWebSocketServerFrame(
      writeWebSocketFrame({ type: 'part', id: 'st-3', seq: 1, part: { type: 'text-delta' } as never }),
    )
    expect(wrong).toMatchObject({ ok: false, id: 'st-3', error: { kind: 'parse' } })
    expect(readWebSocketServerFrame('{"type":"part","id":"st-4","seq":0,"part":{"type":"step-start"}}')).toMatchObject({
      ok: false,
      id: 'st-4',
    })
  })

  it('read frames nested far too deep, binary frames and unknown types without throwing', () => {
    const deep = `{"type":"start","id":"a","request":${'['.repeat(20_000)}${']'.repeat(20_000)}}`
    expect(readWebSocketClientFrame(deep).ok).toBe(false)
    expect(readWebSocketClientFrame(new Uint8Array([1]))).toMatchObject({ ok: false, binary: true })
    expect(readWebSocketClientFrame('{"type":"subscribe","id":"a"}')).toEqual({ ok: 'ignored', type: 'subscribe' })
    expect(readWebSocketServerFrame('{"type":"hello"}')).toEqual({ ok: 'ignored', type: 'hello' })
    expect(readWebSocketServerFrame('[1]')).toMatchObject({ ok: false, error: { kind: 'parse' } })
  })

  it('check client frames field by field, and stream ids against the safe alphabet', () => {
    expect(
      readWebSocketClientFrame(
        writeWebSocketFrame({ type: 'start', id: 'a-1', request: { messages: [] }, resumable: true }),
      ),
    ).toEqual({ ok: true, frame: { type: 'start', id: 'a-1', request: { messages: [] }, resumable: true } })
    expect(readWebSocketClientFrame(writeWebSocketFrame({ type: 'resume', id: 'a-1', after: 4 }))).toMatchObject({
      ok: true,
    })
    expect(readWebSocketClientFrame('{"type":"ping"}')).toEqual({ ok: true, frame: { type: 'ping' } })
    for (const bad of [
      '{"type":"start","id":"a/b","request":{}}',
      '{"type":"start","id":"a","request":[]}',
      '{"type":"start","id":"a","request":{},"resumable":"yes"}',
      '{"type":"cancel"}',
      '{"type":"resume","id":"a","after":-1}',
      '{"type":"resume","id":"a","after":1.5}',
      `{"type":"start","id":"${'x'.repeat(129)}","request":{}}`,
    ]) {
      const read = readWebSocketClientFrame(bad)
      expect(read.ok, bad).toBe(false)
      if (read.ok === false)
        expect(read.reason).toMatch(/^Bad (start|cancel|resume) frame: (id|request|resumable|after) /)
    }
  })
})
