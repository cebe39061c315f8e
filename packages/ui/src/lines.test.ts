import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitLines } from './lines.js'

describe('splitLines', () => {
  it('keeps each newline with its line', () => {
    expect(splitLines('one\ntwo')).toEqual(['one\n', 'two'])
    expect(splitLines('one\n\ntwo\n')).toEqual(['one\n', '\n', 'two\n'])
    expect(splitLines('\n')).toEqual(['\n'])
    expect(splitLines('')).toEqual([])
  })

  it('gives lines that join to the text, each with at most one newline, at its end', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '👋🏽') }), (text) => {
        const lines = splitLines(text)
        expect(lines.join('')).toBe(text)
        for (const line of lines) {
          expect(line).not.toBe('')
          expect(line.slice(0, -1)).not.toContain('\n')
        }
      }),
    )
  })
})
