import { describe, expect, it } from 'vitest'
import { errorSummary } from '../testing/protocol.js'
import { collect, iterableOf, streamOf } from '../testing/streams.js'
import { readText } from './source.js'

describe('readText', () => {
  it('reads a Response, a ReadableStream and an async iterable of bytes or strings alike', async () => {
    const bytes = new TextEncoder().encode('héllo')
    for (const source of [
      new Response('héllo'),
      streamOf([bytes.subarray(0, 2), bytes.subarray(2)]),
      iterableOf([bytes.subarray(0, 2), bytes.subarray(2)]),
      iterableOf(['hé', 'llo']),
    ]) {
      expect((await collect(readText(source))).values.join('')).toBe('héllo')
    }
  })

  it('reads an empty body as no text', async () => {
    expect(await collect(readText(new Response(null)))).toEqual({ values: [] })
  })

  it('throws kind http for a non-2xx response, with status and the provider message', async () => {
    const response = new Response(
      '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}',
      {
        status: 429,
        headers: { 'retry-after': '3' },
      },
    )
    const { error } = await collect(readText(response))
    expect(errorSummary(error)).toEqual({
      kind: 'http',
      status: 429,
      message: 'HTTP 429: Rate limit reached',
      code: 'rate_limit_exceeded',
      retryAfterMs: 3000,
    })
  })

  it('throws kind network when the body fails, after the text before it', async () => {
    let pulls = 0
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('partial'))
        else controller.error(new TypeError('terminated'))
      },
    })
    const { values, error } = await collect(readText(failing))
    expect(values).toEqual(['partial'])
    expect(errorSummary(error)).toMatchObject({ kind: 'network', message: 'The stream failed: terminated' })
  })

  it('throws kind aborted when the signal aborts mid-stream, and cancels the body', async () => {
    const controller = new AbortController()
    let cancelled: unknown = 'not cancelled'
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new TextEncoder().encode('first'))
      },
      cancel(reason) {
        cancelled = reason
      },
    })
    const seen: string[] = []
    const result = await collect(
      (async function* () {
        for await (const text of readText(body, controller.signal)) {
          seen.push(text)
          controller.abort(new Error('user pressed stop'))
          yield text
        }
      })(),
    )
    expect(seen).toEqual(['first'])
    expect(errorSummary(result.error)).toMatchObject({ kind: 'aborted' })
    expect(cancelled).toEqual(new Error('user pressed stop'))
  })

  it('interrupts a pending read on abort instead of waiting for more bytes', async () => {
    const controller = new AbortController()
    const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) })
    const pending = collect(readText(never, controller.signal))
    controller.abort()
    expect(errorSummary((await pending).error)).toMatchObject({ kind: 'aborted' })
  })

  it('interrupts a pending async iterable on abort and closes it', async () => {
    const controller = new AbortController()
    let closed = false
    const iterable: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => {}),
        return: async () => {
          closed = true
          return { done: true, value: undefined }
        },
      }),
    }
    const pending = collect(readText(iterable, controller.signal))
    controller.abort()
    expect(errorSummary((await pending).error)).toMatchObject({ kind: 'aborted' })
    expect(closed).toBe(true)
  })

  it('throws kind aborted at once for an already-aborted signal, cancelling the body', async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true
      },
    })
    const { error } = await collect(readText(body, AbortSignal.abort()))
    expect(errorSummary(error)).toMatchObject({ kind: 'aborted' })
    expect(cancelled).toBe(true)
  })

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('more'))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const _ of readText(body)) break
    expect(cancelled).toBe(true)
  })

  it('maps an AbortError from fetch to kind aborted', async () => {
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new DOMException('This operation was aborted', 'AbortError'))
      },
    })
    expect(errorSummary((await collect(readText(body))).error)).toMatchObject({ kind: 'aborted' })
  })

  it('throws kind network for a source that cannot be read, never a TypeError', async () => {
    const used = new Response('x')
    await used.text()
    const locked = streamOf(['x'])
    locked.getReader()
    const noNext = { [Symbol.asyncIterator]: () => ({}) }
    const throwing = {
      [Symbol.asyncIterator]: () => {
        throw new TypeError('not today')
      },
    }
    const noResult = { [Symbol.asyncIterator]: () => ({ next: async () => 7 }) }
    for (const source of [used, locked, null, 42, {}, 'text', noNext, throwing, noResult]) {
      const { error } = await collect(readText(source as unknown as Response))
      expect(errorSummary(error)).toMatchObject({
        kind: 'network',
        message: expect.stringMatching(/^The stream cannot be read: /),
      })
    }
  })

  it('throws kind network for a chunk that is neither bytes nor a string, after the text before it', async () => {
    const { values, error } = await collect(readText(iterableOf<unknown>(['ok', 12, 'never']) as AsyncIterable<string>))
    expect(values).toEqual(['ok'])
    expect(errorSummary(error)).toMatchObject({
      kind: 'network',
      message: 'The stream cannot be read: it delivered a chunk that is neither bytes nor a string (number)',
    })
  })

  it('reads any typed array or ArrayBuffer as bytes', async () => {
    const bytes = new TextEncoder().encode('héllo')
    const chunks = [bytes.buffer.slice(0, 2), new DataView(bytes.buffer, 2, 1), new Uint8Array(bytes.buffer, 3)]
    expect((await collect(readText(iterableOf(chunks) as AsyncIterable<Uint8Array>))).values.join('')).toBe('héllo')
  })
})
