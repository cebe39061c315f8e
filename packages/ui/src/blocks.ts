/** A piece of message text a markdown renderer can take on its own. */
export interface TextBlock {
  /** The block's source, without the blank lines around it; a fenced block keeps its fences. */
  text: string
  index: number
  /** False only for the last block of a text still arriving: the one that may still grow. */
  complete: boolean
  /** A fenced code block (``` or ~~~). */
  fenced: boolean
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})\s*$/
const BLANK = /^\s*$/

/**
 * Splits text into blocks at blank lines and fenced code boundaries (a blank line inside a
 * fence does not split it). Only finished lines decide where blocks end, so a block once
 * complete keeps its exact text however the stream goes on: a renderer memoized on it never
 * runs again.
 *
 * @example
 * splitBlocks('# Title\n\nSome text', false)
 * // [{ text: '# Title', complete: true, … }, { text: 'Some text', complete: false, … }]
 */
export function splitBlocks(text: string, final: boolean): TextBlock[] {
  const blocks: TextBlock[] = []
  let lines: string[] = []
  let fence: { char: string; length: number } | undefined
  const close = (complete: boolean) => {
    if (lines.length > 0) blocks.push({ text: lines.join('\n'), index: blocks.length, complete, fenced: !!fence })
    lines = []
    fence = undefined
  }
  const all = text.split('\n')
  // The last line has no newline yet: it may still turn into a fence or a closing fence.
  const partial = all.pop() ?? ''
  for (const line of all) {
    if (fence) {
      lines.push(line)
      const closing = line.match(CLOSING_FENCE)?.[1]
      if (closing && closing[0] === fence.char && closing.length >= fence.length) close(true)
      continue
    }
    if (BLANK.test(line)) {
      close(true)
      continue
    }
    const opening = line.match(FENCE)?.[1]
    if (opening) {
      close(true)
      fence = { char: opening[0]!, length: opening.length }
    }
    lines.push(line)
  }
  if (partial !== '') lines.push(partial)
  close(final)
  return blocks
}
