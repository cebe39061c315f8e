/** Text split into lines, each with its newline; the last one may have none yet. */
export interface TextLines {
  text: string
  lines: readonly string[]
}

export const NO_LINES: TextLines = { text: '', lines: [] }

/**
 * Splits `text` into lines, each keeping its `\n`, so joined they are `text` again. Given the
 * split of an earlier text that `text` extends, only the last line onward is split again: a
 * stream's text costs one pass over what is new, not over the whole answer, each frame.
 *
 * @example
 * splitLines('one\ntwo').lines // ['one\n', 'two']
 */
export function splitLines(text: string, previous: TextLines = NO_LINES): TextLines {
  if (previous.text === text) return previous
  let lines: string[] = []
  let start = 0
  const last = previous.lines.at(-1)
  if (last !== undefined && text.startsWith(previous.text)) {
    // The last line may have been partial: it is split again with what follows it.
    lines = previous.lines.slice(0, -1)
    start = previous.text.length - last.length
  }
  for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
    lines.push(text.slice(start, end + 1))
    start = end + 1
  }
  if (start < text.length) lines.push(text.slice(start))
  return { text, lines }
}
