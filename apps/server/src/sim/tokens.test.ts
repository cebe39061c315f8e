import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { countTokens, LazyTokenList, TokenList, tokenize } from './tokens.js'

describe('tokenize', () => {
  it('cuts any text into tokens that join back to it, as many as countTokens says', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const tokens = tokenize(text)
        expect(tokens.join('')).toBe(text)
        expect(tokens.every((token) => token.length > 0)).toBe(true)
        expect(countTokens(text)).toBe(tokens.length)
      }),
    )
  })

  it('keeps words with the space before them, and splits long words', () => {
    expect(tokenize('Hello, world!\n\nSee `code`.')).toEqual([
      'Hello',
      ',',
      ' world',
      '!',
      '\n\n',
      'See',
      ' `',
      'code',
      '`.',
    ])
    expect(tokenize('internationalization')).toEqual(['intern', 'ationa', 'lizati', 'on'])
    expect(tokenize('12345')).toEqual(['123', '45'])
  })
})

describe('TokenList', () => {
  it('holds tokens compactly and gives each back, in order or not', () => {
    const tokens = tokenize('Streams of tokens, supercalifragilistic words and\n\n  spaces 12345')
    const list = new TokenList(tokens)
    expect(list.length).toBe(tokens.length)
    expect(list.join('')).toBe(tokens.join(''))
    expect(list.toArray()).toEqual(tokens)
    expect(list.at(3)).toBe(tokens[3])
    expect(list.at(1)).toBe(tokens[1])
    expect(list.join('|')).toBe(tokens.join('|'))
  })
})

describe('LazyTokenList', () => {
  it('makes the tokens of its pieces as they are read, and starts over to read backwards', () => {
    const pieces = ['Streams of tokens,', '\n\nsupercalifragilistic words', '\n\nand more']
    let started = 0
    const list = new LazyTokenList(8, () => {
      started++
      return pieces[Symbol.iterator]()
    })
    const expected = tokenize(pieces.join('')).slice(0, 8)
    expect(started).toBe(0)
    expect(list.at(0)).toBe(expected[0])
    expect(list.toArray()).toEqual(expected)
    expect(list.at(7)).toBe(expected[7])
    expect(list.at(2)).toBe(expected[2])
    expect(started).toBe(2)
    expect(list.join('')).toBe(expected.join(''))
    expect(() => list.at(8)).toThrow(RangeError)
  })
})
