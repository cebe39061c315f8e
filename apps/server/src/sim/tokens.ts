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
