import { describe, expect, it, vi } from 'vitest'
import { advanceSentences, NO_SENTENCES, type SentenceState } from './sentences.js'

/** Feeds `text` one character at a time, then marks it final; collects every state. */
function typeOut(text: string, advance = advanceSentences): SentenceState {
  let state = NO_SENTENCES
  for (let i = 1; i <= text.length; i++) state = advance(state, text.slice(0, i), false)
  return advance(state, text, true)
}

describe('advanceSentences', () => {
  it('announces a sentence once the next one starts, and the last one at the end', () => {
    let state = advanceSentences(NO_SENTENCES, 'Hello there. How are', false)
    expect(state.sentences).toEqual(['Hello there.'])
    state = advanceSentences(state, 'Hello there. How are you? I am', false)
    expect(state.sentences).toEqual(['Hello there.', 'How are you?'])
    state = advanceSentences(state, 'Hello there. How are you? I am fine.', true)
    expect(state.sentences).toEqual(['Hello there.', 'How are you?', 'I am fine.'])
  })

  it('announces each sentence exactly once however the text grows', () => {
    const text = 'The sky is blue. Grass is green!\nWater is wet? Yes. The end'
    expect(typeOut(text).sentences).toEqual(['The sky is blue.', 'Grass is green!', 'Water is wet?', 'Yes.', 'The end'])
  })

  it('returns the same state when nothing new is finished', () => {
    const state = advanceSentences(NO_SENTENCES, 'One. Tw', false)
    expect(advanceSentences(state, 'One. Tw', false)).toBe(state)
    expect(advanceSentences(state, 'One. Two', false)).toBe(state)
  })

  it('treats a line break as the end of a sentence', () => {
    expect(advanceSentences(NO_SENTENCES, '# A heading\n', false).sentences).toEqual(['# A heading'])
  })

  it('skips what is not worth saying: list markers, fences, punctuation', () => {
    expect(typeOut('1. First item\n```js\ncode()\n```\n---\n').sentences).toEqual(['First item', 'code()'])
  })

  it('starts over when the text does not continue the previous one', () => {
    const state = advanceSentences(NO_SENTENCES, 'Old answer. Gone', false)
    expect(advanceSentences(state, 'New one. Here', false).sentences).toEqual(['New one.'])
  })

  it('works without Intl.Segmenter', async () => {
    vi.resetModules()
    vi.stubGlobal('Intl', { ...Intl, Segmenter: undefined })
    try {
      const fallback = await import('./sentences.js')
      const text = 'The sky is blue. Grass is “green!” Water\nis wet? The end'
      expect(typeOut(text, fallback.advanceSentences).sentences).toEqual([
        'The sky is blue.',
        'Grass is “green!”',
        'Water',
        'is wet?',
        'The end',
      ])
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
