import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type BufferStrategy, createTextBuffer } from './buffer.js'

/** Units a buffer emits for these deltas: `[emittedWhilePushing, flushedAtEnd]`. */
function run(strategy: BufferStrategy, deltas: string[]): { units: string[]; flushed: string[] } {
  const buffer = createTextBuffer(strategy)
  const units: string[] = []
  for (const delta of deltas) buffer.push(delta, (unit) => units.push(unit))
  const flushed: string[] = []
  buffer.flush((unit) => flushed.push(unit))
  return { units, flushed }
}

/** Cuts `text` into deltas at code-unit offsets (may split surrogate pairs only if asked). */
function cut(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts)].filter((p) => p > 0 && p < text.length).sort((a, b) => a - b)
  const deltas: string[] = []
  let start = 0
  for (const point of [...points, text.length]) {
    deltas.push(text.slice(start, point))
    start = point
  }
  return deltas.filter((delta) => delta !== '')
}

describe('createTextBuffer', () => {
  it('none passes each delta through as it is', () => {
    expect(run('none', ['He', 'llo'])).toEqual({ units: ['He', 'llo'], flushed: [] })
  })

  it('char emits whole grapheme clusters, never splitting an emoji or a combining mark', () => {
    const { units, flushed } = run('char', ['a👩', '\u200d💻', 'e\u0301', 'x'])
    expect([...units, ...flushed]).toEqual(['a', '👩\u200d💻', 'e\u0301', 'x'])
  })

  it('word emits a word with the spaces and punctuation after it, holding the one that may grow', () => {
    const { units, flushed } = run('word', ['Hel', 'lo, wor', 'ld! How'])
    expect(units).toEqual(['Hello, ', 'world! '])
    expect(flushed).toEqual(['How'])
  })

  it('word does not hold Chinese, Japanese or Thai text until the end of the stream', () => {
    expect(run('word', ['我们今天', '去公园']).units.join('').startsWith('我们')).toBe(true)
    expect(run('word', ['今日は良い', '天気です']).units.length).toBeGreaterThan(0)
    expect(run('word', ['สวัสดีครับ', 'ผม']).units.length).toBeGreaterThan(0)
  })

  it('sentence is not fooled by 3.14, e.g., an ellipsis or closing quotes', () => {
    const { units, flushed } = run('sentence', [
      'Pi is 3.',
      '14 and e.',
      'g. this works... ',
      '"Really?" she ',
      'said. Next',
    ])
    expect(units).toEqual(['Pi is 3.14 and e.g. this works... ', '"Really?" ', 'she said. '])
    expect(flushed).toEqual(['Next'])
  })

  it('sentence splits CJK sentences at their full stops', () => {
    const { units } = run('sentence', ['今天天气很好。我们', '去公园吧！好'])
    expect(units).toEqual(['今天天气很好。', '我们去公园吧！'])
  })

  it('line emits one unit per line, line break included', () => {
    const { units, flushed } = run('line', ['a\nb', 'c\n\nd'])
    expect(units).toEqual(['a\n', 'bc\n', '\n'])
    expect(flushed).toEqual(['d'])
  })

  it('tokens: n joins every n deltas', () => {
    expect(run({ tokens: 2 }, ['a', 'b', 'c', 'd', 'e'])).toEqual({ units: ['ab', 'cd'], flushed: ['e'] })
  })

  it('for any text, chunking and strategy, the units concatenate to exactly the text', () => {
    const strategies: BufferStrategy[] = ['none', 'char', 'word', 'sentence', 'line', { tokens: 3 }]
    const text = fc.string({
      unit: fc.constantFrom('a', ' ', '.', '\n', '你', '好', '。', '👋🏽', 'e\u0301', '3', '"', 'สวั'),
      maxLength: 60,
    })
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat({ max: 60 }), { maxLength: 20 }),
        fc.constantFrom(...strategies),
        (t, cuts, strategy) => {
          const { units, flushed } = run(strategy, cut(t, cuts))
          expect([...units, ...flushed].join('')).toBe(t)
          for (const unit of [...units, ...flushed]) expect(unit).not.toBe('')
        },
      ),
      { numRuns: 500 },
    )
  })
})
