import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { errorSummary } from '../testing/protocol.js'
import { arbitraryCuts, byteLength, collect, cutStream } from '../testing/streams.js'
import { createLineFramer, readNDJSON } from './ndjson.js'

const values = (body: string, cuts: number[] = [], maxLineSize?: number) =>
  collect(readNDJSON(cutStream(body, cuts), { maxLineSize }))

describe('readNDJSON', () => {
  it('parses one JSON value per line', async () => {
    expect((await values('{"a":1}\n[2]\n"three"\n')).values).toEqual([{ a: 1 }, [2], 'three'])
  })

  it('joins a line split across chunks', async () => {
    expect((await values('{"text":"hello"}\n', [3, 9, 12])).values).toEqual([{ text: 'hello' }])
  })

  it('skips blank lines', async () => {
    expect((await values('\n{"a":1}\n\n  \n{"b":2}\n')).values).toEqual([{ a: 1 }, { b: 2 }])
  })

  it('tolerates CRLF line ends', async () => {
    expect((await values('{"a":1}\r\n{"b":2}\r\n')).values).toEqual([{ a: 1 }, { b: 2 }])
  })

  it('parses a last line that has no newline', async () => {
    expect((await values('{"a":1}\n{"done":true}')).values).toEqual([{ a: 1 }, { done: true }])
  })

  it('throws kind parse naming the line number and an excerpt, after the values before it', async () => {
    const result = await values('{"a":1}\n\n{"b":\n{"c":3}\n')
    expect(result.values).toEqual([{ a: 1 }])
    expect(errorSummary(result.error)).toMatchObject({ kind: 'parse' })
    expect((result.error as Error).message).toMatch(/line 3.*\{"b":/)
  })

  it('throws kind limit for a line over maxLineSize, without buffering the rest', async () => {
    const result = await values(`{"a":1}\n"${'x'.repeat(500)}"\n{"b":2}\n`, [100, 200, 300], 100)
    expect(result.values).toEqual([{ a: 1 }])
    expect(errorSummary(result.error)).toMatchObject({ kind: 'limit' })
  })

  it('trips the limit for the same bytes under every chunking', async () => {
    for (const body of [
      `{"a":1}\n"${'x'.repeat(120)}"\n{"b":2}\n`,
      `{"a":1}\n"${'x'.repeat(120)}"`,
      '{"a":1}\n'.repeat(40),
    ]) {
      const whole = await values(body, [], 100)
      await fc.assert(
        fc.asyncProperty(arbitraryCuts(byteLength(body)), async (cuts) => {
          const cut = await values(body, cuts, 100)
          expect(cut.values).toEqual(whole.values)
          expect(errorSummary(cut.error)).toEqual(errorSummary(whole.error))
        }),
        { numRuns: 100 },
      )
    }
  })

  it('reads no line after the handler asks to stop', () => {
    const lines: string[] = []
    const framer = createLineFramer(
      (line) => {
        lines.push(line)
        return line === 'stop'
      },
      { maxLineSize: 10 },
    )
    framer.feed(`go\nstop\n${'x'.repeat(50)}\nmore\n`)
    framer.feed('later')
    framer.end()
    expect(lines).toEqual(['go', 'stop'])
  })

  it('decodes multi-byte characters split across chunks', async () => {
    const body = '{"t":"héllo 👋🏽 日本"}\n'
    for (let cut = 1; cut < byteLength(body); cut++) {
      expect((await values(body, [cut])).values).toEqual([{ t: 'héllo 👋🏽 日本' }])
    }
  })

  it('yields identical values for any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\n\n'))
          .map(([items, separator]) => items.map((item) => JSON.stringify(item)).join(separator))
          .chain((body) => fc.tuple(fc.constant(body), arbitraryCuts(byteLength(body)))),
        async ([body, cuts]) => {
          const whole = await values(body)
          expect(whole.error).toBeUndefined()
          expect(await values(body, cuts)).toEqual(whole)
        },
      ),
      { numRuns: 200 },
    )
  })
})
