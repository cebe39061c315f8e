import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decode } from '../decode.js'
import { decodeBody, encodeAll, errorSummary, expectAnyChunkingDecodesAlike } from '../testing/protocol.js'
import { collect } from '../testing/streams.js'
import type { StreamPart } from '../types.js'
import { textEncoder } from './text.js'

const joined = (parts: readonly StreamPart[]) =>
  parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')

describe('text decode', () => {
  it('streams a text/plain body as text deltas and ends cleanly at EOF', async () => {
    const { values, error } = await collect(decode(new Response('Hello, 世界'), { protocol: 'text' }))
    expect(error).toBeUndefined()
    expect(values).toEqual([
      { type: 'text-delta', text: 'Hello, 世界' },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('reads SSE data as text when the response is text/event-stream', async () => {
    const response = new Response('data: Hel\n\ndata: lo\ndata: there\n\n', {
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    })
    const { values } = await collect(decode(response, { protocol: 'text' }))
    expect(values).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo\nthere' },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('stops at a [DONE] event in SSE mode', async () => {
    const { values } = await decodeBody('data: a\n\ndata: [DONE]\n\ndata: ignored\n\n', 'text', { sse: true })
    expect(values).toEqual([
      { type: 'text-delta', text: 'a' },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('throws kind provider for an SSE error event', async () => {
    const { values, error } = await decodeBody('data: a\n\nevent: error\ndata: quota exceeded\n\n', 'text', {
      sse: true,
    })
    expect(values).toEqual([{ type: 'text-delta', text: 'a' }])
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'quota exceeded' })
  })

  it('decodes alike under any chunking, keeping multi-byte characters whole', async () => {
    await expectAnyChunkingDecodesAlike('data: héllo 👋🏽\n\ndata: 日本\n\n', 'text', 100, { sse: true })
  })

  it('delivers the same text under any chunking of a plain body', async () => {
    const body = 'héllo 👋🏽 日本'
    const joined = async (cuts: number[]) =>
      (await decodeBody(body, 'text', {}, cuts)).values
        .map((part) => (part.type === 'text-delta' ? part.text : ''))
        .join('')
    for (let cut = 0; cut <= new TextEncoder().encode(body).length; cut++) expect(await joined([cut])).toBe(body)
  })
})

describe('text encode', () => {
  it('round-trips text with line breaks through SSE', async () => {
    const parts = [
      { type: 'text-delta' as const, text: 'line one\nline two\r\n' },
      { type: 'text-delta' as const, text: 'three' },
    ]
    const { values } = await decodeBody(encodeAll(textEncoder({ sse: true }), parts), 'text', { sse: true })
    expect(values.filter((part) => part.type === 'text-delta').map((part) => (part as { text: string }).text)).toEqual([
      'line one\nline two\n',
      'three',
    ])
  })

  it('writes an error message with line breaks as one error event, so it cannot inject data', async () => {
    const encoder = textEncoder({ sse: true })
    const body =
      encoder.push({ type: 'text-delta', text: 'a' }) +
      encoder.error({ message: 'Bad gateway\n\ndata: injected\r\nevent: x' })
    expect(body).toBe('data: a\n\nevent: error\ndata: Bad gateway\ndata: \ndata: data: injected\ndata: event: x\n\n')
    const { values, error } = await decodeBody(body, 'text', { sse: true })
    expect(values).toEqual([{ type: 'text-delta', text: 'a' }])
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'Bad gateway\n\ndata: injected\nevent: x' })
  })

  it('writes text that is exactly [DONE] so that it reads as text, not as the end', async () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', text: '[DONE]' },
      { type: 'text-delta', text: 'after' },
    ]
    const { values } = await decodeBody(encodeAll(textEncoder({ sse: true }), parts), 'text', { sse: true })
    expect(joined(values)).toBe('[DONE]after')
    expect(values.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('gives back any text through SSE, its line breaks as LF', async () => {
    const piece = fc.string({
      unit: fc.oneof(
        fc.constantFrom('\n', '\r', '\r\n', 'data: ', '[DONE]'),
        fc.string({ unit: 'grapheme', maxLength: 1 }),
      ),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 6 }), async (texts) => {
        const parts: StreamPart[] = texts.map((text) => ({ type: 'text-delta', text }))
        const { values, error } = await decodeBody(encodeAll(textEncoder({ sse: true }), parts), 'text', { sse: true })
        expect(error).toBeUndefined()
        // Per delta: a CR ending one delta and an LF starting the next are two line breaks.
        expect(joined(values)).toBe(texts.map((text) => text.replace(/\r\n?/g, '\n')).join(''))
      }),
      { numRuns: 200 },
    )
  })

  it('writes a plain body as the text itself', () => {
    expect(
      encodeAll(textEncoder(), [
        { type: 'text-delta', text: 'a' },
        { type: 'usage', outputTokens: 1 },
      ]),
    ).toBe('a')
  })
})
