import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitTokens } from './tokens.js'

/** Any text, and text made of the pieces that are hard to cut: spaces, breaks, accents, emoji, CJK. */
const texts = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom(
      ' ',
      '  ',
      '\n',
      '\r\n',
      'a',
      'word',
      'é',
      'e\u0301',
      '\u{1F469}\u200D\u{1F467}',
      '\u{1F1EB}\u{1F1F7}',
      '.',
      '",',
      '日本',
    ),
  }),
)

describe('splitTokens', () => {
  it('cuts text the way a BPE tokenizer does: words with their leading space, long words in pieces', () => {
    expect(splitTokens('Hello, streaming world!')).toEqual(['Hello', ',', ' stre', 'amin', 'g', ' world', '!'])
    expect(splitTokens('line one\n\nline  two...')).toEqual(['line', ' one', '\n\n', 'line', '  two', '...'])
    expect(splitTokens('{"city":"Paris"}')).toEqual(['{"', 'city', '":"', 'Paris', '"}'])
  })

  it('keeps emoji, flags and combined letters whole', () => {
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}'
    expect(splitTokens(`hi ${family} \u{1F1EB}\u{1F1F7}!`)).toEqual(['hi', ` ${family}`, ' \u{1F1EB}\u{1F1F7}', '!'])
    const accented = 'e\u0301'.repeat(9)
    expect(splitTokens(accented)).toEqual(['e\u0301'.repeat(4), 'e\u0301'.repeat(4), 'e\u0301'])
  })

  it('gives back exactly the text, in non-empty pieces that never split a grapheme, for any text', () => {
    const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })
    const boundaries = (text: string) => new Set(Array.from(graphemes.segment(text), (part) => part.index))
    fc.assert(
      fc.property(texts, (text) => {
        const tokens = splitTokens(text)
        expect(tokens.join('')).toBe(text)
        expect(tokens.every((token) => token !== '')).toBe(true)
        const allowed = boundaries(text)
        let offset = 0
        for (const token of tokens) {
          expect(allowed.has(offset)).toBe(true)
          offset += token.length
        }
      }),
      { numRuns: 500 },
    )
  })
})
