import { describe, expect, it } from 'vitest'
import { decode } from './decode.js'
import { errorSummary } from './testing/protocol.js'
import { collect } from './testing/streams.js'
import type { StreamPart } from './types.js'

const chunk = (content: string, finish: string | null = null) =>
  `data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`

/** A body that hands out `chunks` one read at a time and records whether it was cancelled. */
function trackedBody(chunks: string[]) {
  const state = { reads: 0, cancelled: false }
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[state.reads++]
        if (next === undefined) controller.close()
        else controller.enqueue(encoder.encode(next))
      },
      cancel() {
        state.cancelled = true
      },
    },
    { highWaterMark: 0 }, // no read-ahead: `reads` counts what decode asked for
  )
  return { body, state }
}

describe('decode', () => {
  it('stops reading and cancels the body once the terminal signal arrives', async () => {
    const { body, state } = trackedBody([chunk('a', 'stop'), 'data: [DONE]\n\n', chunk('never read')])
    const { values, error } = await collect(decode(body, { protocol: 'openai-chat' }))
    expect(error).toBeUndefined()
    expect(values.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
    expect(state.cancelled).toBe(true)
    expect(state.reads).toBeLessThan(3)
  })

  it('throws kind aborted on abort, keeping the parts before it, and cancels the body', async () => {
    const controller = new AbortController()
    const { body, state } = trackedBody([chunk('one'), chunk('two'), chunk('three')])
    const seen: StreamPart[] = []
    let caught: unknown
    try {
      for await (const part of decode(body, { protocol: 'openai-chat', signal: controller.signal })) {
        seen.push(part)
        if (part.type === 'text-delta' && part.text === 'one') controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(seen.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'one' }])
    expect(errorSummary(caught)).toMatchObject({ kind: 'aborted' })
    expect(state.cancelled).toBe(true)
  })

  it('reports each new SSE id, the position to resume from', async () => {
    const ids: string[] = []
    const body = `id: 1\n${chunk('a')}id: 2\n${chunk('b')}${chunk('c')}id: 3\n${chunk('', 'stop')}data: [DONE]\n\n`
    await collect(decode(new Response(body), { protocol: 'openai-chat', onEventId: (id) => ids.push(id) }))
    expect(ids).toEqual(['1', '2', '3'])
  })

  it('throws kind limit for an oversized event, after the parts before it', async () => {
    const body = chunk('small') + chunk('x'.repeat(5000))
    const { values, error } = await collect(decode(new Response(body), { protocol: 'openai-chat', maxEventSize: 1000 }))
    expect(values.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'small' }])
    expect(errorSummary(error)).toMatchObject({ kind: 'limit' })
  })

  it('in lenient mode skips only malformed events: a provider error still ends the stream', async () => {
    const body = `${chunk('a')}data: {oops\n\ndata: {"error":{"message":"rate limited","code":"rate_limit"}}\n\n`
    const malformed: unknown[] = []
    const { values, error } = await collect(
      decode(new Response(body), { protocol: 'openai-chat', lenient: true, onMalformed: (e) => malformed.push(e) }),
    )
    expect(values.filter((part) => part.type === 'text-delta')).toHaveLength(1)
    expect(malformed).toHaveLength(1)
    expect(errorSummary(error)).toMatchObject({ kind: 'provider', message: 'rate limited', code: 'rate_limit' })
  })

  it('rejects an unknown protocol with a TypeError', async () => {
    const { error } = await collect(decode(new Response(''), { protocol: 'carrier-pigeon' as 'text' }))
    expect(error).toBeInstanceOf(TypeError)
  })
})
