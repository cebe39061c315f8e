import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { errorSummary } from '../testing/protocol.js'
import { arbitraryCuts, byteLength, collect, cutStream, iterableOf, streamOf } from '../testing/streams.js'
import { createSSEFramer, readSSE, type SSEEvent, type SSEOptions } from './sse.js'

const events = async (body: string, options?: SSEOptions, cuts: number[] = []) => {
  const { values, error } = await collect(readSSE(cutStream(body, cuts), options))
  if (error) throw error
  return values
}

// WHATWG HTML §9.2.5 "Parsing an event stream" and §9.2.6 "Interpreting an event stream".
describe('readSSE: the WHATWG event-stream rules', () => {
  it('dispatches an event at a blank line, with type absent for "message"', async () => {
    expect(await events('data: hello\n\n')).toEqual([{ data: 'hello' }])
  })

  it('takes the event type from the event field, for that event only', async () => {
    expect(await events('event: ping\ndata: 1\n\ndata: 2\n\n')).toEqual([{ event: 'ping', data: '1' }, { data: '2' }])
  })

  it('treats an explicit "message" type as the default', async () => {
    expect(await events('event: message\ndata: x\n\n')).toEqual([{ data: 'x' }])
  })

  it('joins several data lines with LF', async () => {
    expect(await events('data: a\ndata: b\ndata:\ndata: c\n\n')).toEqual([{ data: 'a\nb\n\nc' }])
  })

  it('removes exactly one leading space from a value', async () => {
    expect(await events('data:  two spaces\n\ndata:none\n\n')).toEqual([{ data: ' two spaces' }, { data: 'none' }])
  })

  it('splits a field at the first colon only', async () => {
    expect(await events('data: a:b: c\n\n')).toEqual([{ data: 'a:b: c' }])
  })

  it('takes a line without a colon as a field with an empty value', async () => {
    expect(await events('data\n\n')).toEqual([{ data: '' }])
  })

  it('ignores comment lines', async () => {
    expect(await events(': keep-alive\ndata: x\n: another\n\n')).toEqual([{ data: 'x' }])
  })

  it('ignores unknown fields', async () => {
    expect(await events('foo: bar\ndata: x\nDATA: y\n\n')).toEqual([{ data: 'x' }])
  })

  it('does not dispatch a block without data', async () => {
    expect(await events('event: lonely\n\n: comment only\n\ndata: x\n\n')).toEqual([{ data: 'x' }])
  })

  it('accepts LF, CR and CRLF line ends, mixed', async () => {
    expect(await events('data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n')).toEqual([
      { data: 'a' },
      { data: 'b' },
      { data: 'c' },
      { data: 'd' },
    ])
  })

  it('treats a CR at the very end of the stream as a complete line end', async () => {
    expect(await events('data: last\r\r')).toEqual([{ data: 'last' }])
  })

  it('dispatches an event ended by a CR at the end of a chunk at once, not when the next chunk comes', () => {
    const seen: string[] = []
    const framer = createSSEFramer((data) => {
      seen.push(data)
      return false
    })
    framer.feed('data: a\r\r')
    expect(seen).toEqual(['a'])
    // The LF that may follow belongs to the CR before it: no extra blank line, no lost line.
    framer.feed('\ndata: b\r')
    framer.feed('\n\r\n')
    expect(seen).toEqual(['a', 'b'])
  })

  it('keeps a CRLF split across chunks as one line end', async () => {
    const body = 'data: a\r\n\r\ndata: b\r\n\r\n'
    for (let cut = 1; cut < body.length; cut++) {
      expect(await events(body, {}, [cut])).toEqual([{ data: 'a' }, { data: 'b' }])
    }
  })

  it('discards a trailing event that was never terminated by a blank line', async () => {
    expect(await events('data: complete\n\ndata: incomplete\n')).toEqual([{ data: 'complete' }])
  })

  it('drops a UTF-8 byte order mark at the start of the stream', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf])
    const body = new TextEncoder().encode('data: x\n\n')
    const { values } = await collect(readSSE(streamOf([bom.subarray(0, 2), bom.subarray(2), body])))
    expect(values).toEqual([{ data: 'x' }])
  })

  it('drops a BOM at the start of a text source', async () => {
    const { values } = await collect(readSSE(iterableOf(['\ufeffdata: x\n\n'])))
    expect(values).toEqual([{ data: 'x' }])
  })

  it('decodes a multi-byte character split across chunks', async () => {
    const body = 'data: 👋🏽 日本\n\n'
    for (let cut = 7; cut < byteLength(body) - 2; cut++) {
      expect(await events(body, {}, [cut])).toEqual([{ data: '👋🏽 日本' }])
    }
  })

  it('carries the last event ID forward until the server changes it', async () => {
    expect(await events('id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n')).toEqual([
      { id: '1', data: 'a' },
      { id: '1', data: 'b' },
      { id: '2', data: 'c' },
    ])
  })

  it('resets the last event ID on an empty id field', async () => {
    expect(await events('id: 7\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n')).toEqual([
      { id: '7', data: 'a' },
      { data: 'b' },
      { data: 'c' },
    ])
  })

  it('sets the last event ID from a block without data too (§9.2.6: the buffer is not reset)', async () => {
    expect(await events('id: 5\n\ndata: a\n\n')).toEqual([{ id: '5', data: 'a' }])
  })

  it('ignores an id containing NULL', async () => {
    expect(await events('id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n')).toEqual([
      { id: '1', data: 'a' },
      { id: '1', data: 'b' },
    ])
  })

  it('reports a numeric retry field and ignores a non-numeric one', async () => {
    const retries: number[] = []
    const values = await events('retry: 1500\n\nretry: soon\ndata: x\n\n', { onRetry: (ms) => retries.push(ms) })
    expect(retries).toEqual([1500])
    expect(values).toEqual([{ data: 'x' }])
  })
})

