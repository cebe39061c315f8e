import { describe, expect, it, vi } from 'vitest'
import { nextGraphemeBoundary } from './graphemes.js'

const SAMPLE = 'ae\u0301👍🏽👨‍👩‍👧‍👦🇫🇷🇩🇪中❤️🏳️‍🌈 x'

function boundaries(text: string): number[] {
  return [0, ...Array.from(new Intl.Segmenter().segment(text), (s) => s.index + s.segment.length)]
}

/** For every index, the first boundary at or after it, scanning from the boundary before. */
function snapped(text: string, next: typeof nextGraphemeBoundary): number[] {
  const result: number[] = []
  let from = 0
  for (let index = 0; index <= text.length; index++) {
    const boundary = next(text, from, index)
    result.push(boundary)
    if (boundary === index) from = index
  }
  return result
}

describe('nextGraphemeBoundary', () => {
  it('moves an index inside a grapheme to its end', () => {
    const expected = boundaries(SAMPLE)
    for (const [index, boundary] of snapped(SAMPLE, nextGraphemeBoundary).entries()) {
      expect(boundary).toBe(expected.find((b) => b >= index))
    }
  })

  it('gives the same boundaries without Intl.Segmenter', async () => {
    vi.resetModules()
    vi.stubGlobal('Intl', { ...Intl, Segmenter: undefined })
    try {
      const fallback = await import('./graphemes.js')
      expect(snapped(SAMPLE, fallback.nextGraphemeBoundary)).toEqual(snapped(SAMPLE, nextGraphemeBoundary))
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
