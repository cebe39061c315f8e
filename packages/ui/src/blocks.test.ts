import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitBlocks } from './blocks.js'

const texts = (text: string, final: boolean) => splitBlocks(text, final).map((block) => [block.text, block.complete])

describe('splitBlocks', () => {
  it('splits at blank lines; only the last block of a live text is incomplete', () => {
    expect(texts('# Title\n\nFirst line\nsecond line\n\nGrow', false)).toEqual([
      ['# Title', true],
      ['First line\nsecond line', true],
      ['Grow', false],
    ])
    expect(texts('# Title\n\nGrow', true)).toEqual([
      ['# Title', true],
      ['Grow', true],
    ])
  })

  it('completes a block as soon as a blank line follows it', () => {
    expect(texts('One\n\n', false)).toEqual([['One', true]])
    expect(texts('One\n', false)).toEqual([['One', false]])
  })

  it('keeps a fenced code block whole, blank lines included, and splits around its fences', () => {
    const text = 'Look:\n```js\nconst a = 1\n\nconst b = 2\n```\nAfter\n\n~~~\nopen'
    expect(splitBlocks(text, false).map(({ text, complete, fenced }) => [text, complete, fenced])).toEqual([
      ['Look:', true, false],
      ['```js\nconst a = 1\n\nconst b = 2\n```', true, true],
      ['After', true, false],
      ['~~~\nopen', false, true],
    ])
  })

  it('closes a fence only with the same character, at least as long', () => {
    expect(texts('````\n```\n~~~~\n````\n', false)).toEqual([['````\n```\n~~~~\n````', true]])
  })

  it('decides nothing on an unfinished line', () => {
    expect(texts('Para\n``', false)).toEqual([['Para\n``', false]])
    expect(texts('Para\n```\n', false)).toEqual([
      ['Para', true],
      ['```', false],
    ])
  })

  it('never changes a completed block as the text grows', () => {
    const line = fc.constantFrom('', 'text', '```', '```py', '~~~', '  indented', '- item', '\t', '    ')
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.nat(), (lines, cut) => {
        const text = lines.join('\n')
        const prefix = text.slice(0, cut % (text.length + 1))
        const whole = splitBlocks(text, true)
        for (const block of splitBlocks(prefix, false).filter((b) => b.complete)) {
          expect(whole[block.index]).toEqual(block)
        }
      }),
      { numRuns: 500 },
    )
  })
})