describe('readSSE: limits and errors', () => {
  it('throws kind limit for an event over maxEventSize, after the events before it', async () => {
    const body = `data: small\n\ndata: ${'x'.repeat(200)}\n\n`
    const { values, error } = await collect(readSSE(cutStream(body, [20, 60, 120]), { maxEventSize: 100 }))
    expect(values).toEqual([{ data: 'small' }])
    expect(errorSummary(error)).toMatchObject({ kind: 'limit' })
  })

  it('throws kind limit for one endless line, never buffering past the limit', async () => {
    // 1,000 chunks of 1 KiB with no line end: must stop at the limit, not read them all.
    let delivered = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        delivered++
        controller.enqueue(new TextEncoder().encode('x'.repeat(1024)))
        if (delivered === 1000) controller.close()
      },
    })
    const { error } = await collect(readSSE(endless, { maxEventSize: 10_000 }))
    expect(errorSummary(error)).toMatchObject({ kind: 'limit' })
    expect(delivered).toBeLessThan(20)
  })

  it('trips the limit for the same bytes under every chunking: long lines, comments, data lines adding up', async () => {
    const bodies = [
      // Lines may exceed maxEventSize by a field name's slack (1 KiB); data may not.
      `data: a\n\n: ${'c'.repeat(1200)}\ndata: b\n\n`, // a comment line over the limit
      `data: a\n\n${'data: 0123456789\n'.repeat(12)}\n`, // an event's data lines over it together
      `data: a\n\ndata: ${'d'.repeat(1200)}`, // an unterminated last line over it
      `data: a\n\nfoo: ${'f'.repeat(150)}\r\ndata: b\r\n\r\n`, // an unknown field under it
      `data: a\n\ndata: ${'d'.repeat(100)}\n\n`, // data of exactly the limit
    ]
    for (const body of bodies) {
      const whole = await collect(readSSE(cutStream(body), { maxEventSize: 100 }))
      await fc.assert(
        fc.asyncProperty(arbitraryCuts(byteLength(body)), async (cuts) => {
          const cut = await collect(readSSE(cutStream(body, cuts), { maxEventSize: 100 }))
          expect(cut.values).toEqual(whole.values)
          expect(errorSummary(cut.error)).toEqual(errorSummary(whole.error))
        }),
        { numRuns: 100 },
      )
    }
    const kinds = await Promise.all(
      bodies.map(async (body) => errorSummary((await collect(readSSE(cutStream(body), { maxEventSize: 100 }))).error)),
    )
    expect(kinds.map((summary) => (summary as { kind?: string } | undefined)?.kind)).toEqual([
      'limit',
      'limit',
      'limit',
      undefined,
      undefined,
    ])
  })

  it('parses nothing after a handler asks to stop: later lines cannot fail the stream', () => {
    const seen: string[] = []
    const framer = createSSEFramer(
      (data) => {
        seen.push(data)
        return data === 'last'
      },
      { maxEventSize: 10 },
    )
    framer.feed(`data: first\n\ndata: last\n\ndata: ${'x'.repeat(100)}\n\ndata: more\n\n`)
    framer.feed('data: later\n\n')
    framer.end()
    expect(seen).toEqual(['first', 'last'])
  })

  it('does not count many small events against the limit', async () => {
    const body = 'data: 0123456789\n\n'.repeat(100)
    expect(await events(body, { maxEventSize: 50 })).toHaveLength(100)
  })

  it('yields identical events for any chunking of any stream', async () => {
    const body =
      'id: 1\r\nevent: a\r\ndata: héllo 👋🏽\r\n\r\n: comment\rdata: x\rdata: y\r\rid:\ndata: 日本語\n\nretry: 10\ndata: end\r\n\r\n'
    const whole = await events(body)
    expect(whole).toHaveLength(4)
    await fc.assert(
      fc.asyncProperty(arbitraryCuts(byteLength(body)), async (cuts) => {
        expect(await events(body, {}, cuts)).toEqual(whole)
      }),
      { numRuns: 300 },
    )
  })

  it('yields identical events for any chunking of generated streams', async () => {
    const field = fc.constantFrom('data', 'event', 'id', ':', 'retry')
    const lineEnd = fc.constantFrom('\n', '\r', '\r\n')
    const line = fc.tuple(field, fc.string({ unit: 'grapheme', maxLength: 8 }), lineEnd).map(([name, value, end]) => {
      const safe = value.replace(/[\r\n]/g, '')
      return `${name}: ${safe}${end}`
    })
    const block = fc.tuple(fc.array(line, { maxLength: 4 }), lineEnd).map(([lines, end]) => lines.join('') + end)
    const body = fc.array(block, { maxLength: 6 }).map((blocks) => blocks.join(''))
    await fc.assert(
      fc.asyncProperty(
        body.chain((text) => fc.tuple(fc.constant(text), arbitraryCuts(byteLength(text)))),
        async ([text, cuts]) => {
          const whole: SSEEvent[] = await events(text)
          expect(await events(text, {}, cuts)).toEqual(whole)
        },
      ),
      { numRuns: 300 },
    )
  })
})
