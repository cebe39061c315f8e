/**
 * The simulated model's tokens: a word with the spaces before it, up to three digits, a short
 * run of punctuation, or a run of line breaks. Roughly what a BPE tokenizer does to English and
 * code, and exact where it matters here: the tokens joined are the text, and usage counts them.
 */
const TOKEN = /[^\S\n]*(?:\p{L}+|\p{N}{1,3}|[^\s\p{L}\p{N}]{1,3})|\n+|[^\S\n]+/gu

/** Words longer than this are split in pieces of `PIECE`, as tokenizers split rare long words. */
const LONG_WORD = 10
const PIECE = 6

export function tokenize(text: string): string[] {
  const tokens: string[] = []
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0]
    if (token.length <= LONG_WORD) {
      tokens.push(token)
      continue
    }
    // Code points, not UTF-16 units, so a split never lands inside a surrogate pair.
    const chars = [...token]
    for (let i = 0; i < chars.length; i += PIECE) tokens.push(chars.slice(i, i + PIECE).join(''))
  }
  return tokens
}

/** Tokens in `text` without building them: for prompt sizes. */
export function countTokens(text: string): number {
  let count = 0
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0]
    count += token.length <= LONG_WORD ? 1 : Math.ceil([...token].length / PIECE)
  }
  return count
}

/**
 * A list of tokens held as their joined text and one byte of length each (every token is at
 * most `LONG_WORD` characters): a long answer takes a fifth of what an array of strings does,
 * which is what a stream waiting on a slow reader keeps. Read in order, `at` is O(1).
 */
export class TokenList implements Tokens {
  readonly length: number
  private readonly text: string
  private readonly lengths: Uint8Array
  /** The last token read and where it starts, so reading in order never scans from the start. */
  #index = 0
  #offset = 0

  constructor(tokens: readonly string[]) {
    this.length = tokens.length
    this.text = tokens.join('')
    this.lengths = new Uint8Array(tokens.length)
    for (let i = 0; i < tokens.length; i++) {
      const length = (tokens[i] as string).length
      if (length > 255) throw new RangeError('a token is longer than 255 characters')
      this.lengths[i] = length
    }
  }

  at(index: number): string {
    if (index < 0 || index >= this.length) throw new RangeError(`no token ${index}`)
    if (index < this.#index) {
      this.#index = 0
      this.#offset = 0
    }
    while (this.#index < index) this.#offset += this.lengths[this.#index++] as number
    const offset = this.#offset
    return this.text.slice(offset, offset + (this.lengths[index] as number))
  }

  /** The tokens joined: the text. */
  join(separator = ''): string {
    if (separator === '') return this.text
    return Array.from({ length: this.length }, (_, i) => this.at(i)).join(separator)
  }

  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i))
  }
}

/** Tokens read by position: a `TokenList`, or a `LazyTokenList` that makes them as they are read. */
export interface Tokens {
  readonly length: number
  at(index: number): string
  join(separator?: string): string
  toArray(): string[]
}

/**
 * `length` tokens of a text made in pieces as it is read (`pieces` starts the making over):
 * read in order, only the piece being read is held, however long the text. Reading backwards
 * starts over from the first piece.
 */
export class LazyTokenList implements Tokens {
  readonly length: number
  readonly #pieces: () => Iterator<string>
  #iterator: Iterator<string> | undefined
  #window: string[] = []
  /** The index of `#window[0]`. */
  #base = 0

  constructor(length: number, pieces: () => Iterator<string>) {
    this.length = length
    this.#pieces = pieces
  }

  at(index: number): string {
    if (index < 0 || index >= this.length) throw new RangeError(`no token ${index}`)
    if (this.#iterator === undefined || index < this.#base) {
      this.#iterator = this.#pieces()
      this.#window = []
      this.#base = 0
    }
    while (index >= this.#base + this.#window.length) {
      const next = this.#iterator.next()
      if (next.done) throw new RangeError(`the text ends before token ${index}`)
      this.#base += this.#window.length
      this.#window = tokenize(next.value)
    }
    return this.#window[index - this.#base] as string
  }

  join(separator = ''): string {
    return this.toArray().join(separator)
  }

  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i))
  }
}
