import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sseEvent } from '../protocols/protocol.js'
import { collect, iterableOf } from '../testing/streams.js'
import { formatSSE, readSSE } from './sse.js'

const read = async (text: string) => (await collect(readSSE(iterableOf([text])))).values

// Strings rich in what SSE treats specially: line breaks of every kind, colons, field names, spaces.
const arbitraryText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\n', '\r', '\r\n', ':', ' ', 'data: ', 'event: ', 'id: ', 'retry: 1', '\uFEFF', '[DONE]'),
    fc.string({ unit: 'grapheme', maxLength: 1 }),
  ),
})

describe('formatSSE', () => {
  it('writes one data line and the blank line that dispatches the event', () => {
    expect(formatSSE({ data: '{"a":1}' })).toBe('data: {"a":1}\n\n')
    expect(formatSSE({ data: '' })).toBe('data: \n\n')
  })

  it('writes event, id and retry fields before the data', () => {
    expect(formatSSE({ event: 'delta', id: '7', retry: 1500, data: 'x' })).toBe(
      'event: delta\nid: 7\nretry: 1500\ndata: x\n\n',
    )
  })

  it('splits data at LF, CR and CRLF into one data line per line', () => {
    expect(formatSSE({ data: 'a\nb\rc\r\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n')
    expect(formatSSE({ data: '\n' })).toBe('data: \ndata: \n\n')
  })

  it('keeps an injected field or event inside the data', async () => {
    const data = 'Bad request\n\ndata: {"type":"finish"}\nevent: error\nid: 9\n'
    expect(await read(formatSSE({ data }))).toEqual([{ data }])
  })

  it('refuses CR or LF in event and id, and NUL in id', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\r\n', '\n']) {
      expect(() => formatSSE({ event: bad, data: 'x' })).toThrow(TypeError)
      expect(() => formatSSE({ id: bad, data: 'x' })).toThrow(TypeError)
    }
    expect(() => formatSSE({ id: 'a\0b', data: 'x' })).toThrow(TypeError)
  })

  it('refuses a retry that is not a whole, non-negative number of milliseconds', () => {
    for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => formatSSE({ retry, data: 'x' })).toThrow(TypeError)
    }
    expect(formatSSE({ retry: 0, data: 'x' })).toBe('retry: 0\ndata: x\n\n')
  })

  it('reads back as the same data for any string, its line breaks as LF', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryText, async (data) => {
        expect(await read(formatSSE({ data }))).toEqual([{ data: data.replace(/\r\n?/g, '\n') }])
      }),
      { numRuns: 500 },
    )
  })

  it('reads back exactly any data string without CR, with any event name and id', async () => {
    const field = fc.string({ unit: 'grapheme' }).filter((value) => !/[\r\n\0]/.test(value))
    await fc.assert(
      fc.asyncProperty(
        arbitraryText.map((text) => text.replace(/\r/g, '')),
        field,
        field.filter((id) => id !== ''),
        async (data, event, id) => {
          const [read1] = await read(formatSSE({ data, event, id }))
          // "message" (and the empty type) is the default type, which readSSE leaves out.
          expect(read1).toEqual(event === '' || event === 'message' ? { data, id } : { data, event, id })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('reads back events written by sseEvent, the writer every encoder uses, one for one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbitraryText, { maxLength: 5 }), async (datas) => {
        const events = await read(datas.map((data) => sseEvent(data, 'error')).join(''))
        expect(events).toEqual(datas.map((data) => ({ event: 'error', data: data.replace(/\r\n?/g, '\n') })))
      }),
      { numRuns: 200 },
    )
  })
})
