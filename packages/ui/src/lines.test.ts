import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitLines } from './lines.js'

describe('splitLines', () => {
  it('keeps each newline with its line, so the lines join to the text', () => {
    expect(splitLines('one\ntwo').lines).toEqual(['one\n', 'two'])
    expect(splitLines('one\n\ntwo\n').lines).toEqual(['one\n', '\n', 'two\n'])
    expect(splitLines('\n').lines).toEqual(['\n'])
    expect(splitLines('').lines).toEqual([])
  })

  it('splits a grown text as it splits the whole, reusing the finished lines', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '👋🏽') })), (pieces) => {
        let split = splitLines('')
        let text = ''
        for (const piece of pieces) {
          const before = split
          text += piece
          split = splitLines(text, before)
          expect(split.lines).toEqual(splitLines(text).lines)
          expect(split.lines.join('')).toBe(text)
          // Lines before the previous last one are the very same strings.
          for (let i = 0; i < before.lines.length - 1; i++) expect(split.lines[i]).toBe(before.lines[i])
        }
      }),
    )
  })

  it('splits from scratch when the text is not an extension of the previous one', () => {
    const previous = splitLines('first answer\nline')
    expect(splitLines('second\nanswer', previous).lines).toEqual(['second\n', 'answer'])
  })

  it('returns the previous split for the same text', () => {
    const previous = splitLines('a\nb')
    expect(splitLines('a\nb', previous)).toBe(previous)
  })
})
