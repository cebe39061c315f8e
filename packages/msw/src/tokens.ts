/**
 * Cuts text into pieces shaped like a BPE tokenizer's output, so mocked streams deliver text the
 * way models do: short words whole with their leading space (" world"), long words in pieces,
 * punctuation runs together, line breaks on their own. No piece ever splits a grapheme (an emoji,
 * a letter with its accents): providers send whole characters in each delta.
 */

/** Words longer than this many graphemes are cut; most English words up to it are one token. */
const WHOLE_WORD_GRAPHEMES = 7
/** The size of the pieces a long word is cut into (a BPE token is about four characters). */
const WORD_PIECE_GRAPHEMES = 4
/** Punctuation runs (`":"`, `...`, `?!`) stay together up to this many graphemes. */
const PUNCTUATION_RUN_GRAPHEMES = 3

let words: Intl.Segmenter | undefined
let graphemes: Intl.Segmenter | undefined

/**
 * Splits `text` into token-sized pieces that join back to exactly `text`.
 *
 * @example
 * splitTokens('Hello, streaming world!') // ['Hello', ',', ' stre', 'amin', 'g', ' world', '!']
 */
export function splitTokens(text: string): string[] {
  words ??= new Intl.Segmenter('en', { granularity: 'word' })
  const tokens: string[] = []
  // Spaces and tabs wait for the next piece, as BPE vocabularies attach them to the word after.
  let space = ''
  let punctuation = ''
  const flushPunctuation = () => {
    if (punctuation !== '') tokens.push(punctuation)
    punctuation = ''
  }
  for (const { segment, isWordLike } of words.segment(text)) {
    if (/^[^\S\r\n]+$/.test(segment)) {
      flushPunctuation()
      space += segment
    } else if (/[\r\n]/.test(segment)) {
      flushPunctuation()
      if (space !== '') tokens.push(space)
      space = ''
      // Blank lines are one token ("\n\n"), as in BPE vocabularies; the segmenter gives one per break.
      const last = tokens.length - 1
      if (last >= 0 && /^[\r\n]+$/.test(tokens[last] as string)) tokens[last] += segment
      else tokens.push(segment)
    } else if (isWordLike) {
      flushPunctuation()
      tokens.push(...wordPieces(space, segment))
      space = ''
    } else {
      // Punctuation, symbols and emoji: the segmenter gives one grapheme each.
      if (space !== '' || graphemeCount(punctuation) >= PUNCTUATION_RUN_GRAPHEMES || isPictographic(segment)) {
        flushPunctuation()
      }
      punctuation += space + segment
      space = ''
      if (isPictographic(segment)) flushPunctuation()
    }
  }
  flushPunctuation()
  if (space !== '') tokens.push(space)
  return tokens
}

/** A word, with the spaces before it, as one piece or (when long) pieces of a few graphemes. */
function wordPieces(space: string, word: string): string[] {
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
  const units = Array.from(graphemes.segment(word), (part) => part.segment)
  if (units.length <= WHOLE_WORD_GRAPHEMES) return [space + word]
  const pieces: string[] = []
  for (let start = 0; start < units.length; start += WORD_PIECE_GRAPHEMES) {
    pieces.push(units.slice(start, start + WORD_PIECE_GRAPHEMES).join(''))
  }
  pieces[0] = space + pieces[0]
  return pieces
}

function graphemeCount(text: string): number {
  if (text === '') return 0
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
  let count = 0
  for (const _ of graphemes.segment(text)) count++
  return count
}

function isPictographic(segment: string): boolean {
  return /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(segment)
}
