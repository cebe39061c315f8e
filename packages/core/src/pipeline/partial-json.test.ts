import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PartialJSON } from './partial-json.js'

function parseInPieces(text: string, cuts: number[]): PartialJSON {
  const parser = new PartialJSON()
  let start = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(text.slice(start, cut))
    start = Math.max(start, cut)
  }
  parser.push(text.slice(start))
  parser.end()
  return parser
}

describe('PartialJSON', () => {
  it('shows arguments as they grow: open containers, a growing string, no half number', () => {
    const parser = new PartialJSON()
    const seen: unknown[] = []
    for (const piece of ['{"ci', 'ty":"Pa', 'ris","days":1', '2,"tags":["a', '"', ',tr', 'ue]}']) {
      parser.push(piece)
      seen.push(structuredClone(parser.value))
    }
    expect(seen).toEqual([
      {},
      { city: 'Pa' },
      { city: 'Paris' },
      { city: 'Paris', days: 12, tags: ['a'] },
      { city: 'Paris', days: 12, tags: ['a'] },
      { city: 'Paris', days: 12, tags: ['a'] },
      { city: 'Paris', days: 12, tags: ['a', true] },
    ])
    expect(parser.done).toBe(true)
    expect(parser.failed).toBe(false)
  })

  it('reads escapes split anywhere, and keeps __proto__ an own key as JSON.parse does', () => {
    const text = '{"__proto__":{"x":1},"s":"a\\n\\u00e9\\"b"}'
    const parser = parseInPieces(text, [3, 17, 27, 30, 33, 34])
    expect(parser.value).toEqual(JSON.parse(text))
    expect(Object.getPrototypeOf(parser.value)).toBe(Object.prototype)
    expect(Object.hasOwn(parser.value as object, '__proto__')).toBe(true)
  })

  it('ends with exactly JSON.parse’s value for any JSON cut anywhere, and never fails on a prefix', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (value, pretty, cuts) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined)
        const parser = parseInPieces(
          text,
          cuts.map((cut) => cut % (text.length + 1)),
        )
        expect(parser.failed).toBe(false)
        expect(parser.done).toBe(true)
        expect(parser.value).toEqual(JSON.parse(text))
      }),
      { numRuns: 300 },
    )
  })

  it('gives every prefix of any JSON a value consistent with the whole: what it shows is what the whole holds', () => {
    /** `partial` shows no more than `whole` has: same containers, strings as prefixes, scalars equal. */
    const consistent = (partial: unknown, whole: unknown, last: boolean): boolean => {
      if (partial === undefined) return true
      if (typeof partial === 'string')
        return typeof whole === 'string' && (last ? whole.startsWith(partial) : whole === partial)
      if (Array.isArray(partial)) {
        if (!Array.isArray(whole) || partial.length > whole.length) return false
        return partial.every((item, i) => consistent(item, whole[i], last && i === partial.length - 1))
      }
      if (partial !== null && typeof partial === 'object') {
        if (whole === null || typeof whole !== 'object' || Array.isArray(whole)) return false
        const keys = Object.keys(partial)
        return keys.every(
          (key, i) =>
            Object.hasOwn(whole, key) &&
            consistent(
              (partial as Record<string, unknown>)[key],
              (whole as Record<string, unknown>)[key],
              last && i === keys.length - 1,
            ),
        )
      }
      return Object.is(partial, whole) || (partial === 0 && whole === 0)
    }
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, at) => {
        const text = JSON.stringify(value)
        const parser = new PartialJSON()
        parser.push(text.slice(0, at % (text.length + 1)))
        expect(parser.failed).toBe(false)
        expect(consistent(parser.value, JSON.parse(text), true)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('snapshots that later pushes leave alone, sharing the containers already closed', () => {
    const parser = new PartialJSON()
    parser.push('{"rows":[{"a":1},{"b":"x')
    const first = parser.snapshot() as { rows: Record<string, unknown>[] }
    parser.push('y"},{"c":')
    const second = parser.snapshot() as { rows: Record<string, unknown>[] }
    expect(first).toEqual({ rows: [{ a: 1 }, { b: 'x' }] })
    expect(second).toEqual({ rows: [{ a: 1 }, { b: 'xy' }, {}] })
    // A closed record is the same object in every snapshot; the open path is copied each time.
    expect(second.rows[0]).toBe(first.rows[0])
    expect(second.rows).not.toBe(first.rows)
    expect(second).not.toBe(parser.value)
  })

  it('stops at input that is not JSON and keeps what it had, without throwing', () => {
    for (const bad of ['{"a":1,}', '[1,]', '{"a" 1}', '{"a":tru}', '"\u0001"', '{"a":1}}', '[01]', 'nope']) {
      const parser = parseInPieces(bad, [])
      expect(parser.failed, bad).toBe(true)
    }
    const parser = new PartialJSON()
    parser.push('{"a":"kept","b":x')
    expect(parser.failed).toBe(true)
    expect(parser.value).toEqual({ a: 'kept' })
    parser.push('"more"}')
    expect(parser.value).toEqual({ a: 'kept' })
  })

  it('stops at absurd nesting instead of growing the stack without bound', () => {
    const parser = new PartialJSON()
    parser.push('['.repeat(100_000))
    expect(parser.failed).toBe(true)
  })

  it('reads a 2 MB string streamed in 20,000 pieces (each piece appended once, its run taken in one slice)', () => {
    const parser = new PartialJSON()
    parser.push('{"code":"')
    const piece = 'x'.repeat(100)
    for (let i = 0; i < 20_000; i++) parser.push(piece)
    parser.push('"}')
    expect((parser.value as { code: string }).code.length).toBe(2_000_000)
  })
})
