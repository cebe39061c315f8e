/**
 * Text buffers: deltas in, display units out (graphemes, words, sentences, lines or n deltas).
 *
 * Each buffer holds back only the unit that may still grow, so per-delta work is bounded by
 * that unit plus the delta, never by the text so far. Concatenating every unit emitted (and
 * flushed) gives back exactly the text pushed.
 */

export type BufferStrategy = 'none' | 'char' | 'word' | 'sentence' | 'line' | { tokens: number }

export interface TextBuffer {
  /** Adds one delta; calls `emit` for each unit it completes. */
  push(text: string, emit: (unit: string) => void): void
  /** Emits whatever is held (end of stream, error, abort, or a non-text part). */
  flush(emit: (unit: string) => void): void
}

export function createTextBuffer(strategy: BufferStrategy = 'none'): TextBuffer {
  if (typeof strategy === 'object') return deltaCountBuffer(Math.max(1, Math.floor(strategy.tokens)))
  switch (strategy) {
    case 'none':
      return { push: (text, emit) => emit(text), flush() {} }
    case 'line':
      return lineBuffer()
    case 'char':
      return segmentBuffer(graphemes())
    case 'word':
      return segmentBuffer(words())
    case 'sentence':
      return segmentBuffer(sentences())
  }
}

function deltaCountBuffer(n: number): TextBuffer {
  const pending: string[] = []
  const flush = (emit: (unit: string) => void) => {
    if (pending.length === 0) return
    const unit = pending.join('')
    pending.length = 0
    emit(unit)
  }
  return {
    push(text, emit) {
      pending.push(text)
      if (pending.length >= n) flush(emit)
    },
    flush,
  }
}

function lineBuffer(): TextBuffer {
  let pending = ''
  return {
    push(text, emit) {
      let newline = text.indexOf('\n')
      if (newline === -1) {
        pending += text
        return
      }
      emit(pending + text.slice(0, newline + 1))
      let start = newline + 1
      while ((newline = text.indexOf('\n', start)) !== -1) {
        emit(text.slice(start, newline + 1))
        start = newline + 1
      }
      pending = text.slice(start)
    },
    flush(emit) {
      if (pending !== '') emit(pending)
      pending = ''
    },
  }
}

/**
 * Splits held text into units, all complete but the last (which later text may still extend).
 * `mayComplete` is a cheap test of a delta: false means it cannot complete a unit, so the
 * (costlier) split is skipped and the delta just waits with the rest.
 */
interface Splitter {
  split(text: string): string[]
  mayComplete(delta: string): boolean
}

function segmentBuffer(splitter: Splitter): TextBuffer {
  let pending = ''
  return {
    push(text, emit) {
      pending += text
      if (!splitter.mayComplete(text)) return
      const units = splitter.split(pending)
      const last = units.length - 1
      for (let i = 0; i < last; i++) emit(units[i] as string)
      pending = last >= 0 ? (units[last] as string) : ''
    },
    flush(emit) {
      if (pending !== '') emit(pending)
      pending = ''
    },
  }
}

const hasSegmenter = typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
let segmenters: Partial<Record<'grapheme' | 'word' | 'sentence', Intl.Segmenter>> | undefined

function segmenter(granularity: 'grapheme' | 'word' | 'sentence'): Intl.Segmenter {
  segmenters ??= {}
  return (segmenters[granularity] ??= new Intl.Segmenter(undefined, { granularity }))
}

function graphemes(): Splitter {
  return {
    // Any delta can complete the grapheme held before it.
    mayComplete: () => true,
    split: hasSegmenter
      ? (text) => Array.from(segmenter('grapheme').segment(text), (s) => s.segment)
      : // Without Intl.Segmenter: code points, so a surrogate pair is never split.
        (text) => Array.from(text),
  }
}

// Scripts written without spaces (Thai, Lao, Myanmar, Khmer, kana, CJK, Hangul): in the
// fallback each character is a unit, so such text never waits for a space that will not come.
const NO_SPACE =
  '\\u0e00-\\u0eff\\u1000-\\u109f\\u1780-\\u17ff\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff'
const FALLBACK_WORDS = new RegExp(`[${NO_SPACE}]\\s*|[^\\s${NO_SPACE}]+\\s*|\\s+`, 'g')

function words(): Splitter {
  return {
    mayComplete: () => true,
    split: hasSegmenter
      ? (text) => {
          // A unit is a word-like segment plus the spaces and punctuation after it.
          const units: string[] = []
          let unit = ''
          for (const { segment, isWordLike } of segmenter('word').segment(text)) {
            if (isWordLike && unit !== '') {
              units.push(unit)
              unit = ''
            }
            unit += segment
          }
          if (unit !== '') units.push(unit)
          return units
        }
      : (text) => text.match(FALLBACK_WORDS) ?? [text],
  }
}

const SENTENCE_END = /[.!?\n\u3002\uff01\uff1f\u2026\u061f\u0964]/
const FALLBACK_SENTENCES =
  /[^.!?\n\u3002\uff01\uff1f\u2026]*(?:[.!?\u3002\uff01\uff1f\u2026]+["'\u201d\u2019)\]]*\s+|\n+|$)/g

function sentences(): Splitter {
  let candidate = false
  return {
    // A sentence can only end after terminal punctuation or a line break; until one has
    // arrived, nothing is segmented. Once one has, the next delta decides (e.g. "3." + "14").
    mayComplete(delta) {
      const was = candidate
      candidate ||= SENTENCE_END.test(delta)
      return was || candidate
    },
    split(text) {
      const units = hasSegmenter
        ? Array.from(segmenter('sentence').segment(text), (s) => s.segment)
        : (text.match(FALLBACK_SENTENCES) ?? [text]).filter((unit) => unit !== '')
      candidate = SENTENCE_END.test(units[units.length - 1] ?? '')
      return units
    },
  }
}
