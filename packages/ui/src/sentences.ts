/**
 * Which sentences of a growing text are finished, so a screen reader hears each once, whole,
 * and never a token at a time.
 */
export interface SentenceState {
  /** The text up to `end`: everything after it is not finished yet. */
  readonly prefix: string
  readonly end: number
  /** Finished sentences so far, in order, trimmed. */
  readonly sentences: readonly string[]
  /** The text is complete: its last sentence counts as finished. */
  readonly final: boolean
}

export const NO_SENTENCES: SentenceState = { prefix: '', end: 0, sentences: [], final: false }

let segmenter: Intl.Segmenter | null | undefined

function sentenceSegmenter(): Intl.Segmenter | null {
  if (segmenter === undefined) {
    segmenter =
      typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
        ? new Intl.Segmenter(undefined, { granularity: 'sentence' })
        : null
  }
  return segmenter
}

/**
 * Moves `state` on to `text`; returns `state` itself when nothing new is finished, so the
 * result can be kept in React state without a loop. A text that does not continue the old one
 * starts over.
 *
 * @example
 * let state = advanceSentences(NO_SENTENCES, 'Hello there. How are', false)
 * state.sentences // ['Hello there.']
 * state = advanceSentences(state, 'Hello there. How are you?', true)
 * state.sentences // ['Hello there.', 'How are you?']
 */
export function advanceSentences(state: SentenceState, text: string, final: boolean): SentenceState {
  const base = text.startsWith(state.prefix) ? state : NO_SENTENCES
  const pieces = splitSentences(text.slice(base.end))
  // The last piece is finished only when the text is, or when it ends a line (a hard break).
  const last = pieces.at(-1)
  if (last !== undefined && !final && !last.endsWith('\n')) pieces.pop()
  if (pieces.length === 0 && base === state && final === state.final) return state
  let end = base.end
  const sentences = base.sentences.slice()
  for (const piece of pieces) {
    end += piece.length
    const sentence = piece.trim()
    if (isSpeakable(sentence)) sentences.push(sentence)
  }
  return { prefix: text.slice(0, end), end, sentences, final }
}

/** Sentence pieces of `text`, in order, whitespace kept, the last possibly unfinished. */
function splitSentences(text: string): string[] {
  if (text === '') return []
  const native = sentenceSegmenter()
  if (native) return Array.from(native.segment(text), ({ segment }) => segment)
  // Without Intl.Segmenter: a sentence ends at terminal punctuation (and closing quotes) followed by space, or at a newline.
  const pieces: string[] = []
  let start = 0
  for (const match of text.matchAll(/[.!?…。！？]+["'”’)\]]*\s+|\n+/g)) {
    const end = match.index + match[0].length
    pieces.push(text.slice(start, end))
    start = end
  }
  if (start < text.length) pieces.push(text.slice(start))
  return pieces
}

/** Worth announcing: has a letter or a number, and is not only a list marker or a code fence. */
function isSpeakable(sentence: string): boolean {
  return /[\p{L}\p{N}]/u.test(sentence) && !/^(\d{1,3}[.)]|[-*+])$/.test(sentence) && !/^(`{3,}|~{3,})/.test(sentence)
}
