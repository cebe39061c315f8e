/**
 * Grapheme boundaries, so a reveal never shows half an emoji or a letter without its accent.
 * Intl.Segmenter where it exists; elsewhere a small approximation that keeps surrogate pairs,
 * combining marks, variation selectors, skin tones, ZWJ sequences and flag pairs whole.
 */

let segmenter: Intl.Segmenter | null | undefined

function graphemeSegmenter(): Intl.Segmenter | null {
  // Created on first use, not at import.
  if (segmenter === undefined) {
    segmenter =
      typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined) : null
  }
  return segmenter
}

/**
 * The first grapheme boundary at or after `index`, scanning from `from` (a boundary at or
 * before `index`), so the cost is the distance covered, not the length of the text.
 */
export function nextGraphemeBoundary(text: string, from: number, index: number): number {
  if (index <= from) return from
  if (index >= text.length) return text.length
  const native = graphemeSegmenter()
  if (native) {
    for (const { index: start, segment } of native.segment(text.slice(from))) {
      const end = from + start + segment.length
      if (end >= index) return end
    }
    return text.length
  }
  let at = index
  while (at < text.length && !isBoundary(text, at)) at++
  return at
}

const EXTEND = /\p{M}|\u200d|\ufe0e|\ufe0f|[\u{1f3fb}-\u{1f3ff}]|[\u{e0020}-\u{e007f}]/u
const REGIONAL_INDICATOR = /[\u{1f1e6}-\u{1f1ff}]/u

function isBoundary(text: string, at: number): boolean {
  const code = text.charCodeAt(at)
  if (code >= 0xdc00 && code <= 0xdfff) return false // inside a surrogate pair
  const next = String.fromCodePoint(text.codePointAt(at)!)
  if (EXTEND.test(next)) return false
  const previous = codePointBefore(text, at)
  if (previous === '\u200d') return false
  if (REGIONAL_INDICATOR.test(previous) && REGIONAL_INDICATOR.test(next)) {
    // Flags are pairs: a boundary only after an even run of regional indicators.
    let run = 0
    for (let i = at; i > 0 && REGIONAL_INDICATOR.test(codePointBefore(text, i)); i -= 2) run++
    return run % 2 === 0
  }
  return true
}

function codePointBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1)
  const start = low >= 0xdc00 && low <= 0xdfff && at >= 2 ? at - 2 : at - 1
  return String.fromCodePoint(text.codePointAt(start)!)
}
